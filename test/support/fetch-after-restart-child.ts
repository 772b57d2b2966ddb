// A child process for the "second app in one process" fetch test: a fresh Node where global
// fetch has not been used yet (so Node's bundled undici is not loaded), as in a jest worker
// between test files. App A starts and closes (the last tracer out removes the fetch hooks),
// the garbage collector runs, then app B starts and calls a downstream server with fetch
// inside a traced request. Prints one RESULT line with what app B exported and what the
// downstream server received. Run with --expose-gc.
import 'reflect-metadata';
import http from 'node:http';
import { writeSync } from 'node:fs';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SpanKind } from 'nestjs-tracing';
import { InMemorySpanExporter, TracingTestingModule, waitForSpans } from 'nestjs-tracing/testing';

const gc = (globalThis as { gc?: () => void }).gc;
let downstreamUrl = '';

@Controller()
class CallController {
  @Get('call')
  async call(): Promise<unknown> {
    return (await fetch(downstreamUrl)).json();
  }
}

async function start(exporter: InMemorySpanExporter): Promise<INestApplication> {
  @Module({ imports: [TracingTestingModule.forRoot({ exporter })], controllers: [CallController] })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function main(): Promise<void> {
  if (gc === undefined) throw new Error('run with --expose-gc');
  const downstream = http.createServer((req, res) => res.end(JSON.stringify({ traceparent: req.headers.traceparent ?? null })));
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
  downstreamUrl = `http://127.0.0.1:${(downstream.address() as { port: number }).port}/`;

  const first = await start(new InMemorySpanExporter());
  await first.close();
  // A collection between the two apps, the way a busy jest worker has one at any moment: in a
  // new task (a job keeps the objects it looked up through weak references alive until it
  // ends), and app B built right after it, before the collector's finalizers get their turn.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const exporter = new InMemorySpanExporter();
  const second = await start(exporter);
  await collectGarbage();
  const url = `http://127.0.0.1:${(second.getHttpServer().address() as { port: number }).port}/call`;
  const received = (await new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  })) as { traceparent: string | null };
  const spans = await waitForSpans(exporter, (all) => all.some((s) => s.kind === SpanKind.SERVER));
  const client = spans.find((s) => s.kind === SpanKind.CLIENT);
  const ctx = client?.spanContext();
  writeSync(1, `RESULT ${JSON.stringify({
    received: received.traceparent,
    client: ctx === undefined ? null : `00-${ctx.traceId}-${ctx.spanId}-01`,
  })}\n`);
  await second.close();
  downstream.close();
}
main().catch((error) => {
  writeSync(2, `${String(error?.stack ?? error)}\n`);
  process.exit(1);
});
