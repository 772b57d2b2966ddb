// Runs every bench/*.bench.mjs file in sequence, each in its own node process (so one
// bench's JIT state and garbage do not pollute another), with --expose-gc so the harness can
// collect between samples. Prints the environment once, then each bench's tables.
// `npm run bench` builds the library first; the benches import the built dist/.
// Pass file-name filters to run a subset: `node bench/run.mjs core`.
// BENCH_NICE=-10 (needs root) raises the benches' scheduling priority on a shared machine, so
// other processes preempt them less; BENCH_QUICK=1 makes every bench shorter and rougher.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, getPriority, loadavg, setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { versions } from './subjects.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

function cpuModel() {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/);
    if (info) return info[1].trim();
  } catch {}
  return cpus()[0]?.model ?? 'unknown';
}

let priority = 'default';
if (process.env.BENCH_NICE !== undefined) {
  try {
    setPriority(0, Number(process.env.BENCH_NICE)); // inherited by the bench processes
    priority = `nice ${getPriority(0)}`;
  } catch (error) {
    priority = `default (BENCH_NICE=${process.env.BENCH_NICE} refused: ${error.code ?? error.message})`;
  }
}

console.log(`## nestjs-tracing benchmarks\n`);
console.log(`- date: ${new Date().toISOString()}`);
console.log(`- node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs: ${cpuModel()}`);
console.log(`- ${Object.entries(versions()).map(([k, v]) => `${k} ${v}`).join(', ')}`);
console.log(`- load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; priority: ${priority}`);
console.log('');

let failed = 0;
const started = Date.now();
for (const file of files) {
  const t0 = Date.now();
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, file)], { stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    failed++;
    console.log(`\n**${file} failed** (exit ${result.status ?? result.signal})\n`);
  }
  console.log(`_${file}: ${((Date.now() - t0) / 1000).toFixed(1)} s_\n`);
}
console.log(`_total: ${((Date.now() - started) / 1000).toFixed(1)} s_`);
process.exitCode = failed ? 1 : 0;
