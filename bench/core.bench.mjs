// Our tracer core versus the OpenTelemetry JS SDK 2.x, in the same process and run, on the
// same operations. Prints a markdown table (ns/op for both and the ratio theirs/ours) and
// the overhead of tracing a 1 ms async workload. Run through `npm run bench` (which builds
// first and starts node with --expose-gc), or alone: `node --expose-gc bench/core.bench.mjs`.
// Set BENCH_QUICK=1 for a fast, rougher run.
import { consume, formatNs, markdownTable, measure, median } from './harness.mjs';
import { loadOtel, loadOurs } from './subjects.mjs';

const quick = process.env.BENCH_QUICK === '1';
const SAMPLES = quick ? 9 : 101;
const WARMUP_MS = quick ? 150 : 600;
const SAMPLE_MS = quick ? 5 : 3;

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
  // Each variant has its own loop code (not one shared helper), so that V8's inline caches in
  // one library's loop never see the other library's classes.
  let ourSpans = [];
  let otelSpans = [];
  rows.push({
    name: '5 setAttribute calls',
    chunk: 256,
    ours: {
      before(n) {
        ourSpans = new Array(n);
        for (let i = 0; i < n; i++) ourSpans[i] = ours.sampled.startSpan('GET /orders/:id');
      },
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const span = ourSpans[i];
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
        for (const span of ourSpans) span.end();
        ourSpans = [];
      },
    },
    otel: {
      before(n) {
        otelSpans = new Array(n);
        for (let i = 0; i < n; i++) otelSpans[i] = otel.sampled.startSpan('GET /orders/:id');
      },
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const span = otelSpans[i];
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
        for (const span of otelSpans) span.end();
        otelSpans = [];
      },
    },
  });
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

rows.push({
  name: 'span start+end, disabled',
  goal: { ns: 10 },
  chunk: 100_000,
  ours: {
    run(n) {
      const tracer = ours.disabled;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const span = tracer.startSpan('GET /orders/:id');
        span.end();
        s += span.isRecording() ? 1 : 0;
      }
      return s;
    },
  },
  otel: {
    run(n) {
      const tracer = otel.disabled;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const span = tracer.startSpan('GET /orders/:id');
        span.end();
        s += span.isRecording() ? 1 : 0;
      }
      return s;
    },
  },
});
rows.push({
  name: 'span start+end, not sampled',
  chunk: 5_000,
  ours: {
    run(n) {
      const tracer = ours.unsampled;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const span = tracer.startSpan('GET /orders/:id');
        span.end();
        s += span.isRecording() ? 1 : 0;
      }
      return s;
    },
  },
  otel: {
    run(n) {
      const tracer = otel.unsampled;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const span = tracer.startSpan('GET /orders/:id');
        span.end();
        s += span.isRecording() ? 1 : 0;
      }
      return s;
    },
  },
});

