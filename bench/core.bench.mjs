// Our tracer core versus the OpenTelemetry JS SDK 2.x, in the same process and run, on the
// same operations. Prints a markdown table (ns/op for both and the ratio theirs/ours) and
// the overhead of tracing a 1 ms async workload. Run through `npm run bench` (which builds
// first and starts node with --expose-gc), or alone: `node --expose-gc bench/core.bench.mjs`.
// Set BENCH_QUICK=1 for a fast, rougher run.
import { consume, formatNs, markdownTable, measure, median } from './harness.mjs';
import { loadOtel, loadOurs } from './subjects.mjs';

const quick = process.env.BENCH_QUICK === '1';
const SAMPLES = quick ? 9 : 31;
const WARMUP_MS = quick ? 150 : 500;
const SAMPLE_MS = quick ? 5 : 10;

const ours = loadOurs();
const otel = loadOtel();
const { api } = otel;

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const TRACESTATE = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7';
/** Incoming request headers as Node gives them (lowercase keys), with trace context. */
const INCOMING = {
  host: 'orders.internal:3000',
  'user-agent': 'undici',
  accept: 'application/json',
  'content-type': 'application/json',
  'content-length': '42',
  traceparent: TRACEPARENT,
  tracestate: TRACESTATE,
  connection: 'keep-alive',
};

// ---------------------------------------------------------------------------------------
// Rows. Each variant runs n operations in its own loop and returns a value derived from
// every operation (consumed by the harness).
const rows = [];

rows.push({
  name: 'span start+end (sampled, buffered)',
  goal: { ns: 200 },
  chunk: 256,
  ours: {
    run(n) {
      const tracer = ours.sampled;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const span = tracer.startSpan('GET /orders/:id');
        span.end();
        s += span.isRecording() ? 0 : 1;
      }
      return s;
    },
  },
  otel: {
    run(n) {
      const tracer = otel.sampled;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const span = tracer.startSpan('GET /orders/:id');
        span.end();
        s += span.isRecording() ? 0 : 1;
      }
      return s;
    },
  },
});

{
  // A child span made active under an active parent, ended when the callback returns.
  const ourParent = ours.sampled.startSpan('parent');
  const otelParent = otel.sampled.startSpan('parent');
  const otelParentContext = api.trace.setSpan(api.context.active(), otelParent);
  const ourChild = (span) => (span.isRecording() ? 1 : 0);
  const otelChild = (span) => {
    span.end();
    return 1;
  };
  rows.push({
    name: 'nested startActiveSpan',
    chunk: 256,
    ours: {
      run: (n) =>
        ours.sampled.withSpan(ourParent, () => {
          const tracer = ours.sampled;
          let s = 0;
          for (let i = 0; i < n; i++) s += tracer.startActiveSpan('child', ourChild);
          return s;
        }),
    },
    otel: {
      run: (n) =>
        api.context.with(otelParentContext, () => {
          const tracer = otel.sampled;
          let s = 0;
          for (let i = 0; i < n; i++) s += tracer.startActiveSpan('child', otelChild);
          return s;
        }),
    },
  });
}

{
  // Five setAttribute calls on a fresh span (the spans are created and ended untimed).
  const attributeRow = (tracer) => {
    let spans = [];
    return {
      before(n) {
        spans = new Array(n);
        for (let i = 0; i < n; i++) spans[i] = tracer.startSpan('GET /orders/:id');
      },
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const span = spans[i];
          span.setAttribute('http.request.method', 'GET');
          span.setAttribute('url.path', '/orders/42');
          span.setAttribute('http.route', '/orders/:id');
          span.setAttribute('http.response.status_code', 200);
          span.setAttribute('app.cache_hit', true);
          s += span === undefined ? 0 : 1;
        }
        return s;
      },
      after() {
        for (const span of spans) span.end();
        spans = [];
      },
    };
  };
  rows.push({ name: '5 setAttribute calls', chunk: 256, ours: attributeRow(ours.sampled), otel: attributeRow(otel.sampled) });
}

