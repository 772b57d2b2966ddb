import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Controller, Get } from '@nestjs/common';
import request from 'supertest';
import { SpanKind, type FinishedSpan, type SpanExporter } from 'nestjs-tracing';
import { PLATFORMS, startHttpApp } from '../support/http-apps';
import { TracingModule } from 'nestjs-tracing';

@Controller()
class PingController {
  @Get('ping')
  ping() {
    return { ok: true };
  }
}

class SlowExporter implements SpanExporter {
  readonly exported: FinishedSpan[] = [];
  constructor(private readonly delayMillis: number) {}
  async export(spans: readonly FinishedSpan[]): Promise<void> {
    await new Promise((r) => setTimeout(r, this.delayMillis));
    this.exported.push(...spans);
  }
}

class StuckExporter implements SpanExporter {
  calls = 0;
  export(): Promise<void> {
    this.calls++;
    return new Promise(() => {});
  }
}

describe.each(PLATFORMS)('shutdown (%s)', (platform) => {
  it('app.close() waits for the buffered spans to be exported', async () => {
    const exporter = new SlowExporter(50);
    const { app, url } = await startHttpApp(platform, {
      imports: [TracingModule.forRoot({ exporter, processor: { scheduledDelayMillis: 60_000 } })],
      controllers: [PingController],
    });
    for (let i = 0; i < 5; i++) await request(url).get('/ping').expect(200);
    expect(exporter.exported).toHaveLength(0);
    await app.close();
    expect(exporter.exported.filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(5);
  });

  it('app.close() gives up on a stuck export after shutdownTimeoutMillis', async () => {
    const exporter = new StuckExporter();
    const { app, url } = await startHttpApp(platform, {
      imports: [TracingModule.forRoot({ exporter, shutdownTimeoutMillis: 100, processor: { scheduledDelayMillis: 60_000 } })],
      controllers: [PingController],
    });
    await request(url).get('/ping').expect(200);
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise((r) => (timer = setTimeout(() => r('hung'), 10_000)));
    const closed = await Promise.race([app.close().then(() => 'closed'), hung]);
    clearTimeout(timer);
    expect(closed).toBe('closed');
    expect(exporter.calls).toBe(1);
  });
});

describe('SIGTERM with app.enableShutdownHooks()', () => {
  it('exports every finished span before the process exits', async () => {
    const child = spawn(process.execPath, ['-r', join(__dirname, '../support/ts-register.cjs'), join(__dirname, '../support/shutdown-child.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OTEL_SDK_DISABLED: '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          const match = /PORT (\d+)/.exec(out);
          if (match) {
            clearInterval(timer);
            resolve(Number(match[1]));
          }
        }, 20);
        child.once('exit', () => {
          clearInterval(timer);
          reject(new Error(`child exited before listening: ${err}`));
        });
      });
      const traceIds = [];
      for (let i = 0; i < 20; i++) {
        const traceId = (i + 1).toString(16).padStart(32, 'c');
        traceIds.push(traceId);
        await request(`http://127.0.0.1:${port}`).get(`/ping/${i}`).set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`).expect(200);
      }
      expect(out).not.toContain('SPAN');
      // the child runs on the same NestJS as the suite (NEST_MODULES_DIR: the NestJS 11 pass)
      const nest = /NEST (.*)/.exec(out)?.[1] ?? '';
      if (process.env.NEST_MODULES_DIR) expect(nest.startsWith(process.env.NEST_MODULES_DIR)).toBe(true);
      child.kill('SIGTERM');
      await exited;
      const exported = out.split('\n').filter((l) => l.startsWith('SPAN GET /ping/:n '));
      expect(new Set(exported.map((l) => l.split(' ')[3]))).toEqual(new Set(traceIds));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
