// OTLP encoding throughput: spans encoded per second into a full ExportTraceServiceRequest,
// protobuf and JSON, ours (the built library) side by side with the current
// @opentelemetry/otlp-transformer (npm alias `otlp-transformer-current`) serializing the
// equivalent ReadableSpans from @opentelemetry/sdk-trace-base 2.x, in the same process.
//
//   npm run build && node bench/otlp-encode.bench.mjs [--batch 512] [--seconds 2]
//
// A realistic span: SERVER kind with a parent, 10 attributes (strings, ints, a double, a
// bool), one event with 2 attributes, an OK status. Batches of 512 (the default batch size).
// Figures are spans per CPU-second of the process.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const BATCH = arg('batch', 512);
const SECONDS = arg('seconds', 2);
const ROUNDS = arg('rounds', 3);

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
const ATTRIBUTES = (i) => ({
  'http.request.method': 'GET',
  'url.path': `/orders/${i}`,
  'url.scheme': 'http',
  'http.route': '/orders/:id',
  'http.response.status_code': 200,
  'server.address': 'orders.internal',
  'server.port': 3000,
  'client.address': '10.0.3.17',
  'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'app.cache.hit_ratio': 0.873,
});
const EVENT_ATTRIBUTES = { 'cache.key': 'order:1234', 'cache.hit': true };
const PARENT = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true };

function ourSpans() {
  const memory = new ours.InMemorySpanExporter();
  const tracer = new ours.Tracer({ serviceName: 'orders', resource: RESOURCE, processor: new ours.SimpleSpanProcessor(memory) });
  for (let i = 0; i < BATCH; i++) {
    const span = tracer.startSpan('GET /orders/:id', { kind: 1, parent: PARENT, attributes: ATTRIBUTES(i) });
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
    const span = tracer.startSpan('GET /orders/:id', { kind: api.SpanKind.SERVER, attributes: ATTRIBUTES(i) }, parent);
    span.addEvent('cache.lookup', EVENT_ATTRIBUTES);
    span.setStatus({ code: api.SpanStatusCode.OK });
    span.end();
  }
  return memory.getFinishedSpans();
}

/**
 * Spans per CPU-second of one run of `encode(batch)` lasting about SECONDS of CPU time.
 * CPU time (process.cpuUsage), not wall time: on a shared machine the wall clock also
 * counts the time other processes held the core.
 */
function run(encode) {
  let n = 0;
  let bytes = 0;
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const start = cpu();
  let now = start;
  while (now - start < SECONDS) {
    bytes = encode().length;
    n++;
    if ((n & 3) === 0) now = cpu();
  }
  now = cpu();
  return { spansPerSecond: (n * BATCH) / (now - start), bytes };
}

const mine = ourSpans();
const theirs = theirSpans();
const protobuf = new ours.ProtobufTraceEncoder();
const json = new ours.JsonTraceEncoder();
const cases = {
  'protobuf/ours': () => protobuf.encode(mine),
  'protobuf/theirs': () => ProtobufTraceSerializer.serializeRequest(theirs),
  'json/ours': () => json.encode(mine),
  'json/theirs': () => JsonTraceSerializer.serializeRequest(theirs),
};
for (const encode of Object.values(cases)) for (let i = 0; i < 50; i++) encode(); // warm up
// Rounds interleave the four cases so that load from other processes hits them alike; best run wins.
const best = {};
for (let r = 0; r < ROUNDS; r++)
  for (const [name, encode] of Object.entries(cases)) {
    const result = run(encode);
    if (!best[name] || result.spansPerSecond > best[name].spansPerSecond) best[name] = result;
  }
const rows = [
  ['protobuf', best['protobuf/ours'], best['protobuf/theirs']],
  ['json', best['json/ours'], best['json/theirs']],
];

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`\nOTLP encode, ${BATCH} spans per request (10 attributes + 1 event each), node ${process.version}, best of ${ROUNDS} interleaved runs of ${SECONDS} CPU-second each\n`);
console.log('| format | nestjs-tracing (spans/s) | otlp-transformer 0.223.1 (spans/s) | ratio | request bytes (ours / theirs) |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, a, b] of rows)
  console.log(`| ${name} | ${fmt(a.spansPerSecond)} | ${fmt(b.spansPerSecond)} | ${(a.spansPerSecond / b.spansPerSecond).toFixed(2)}x | ${fmt(a.bytes)} / ${fmt(b.bytes)} |`);