{
  const ourParent = ours.sampled.startSpan('parent');
  const otelParentContext = api.trace.setSpan(api.context.active(), otel.sampled.startSpan('parent'));
  rows.push({
    name: 'context lookup (currentSpan)',
    chunk: 20_000,
    ours: {
      run: (n) =>
        ours.sampled.withSpan(ourParent, () => {
          const tracer = ours.sampled;
          let s = 0;
          for (let i = 0; i < n; i++) s += tracer.currentSpan() === undefined ? 0 : 1;
          return s;
        }),
    },
    otel: {
      run: (n) =>
        api.context.with(otelParentContext, () => {
          const trace = api.trace;
          let s = 0;
          for (let i = 0; i < n; i++) s += trace.getActiveSpan() === undefined ? 0 : 1;
          return s;
        }),
    },
  });
}

if (ours.propagator !== undefined) {
  // Extract: incoming headers to a context. Inject: the active span (child of the incoming
  // one, so it carries a tracestate) into a fresh outgoing headers object.
  const ourServerContext = ours.sampled.extractContext(INCOMING);
  const ourServerSpan = ours.sampled.startSpan('server', { parent: ourServerContext.remote });
  const otelIncoming = api.propagation.extract(api.ROOT_CONTEXT, INCOMING);
  const otelServerSpan = otel.sampled.startSpan('server', {}, otelIncoming);
  const otelServerContext = api.trace.setSpan(otelIncoming, otelServerSpan);
  rows.push({
    name: 'traceparent+tracestate extract',
    goal: { ns: 80 },
    chunk: 2_000,
    ours: {
      run(n) {
        const tracer = ours.sampled;
        let s = 0;
        for (let i = 0; i < n; i++) s += tracer.extractContext(INCOMING).remote === undefined ? 0 : 1;
        return s;
      },
    },
    otel: {
      run(n) {
        const propagation = api.propagation;
        const root = api.ROOT_CONTEXT;
        let s = 0;
        for (let i = 0; i < n; i++) s += propagation.extract(root, INCOMING) === root ? 0 : 1;
        return s;
      },
    },
  });
  rows.push({
    name: 'traceparent+tracestate inject',
    goal: { ns: 60 },
    chunk: 2_000,
    ours: {
      run: (n) =>
        ours.sampled.withSpan(ourServerSpan, () => {
          const tracer = ours.sampled;
          let s = 0;
          for (let i = 0; i < n; i++) {
            const headers = {};
            tracer.inject(headers);
            s += headers.traceparent.length;
          }
          return s;
        }),
    },
    otel: {
      run: (n) =>
        api.context.with(otelServerContext, () => {
          const { propagation, context } = api;
          let s = 0;
          for (let i = 0; i < n; i++) {
            const headers = {};
            propagation.inject(context.active(), headers);
            s += headers.traceparent.length;
          }
          return s;
        }),
    },
  });
} else {
  rows.push({ name: 'traceparent+tracestate extract', pending: 'lib/propagation not built yet' });
  rows.push({ name: 'traceparent+tracestate inject', pending: 'lib/propagation not built yet' });
}

const startEnd = (tracer) => ({
  run(n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const span = tracer.startSpan('GET /orders/:id');
      span.end();
      s += span.isRecording() ? 1 : 0;
    }
    return s;
  },
});
rows.push({
  name: 'span start+end, disabled',
  goal: { ns: 10 },
  chunk: 100_000,
  ours: startEnd(ours.disabled),
  otel: startEnd(otel.disabled),
});
rows.push({
  name: 'span start+end, not sampled',
  chunk: 5_000,
  ours: startEnd(ours.unsampled),
  otel: startEnd(otel.unsampled),
});

// ---------------------------------------------------------------------------------------
// The realistic figure: a 1 ms async workload (three 1/3 ms stretches of work separated by
// an I/O-like hop through setImmediate and a promise hop), unwrapped versus wrapped in
// startActiveSpan. The work is a busy wait on the clock, so it lasts the same whatever runs
// around it and what differs between the variants is the tracing overhead (plus noise).
// After a long warm-up the variants alternate op by op (their order rotating every round)
// and every op is timed on its own; the overhead is the difference of the per-op medians,
// which a preemption by another process (this machine is shared) only moves if it hits
// most ops. GC runs when it would in an application and is part of every variant's time.
const hr = process.hrtime.bigint;
const STRETCH = 330_000n;
function busy(ns) {
  const end = hr() + ns;
  let x = 0;
  while (hr() < end) x++;
  return x;
}
const hop = () => new Promise((resolve) => setImmediate(resolve));
async function workload() {
  let x = busy(STRETCH);
  await hop();
  x += busy(STRETCH);
  await Promise.resolve();
  x += busy(STRETCH);
  return x;
}
const workloadVariants = {
  unwrapped: () => workload(),
  ours: () => ours.sampled.startActiveSpan('work', () => workload()),
  otel: () =>
    otel.sampled.startActiveSpan('work', async (span) => {
      try {
        return await workload();
      } finally {
        span.end();
      }
    }),
};

