import { spawn } from 'node:child_process';
import { join } from 'node:path';

// An app whose collector cannot be reached must still end promptly: the processor's timer,
// the retry waits and the keep-alive sockets never hold the event loop open.
function run(mode: 'idle' | 'shutdown', fixture = 'no-collector-app.ts'): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'fixtures/run-ts.cjs'), join(__dirname, 'fixtures', fixture), mode], {
      cwd: join(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('an app with tracing and no reachable collector', () => {
  it('exits by itself once its work is done', async () => {
    const result = await run('idle');
    expect(result.stdout).toContain('spans ended');
    expect(result.code).toBe(0);
    // 30 s would mean the export timeout held the process; the bound leaves room for a slow machine
    expect(result.ms).toBeLessThan(10000);
  });

  it('finishes tracer.shutdown() within its deadline and exits, counting the spans it could not deliver', async () => {
    const result = await run('shutdown');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('shutdown done, dropped 25');
    expect(result.stderr).toMatch(/25 spans were dropped in total/);
    expect(result.ms).toBeLessThan(10000);
  });

  it('exits right after the shutdown deadline even when the exporter never settles', async () => {
    const result = await run('shutdown', 'stuck-exporter-app.ts');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/shutdown after \d+ ms, dropped 3/);
    expect(result.ms).toBeLessThan(10000); // the export timeout is 60 s
  });
});