// ---------------------------------------------------------------------------------------
// The realistic figure: a 1 ms async workload (three stretches of CPU work separated by an
// I/O-like hop through setImmediate and a promise hop), unwrapped versus wrapped in
// startActiveSpan. The work is a fixed xorshift loop calibrated to ~1/3 ms per stretch; it
// allocates nothing, so any garbage-collection time is the tracer's own. After a long
// warm-up the variants alternate op by op, in a fresh random order every round (so no
// variant always follows the same one), and every op is timed on its own. The overhead is
// the difference of the per-op medians: a preemption by another process (this machine is
// shared) only moves a median if it hits most ops. `AsyncLocalStorage.run` alone (our
// store, no span) is measured too: it is the floor for any tracer that keeps its context in
// AsyncLocalStorage, as both libraries here do.
const hr = process.hrtime.bigint;
function spin(iterations) {
  let x = 1;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x;
}
let ITERATIONS = 100_000;
function calibrate() {
  for (let k = 0; k < 8; k++) {
    const start = hr();
    consume(spin(ITERATIONS));
    ITERATIONS = Math.max(1000, Math.round((ITERATIONS * 330_000) / Number(hr() - start)));
  }
}
const hop = () => new Promise((resolve) => setImmediate(resolve));
async function workload() {
  let x = spin(ITERATIONS);
  await hop();
  x += spin(ITERATIONS);
  await Promise.resolve();
  x += spin(ITERATIONS);
  return x;
}
const workloadVariants = {
  unwrapped: () => workload(),
  als: () => ours.core.runInContext(ours.core.Context.ROOT, () => workload()),
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

function shuffled(labels) {
  const out = [...labels];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function measureWorkload() {
  const labels = Object.keys(workloadVariants);
  const rounds = quick ? 300 : 1500;
  calibrate();
  const warmupEnd = performance.now() + (quick ? 500 : 3000);
  while (performance.now() < warmupEnd) for (const label of labels) consume(await workloadVariants[label]());
  calibrate();
  // Per round, every variant runs once (random order, all within a few ms); a wrapped op is
  // compared with the unwrapped op of the same round, so slow drifts of the machine's speed
  // (other tenants, frequency) cancel out. Rounds in which another process held the CPU
  // during one of the two ops (process CPU time < 90% of the op's wall time) are left out.
  const diffs = Object.fromEntries(labels.map((l) => [l, []]));
  const base = [];
  for (let round = 0; round < rounds; round++) {
    const got = {};
    for (const label of shuffled(labels)) {
      const variant = workloadVariants[label];
      const cpu0 = process.cpuUsage();
      const start = hr();
      consume(await variant());
      const ns = Number(hr() - start);
      const cpu = process.cpuUsage(cpu0);
      got[label] = { ns, clean: (cpu.user + cpu.system) * 1e3 >= 0.9 * ns };
    }
    if (got.unwrapped.clean) base.push(got.unwrapped.ns);
    for (const label of labels) {
      if (label !== 'unwrapped' && got.unwrapped.clean && got[label].clean) diffs[label].push(got[label].ns - got.unwrapped.ns);
    }
  }
  const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.floor(q * values.length)];
  const baseNs = median(base);
  const overhead = (label) => {
    const ns = median(diffs[label]);
    return {
      pct: (ns / baseNs) * 100,
      us: ns / 1e3,
      p25us: quantile(diffs[label], 0.25) / 1e3,
      p75us: quantile(diffs[label], 0.75) / 1e3,
      pairs: diffs[label].length,
    };
  };
  return { unwrappedMs: baseNs / 1e6, als: overhead('als'), ours: overhead('ours'), otel: overhead('otel'), rounds };
}

// The same wrapping measured as CPU time, which neither preemption nor waiting moves: a short
// async workload (three ~1 µs stretches around the same two hops) runs back to back in
// blocks of 2000 calls per variant, variants in random order, and the process CPU time
// (user + system, so GC and async_hooks work count) per call is compared with the unwrapped
// variant's. The difference is what one traced async call costs the application, whatever
// the length of the work inside; it is also given as a share of 1 ms of work.
async function shortWorkload() {
  let x = spin(300);
  await hop();
  x += spin(300);
  await Promise.resolve();
  x += spin(300);
  return x;
}
const cpuVariants = {
  unwrapped: () => shortWorkload(),
  als: () => ours.core.runInContext(ours.core.Context.ROOT, () => shortWorkload()),
  ours: () => ours.sampled.startActiveSpan('work', () => shortWorkload()),
  otel: () =>
    otel.sampled.startActiveSpan('work', async (span) => {
      try {
        return await shortWorkload();
      } finally {
        span.end();
      }
    }),
};

async function measureCpuPerCall() {
  const labels = Object.keys(cpuVariants);
  const block = 2000;
  const blocks = quick ? 10 : 60;
  const warmupEnd = performance.now() + (quick ? 300 : 1500);
  while (performance.now() < warmupEnd) for (const label of labels) for (let i = 0; i < 100; i++) consume(await cpuVariants[label]());
  const cpu = Object.fromEntries(labels.map((l) => [l, []]));
  for (let b = 0; b < blocks; b++) {
    for (const label of shuffled(labels)) {
      const variant = cpuVariants[label];
      const start = process.cpuUsage();
      for (let i = 0; i < block; i++) consume(await variant());
      const used = process.cpuUsage(start);
      cpu[label].push(((used.user + used.system) * 1e3) / block);
    }
  }
  const base = median(cpu.unwrapped);
  const extra = (label) => median(cpu[label]) - base;
  return { baseNs: base, als: extra('als'), ours: extra('ours'), otel: extra('otel'), blocks, block };
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
  const spread = (r) =>
    `${formatNs(r.min)} / ${formatNs(r.p25)} / ${formatNs(r.p75)} / ${formatNs(r.max)} (${r.clean}/${r.samples} clean)`;
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
  const range = (o) => `${o.p25us.toFixed(2)} / ${o.p75us.toFixed(2)} µs over ${o.pairs} pairs`;
  details.push(
    `1 ms workload: unwrapped ${work.unwrappedMs.toFixed(4)} ms/op (median); ${work.rounds} rounds, each running every variant once ` +
      `in random order; overhead = median over rounds of (wrapped op - unwrapped op of the same round), rounds with a ` +
      `preempted op left out. Paired differences p25 / p75: ours ${range(work.ours)}, OTel ${range(work.otel)}. ` +
      `AsyncLocalStorage.run alone (our store, no span): ${work.als.pct >= 0 ? '+' : ''}${work.als.pct.toFixed(3)}% ` +
      `(${work.als.us.toFixed(2)} µs; p25 / p75 ${range(work.als)})`,
  );
}

if (!only || only.test('cpu')) {
  const cpu = await measureCpuPerCall();
  const pct = (ns) => `${ns >= 0 ? '+' : ''}${((ns / 1e6) * 100).toFixed(3)}% of 1 ms (${formatNs(ns)} ns)`;
  table.push([
    'traced async call: CPU time over unwrapped',
    pct(cpu.ours),
    pct(cpu.otel),
    cpu.ours > 0 ? `${(cpu.otel / cpu.ours).toFixed(1)}x` : 'n/a',
    '<0.05% of 1 ms',
    cpu.ours < 500 && cpu.otel / cpu.ours >= 3 ? 'yes' : 'NO',
  ]);
  details.push(
    `traced async call CPU: median over ${cpu.blocks} blocks of ${cpu.block} calls per variant (random order) of process CPU ` +
      `time per call, minus the unwrapped call's (${formatNs(cpu.baseNs)} ns); AsyncLocalStorage.run alone ${pct(cpu.als)}`,
  );
}

console.log(`### Core: nestjs-tracing vs OpenTelemetry JS SDK 2.x\n`);
console.log(`Our processor: ${ours.processorName}; OTel: BatchSpanProcessor; both exporters discard.\n`);
console.log(markdownTable(table));
console.log('');
console.log(
  `Spread over the samples each median was taken from (min / p25 / p75 / max; clean = samples during which ` +
    `no other process took more than a tenth of the CPU time — the median uses only those when there are enough):`,
);
for (const line of details) console.log(`- ${line}`);
console.log('');