async function measureWorkload() {
  const labels = Object.keys(workloadVariants);
  const rounds = quick ? 300 : 1500;
  const warmupEnd = performance.now() + (quick ? 500 : 2500);
  while (performance.now() < warmupEnd) for (const label of labels) consume(await workloadVariants[label]());
  const times = Object.fromEntries(labels.map((l) => [l, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < labels.length; i++) {
      const label = labels[(i + round) % labels.length];
      const variant = workloadVariants[label];
      const start = hr();
      consume(await variant());
      times[label].push(Number(hr() - start));
    }
  }
  const base = median(times.unwrapped);
  const overhead = (label) => {
    const ns = median(times[label]) - base;
    return { pct: (ns / base) * 100, us: ns / 1e3 };
  };
  return { unwrappedMs: base / 1e6, ours: overhead('ours'), otel: overhead('otel'), rounds };
}

// ---------------------------------------------------------------------------------------
const only = process.env.BENCH_ROWS ? new RegExp(process.env.BENCH_ROWS) : undefined;
const table = [['operation', 'nestjs-tracing ns/op', 'OTel SDK ns/op', 'ratio (OTel/ours)', 'goal', 'met']];
const details = [];
for (const row of rows) {
  if (only && !only.test(row.name)) continue;
  if (row.pending) {
    table.push([row.name, 'pending', '', '', goalText(row), '']);
    details.push(`${row.name}: pending (${row.pending})`);
    continue;
  }
  const result = await measure(
    { ours: row.ours, otel: row.otel },
    { chunk: row.chunk, samples: SAMPLES, warmupMs: WARMUP_MS, sampleMs: SAMPLE_MS },
  );
  const ratio = result.otel.ns / result.ours.ns;
  const met = ratio >= 3 && (row.goal?.ns === undefined || result.ours.ns < row.goal.ns);
  table.push([row.name, formatNs(result.ours.ns), formatNs(result.otel.ns), `${ratio.toFixed(1)}x`, goalText(row), met ? 'yes' : 'NO']);
  const spread = (r) => `${formatNs(r.min)} / ${formatNs(r.p25)} / ${formatNs(r.p75)} / ${formatNs(r.max)}`;
  details.push(`${row.name}: ours ${spread(result.ours)} ns, OTel ${spread(result.otel)} ns`);
}

function goalText(row) {
  return row.goal?.ns !== undefined ? `≥3x, <${row.goal.ns} ns` : '≥3x';
}

let work;
if (!only || only.test('workload')) {
  work = await measureWorkload();
  const met = work.ours.pct < 0.05 && work.otel.pct / Math.max(work.ours.pct, 1e-9) >= 3;
  table.push([
    `1 ms async workload in startActiveSpan: overhead`,
    `${work.ours.pct >= 0 ? '+' : ''}${work.ours.pct.toFixed(3)}% (${work.ours.us.toFixed(2)} µs)`,
    `${work.otel.pct >= 0 ? '+' : ''}${work.otel.pct.toFixed(3)}% (${work.otel.us.toFixed(2)} µs)`,
    work.ours.pct > 0 ? `${(work.otel.pct / work.ours.pct).toFixed(1)}x` : 'n/a',
    '<0.05%',
    met ? 'yes' : 'NO',
  ]);
  details.push(
    `1 ms workload: unwrapped ${work.unwrappedMs.toFixed(4)} ms/op (median); ${work.rounds} ops per variant, alternating; ` +
      `overhead = (median wrapped - median unwrapped) / median unwrapped`,
  );
}

console.log(`### Core: nestjs-tracing vs OpenTelemetry JS SDK 2.x\n`);
console.log(`Our processor: ${ours.processorName}; OTel: BatchSpanProcessor; both exporters discard.\n`);
console.log(markdownTable(table));
console.log('');
console.log(`Spread over ${SAMPLES} samples per variant (min / p25 / p75 / max):`);
for (const line of details) console.log(`- ${line}`);
console.log('');
