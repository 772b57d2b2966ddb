// OTLP encoding throughput: spans encoded per second into a full ExportTraceServiceRequest,
// protobuf and JSON, ours (the built library) side by side with the current
// @opentelemetry/otlp-transformer (npm alias `otlp-transformer-current`) serializing the
// equivalent ReadableSpans from @opentelemetry/sdk-trace-base 2.x, in the same process.
//
//   npm run bench otlp   (or: npm run build && node --expose-gc bench/otlp-encode.bench.mjs [--batch 512])
// BENCH_QUICK=1 for a fast, rougher run.
//
// A realistic span: SERVER kind with a parent, 10 HTTP attributes (strings, ints, a double),
// one event with 2 attributes (a string, a bool), an OK status. Batches of 512 (the default batch size).
import { createRequire } from 'node:module';
import { markdownTable, measure } from './harness.mjs';

const require = createRequire(import.meta.url);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const BATCH = arg('batch', 512);
const QUICK = process.env.BENCH_QUICK === '1';

let ours;
try {
  const core = require('../dist/cjs/core/tracer.js');
  const exp = require('../dist/cjs/export/index.js');
  ours = { Tracer: core.Tracer, ...exp };
} catch (error) {
  console.error(`Build the library first (npm run build): ${error.message}`);
  process.exit(1);
}
const otel = require('@opentelemetry/sdk-trace-base');
const { resourceFromAttributes } = require('@opentelemetry/sdk-trace-base/node_modules/@opentelemetry/resources');
const { ProtobufTraceSerializer, JsonTraceSerializer } = require('otlp-transformer-current');
const api = require('@opentelemetry/api');

const RESOURCE = { 'service.name': 'orders', 'deployment.environment': 'prod', 'service.version': '1.4.2' };
// Values vary the way they do within one batch of a busy service: every path differs,
// routes, methods, status codes, clients and user agents rotate among a few.
const ROUTES = ['/orders/:id', '/orders', '/customers/:id', '/health'];
const METHODS = ['GET', 'GET', 'POST', 'GET', 'PUT'];
const STATUS = [200, 200, 201, 200, 404, 200, 500];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'okhttp/4.12.0',
];
const NAME = (i) => `${METHODS[i % METHODS.length]} ${ROUTES[i % ROUTES.length]}`;
const ATTRIBUTES = (i) => ({
  'http.request.method': METHODS[i % METHODS.length],
  'url.path': `/orders/${1000 + i}`,
  'url.scheme': 'http',
  'http.route': ROUTES[i % ROUTES.length],
  'http.response.status_code': STATUS[i % STATUS.length],
  'server.address': 'orders.internal',
  'server.port': 3000,
  'client.address': `10.0.${i % 8}.${(i * 7) % 250}`,
  'user_agent.original': AGENTS[i % AGENTS.length],
  'app.cache.hit_ratio': (i % 100) / 100 + 0.005,
});
const EVENT_ATTRIBUTES = { 'cache.key': 'order:1234', 'cache.hit': true };
const PARENT = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true };

function ourSpans() {
  const memory = new ours.InMemorySpanExporter();
  const tracer = new ours.Tracer({ serviceName: 'orders', resource: RESOURCE, processor: new ours.SimpleSpanProcessor(memory) });
  for (let i = 0; i < BATCH; i++) {
    const span = tracer.startSpan(NAME(i), { kind: 1, parent: PARENT, attributes: ATTRIBUTES(i) });
    span.addEvent('cache.lookup', EVENT_ATTRIBUTES);
    span.setStatus({ code: 1 });
    span.end();
  }
  return memory.getFinishedSpans();
}

function theirSpans() {
  const memory = new otel.InMemorySpanExporter();
  const provider = new otel.BasicTracerProvider({
    resource: resourceFromAttributes({ ...RESOURCE, 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.version': '2.12.1' }),
    spanProcessors: [new otel.SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('nestjs-tracing', '0.1.0');
  const parent = api.trace.setSpanContext(api.ROOT_CONTEXT, PARENT);
  for (let i = 0; i < BATCH; i++) {
    const span = tracer.startSpan(NAME(i), { kind: api.SpanKind.SERVER, attributes: ATTRIBUTES(i) }, parent);
    span.addEvent('cache.lookup', EVENT_ATTRIBUTES);
    span.setStatus({ code: api.SpanStatusCode.OK });
    span.end();
  }
  return memory.getFinishedSpans();
}

const mine = ourSpans();
const theirs = theirSpans();
const protobuf = new ours.ProtobufTraceEncoder();
const json = new ours.JsonTraceEncoder();

// One operation = encoding one request of BATCH spans. Medians over many short, alternating
// samples (bench/harness.mjs), so a sample another process preempted does not move the result.
const opts = { chunk: 1, samples: QUICK ? 9 : 31, warmupMs: QUICK ? 200 : 600, sampleMs: QUICK ? 10 : 25 };
const sizes = {};
const variant = (name, encode) => ({
  run(n) {
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes = encode().length;
    sizes[name] = bytes;
    return bytes;
  },
});
const results = [];
for (const [format, oursFn, theirsFn] of [
  ['protobuf', () => protobuf.encode(mine), () => ProtobufTraceSerializer.serializeRequest(theirs)],
  ['json', () => json.encode(mine), () => JsonTraceSerializer.serializeRequest(theirs)],
]) {
  const r = await measure({ [`${format}/ours`]: variant(`${format}/ours`, oursFn), [`${format}/theirs`]: variant(`${format}/theirs`, theirsFn) }, opts);
  results.push([format, r[`${format}/ours`], r[`${format}/theirs`]]);
}

const perSecond = (row) => (BATCH * 1e9) / row.ns;
const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`### OTLP encode: ${BATCH} spans per request (10 attributes + 1 event each)\n`);
console.log(
  markdownTable([
    ['format', 'nestjs-tracing spans/s', 'otlp-transformer 0.223.1 spans/s', 'ratio (goal >= 2x)', 'request bytes ours / theirs'],
    ...results.map(([format, a, b]) => [
      format,
      fmt(perSecond(a)),
      fmt(perSecond(b)),
      `${(b.ns / a.ns).toFixed(2)}x`,
      `${fmt(sizes[`${format}/ours`])} / ${fmt(sizes[`${format}/theirs`])}`,
    ]),
  ]),
);
console.log('\n_median of alternating samples; spans/s = spans per request / median time per request_\n');
