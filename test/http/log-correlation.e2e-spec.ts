import { Controller, Get, Logger, type LoggerService } from '@nestjs/common';
import request from 'supertest';
import { Tracer, TracingLogger, TracingLoggerService, pinoTraceMixin } from 'nestjs-tracing';
import { InMemorySpanExporter, TracingTestingModule, waitForSpans } from 'nestjs-tracing/testing';
import { startHttpApp } from '../support/http-apps';

function captureStdout(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  return { lines, restore: () => (process.stdout.write = write) };
}

@Controller()
class LoggingController {
  private readonly logger = new Logger('Orders');
  @Get('log')
  log() {
    this.logger.log('handling order');
    return {};
  }
}

describe('log correlation', () => {
  it('TracingLogger prefixes lines inside a request with the trace and span ids, and not outside', async () => {
    const exporter = new InMemorySpanExporter();
    const { app, url } = await startHttpApp('express', {
      imports: [TracingTestingModule.forRoot({ exporter })],
      controllers: [LoggingController],
    });
    app.useLogger(new TracingLogger());
    const out = captureStdout();
    try {
      await request(url).get('/log').expect(200);
      new Logger('Outside').log('no trace here');
    } finally {
      out.restore();
    }
    const [server] = await waitForSpans(exporter, 1);
    const { traceId, spanId } = server.spanContext();
    const inside = out.lines.find((l) => l.includes('handling order'))!;
    expect(inside).toContain(`trace_id=${traceId} span_id=${spanId}`);
    const outside = out.lines.find((l) => l.includes('no trace here'))!;
    expect(outside).not.toContain('trace_id=');
    await app.close();
  });

  it('TracingLogger in JSON mode adds trace_id, span_id and trace_flags fields', async () => {
    const tracer = new Tracer({ serviceName: 'json' });
    const logger = new TracingLogger('Ctx', { json: true });
    const out = captureStdout();
    let ids = { traceId: '', spanId: '' };
    try {
      tracer.startActiveSpan('op', (span) => {
        ids = span.spanContext();
        logger.log('inside');
      });
    } finally {
      out.restore();
    }
    const record = JSON.parse(out.lines.find((l) => l.includes('inside'))!);
    expect(record).toMatchObject({ message: 'inside', trace_id: ids.traceId, span_id: ids.spanId, trace_flags: '01' });
  });

  it('TracingLoggerService wraps any LoggerService', () => {
    const seen: unknown[][] = [];
    const inner: LoggerService = { log: (...a: unknown[]) => seen.push(a), error: () => {}, warn: () => {} };
    const logger = new TracingLoggerService(inner);
    const tracer = new Tracer();
    logger.log('outside', 'Ctx');
    let traceId = '';
    tracer.startActiveSpan('op', (span) => {
      traceId = span.spanContext().traceId;
      logger.log('inside', 'Ctx');
      logger.log({ structured: true }, 'Ctx');
    });
    expect(seen[0]).toEqual(['outside', 'Ctx']);
    expect(String(seen[1][0])).toMatch(new RegExp(`^trace_id=${traceId} span_id=[0-9a-f]{16} inside$`));
    expect(seen[2]).toEqual([{ structured: true }, 'Ctx']);
  });

  it('pinoTraceMixin() returns the active ids, {} outside a trace', () => {
    expect(pinoTraceMixin()).toEqual({});
    const tracer = new Tracer();
    tracer.startActiveSpan('op', (span) => {
      expect(pinoTraceMixin()).toEqual({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId, trace_flags: '01' });
      expect(tracer.correlationId()).toBe(`${span.spanContext().traceId.slice(0, 8)}-${span.spanContext().spanId.slice(0, 8)}`);
    });
  });
});

