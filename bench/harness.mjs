// A small, careful micro-benchmark harness shared by the bench files.
//
// How a row is measured:
// - each variant is a function `run(n)` that performs n operations in its own loop (so the
//   hot call sites inside it stay monomorphic) and returns something derived from every
//   operation, which the harness consumes (a global sink), so nothing can be dead-code
//   eliminated;
// - a variant may have `before(n)` / `after()` hooks that run untimed around every chunk
//   (e.g. to create the spans that a timed chunk then sets attributes on);
// - the clock is process.hrtime.bigint(), read once per chunk; between chunks the harness
//   yields to the event loop (setImmediate), so batching processors can drain their buffers
//   the way they do in a real application instead of filling up and dropping;
// - warm-up first (every variant, alternating, until warmupMs passed), which also calibrates
//   how many operations fill one sample of about sampleMs;
// - a full GC (when node runs with --expose-gc) before the warm-up of every row, so a row
//   does not pay for the garbage of the one before; not between samples: a forced full GC
//   shrinks the young generation, and the next sample then pays for scavenges that a running
//   application does not (measured here: 4-6x slower buffered span start+end for a while);
// - then `samples` samples per variant, the variants alternating and their order rotating
//   each round, so both sides see the same machine state and collect similar garbage;
// - the result is the median ns/op over the samples (and the spread: min and max).

import { setImmediate as tick } from 'node:timers/promises';

const hr = process.hrtime.bigint;
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};

let sinkValue = 0;
/** Consumes a value so that the work producing it cannot be optimised away. */
export function consume(value) {
  if (typeof value === 'number') sinkValue = (sinkValue + value) | 0;
  else if (value !== undefined && value !== null) sinkValue ^= 1;
  globalThis.__benchSink = sinkValue;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `total` operations of a variant in chunks. Returns the timed nanoseconds and whether
 * the process kept the CPU: wall time and process CPU time over the whole sample (yields
 * included) are compared, and a sample during which another process held the CPU for more
 * than a tenth of the time is marked preempted.
 */
async function timed(variant, total, chunk) {
  let elapsed = 0n;
  const cpu0 = process.cpuUsage();
  const wall0 = hr();
  for (let done = 0; done < total; done += chunk) {
    const n = Math.min(chunk, total - done);
    if (variant.before) variant.before(n);
    const start = hr();
    const result = variant.run(n);
    elapsed += hr() - start;
    consume(result);
    if (variant.after) variant.after();
    if (variant.yield !== false) await tick();
  }
  const wallUs = Number(hr() - wall0) / 1e3;
  const cpu = process.cpuUsage(cpu0);
  return { ns: Number(elapsed), clean: cpu.user + cpu.system >= 0.9 * wallUs };
}

/**
 * Measures the variants of one row. `variants` is `{ label: { run, before?, after?, yield? } }`.
 * Options: chunk (ops per timed chunk, default 1000), samples (default 31), warmupMs (default
 * 400), sampleMs (default 10). Returns `{ label: { ns, min, max, p25, p75, clean, samples } }`,
 * ns being the median ns/op over the samples that were not preempted (all samples when
 * fewer than a fifth were clean), `clean` how many those were. Samples are short and many
 * because this machine is shared: most of them then run without another process taking the
 * CPU, and those that do not are recognised (see `timed`) and left out.
 */
export async function measure(variants, options = {}) {
  const { chunk = 1000, samples = 31, warmupMs = 400, sampleMs = 10 } = options;
  const labels = Object.keys(variants);
  const opsPerSample = {};
  gc();
  // Warm-up and calibration: alternate the variants, growing the batch until it takes a while.
  for (const label of labels) opsPerSample[label] = chunk;
  const warmupEnd = performance.now() + warmupMs;
  while (performance.now() < warmupEnd) {
    for (const label of labels) {
      const ops = opsPerSample[label];
      const { ns } = await timed(variants[label], ops, chunk);
      const perOp = Math.max(ns / ops, 0.05);
      opsPerSample[label] = Math.max(chunk, Math.ceil((sampleMs * 1e6) / perOp / chunk) * chunk);
    }
  }
  const results = {};
  for (const label of labels) results[label] = { all: [], clean: [] };
  for (let round = 0; round < samples; round++) {
    for (let i = 0; i < labels.length; i++) {
      const label = labels[(i + round) % labels.length];
      const ops = opsPerSample[label];
      const { ns, clean } = await timed(variants[label], ops, chunk);
      results[label].all.push(ns / ops);
      if (clean) results[label].clean.push(ns / ops);
    }
  }
  const out = {};
  for (const label of labels) {
    const { all, clean } = results[label];
    const values = clean.length >= Math.max(3, samples / 5) ? clean : all;
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    out[label] = {
      ns: median(values),
      min: sorted[0],
      max: sorted[sorted.length - 1],
      p25: at(0.25),
      p75: at(0.75),
      clean: clean.length,
      samples: all.length,
    };
  }
  return out;
}

/** Formats a ns/op figure with sensible precision. */
export function formatNs(ns) {
  if (ns === undefined || Number.isNaN(ns)) return 'n/a';
  if (ns < 10) return ns.toFixed(2);
  if (ns < 100) return ns.toFixed(1);
  return ns.toFixed(0);
}

/** Prints a markdown table. `rows` is an array of arrays of cells; the first is the header. */
export function markdownTable(rows) {
  const [head, ...body] = rows;
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of body) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}
