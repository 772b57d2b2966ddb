import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTracingSuppressed } from '../../lib/core/context.js';
import { OtlpExportError, OtlpHttpSpanExporter } from '../../lib/export/otlp/otlp-http.exporter.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { burst, captureDiag, FAST_RETRY, tracerWith } from './export-test-kit.js';

describe('OtlpHttpSpanExporter against a loopback collector', () => {
  let rx: OtlpReceiver;
  let log: ReturnType<typeof captureDiag>;

  beforeEach(async () => {
    rx = await OtlpReceiver.start();
    log = captureDiag();
  });
  afterEach(async () => {
    log.restore();
    await rx.close();
  });

  it('posts protobuf with the content type, custom headers and gzip', async () => {
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, headers: { 'X-Api-Key': 's3cret' }, compression: 'gzip' });
    const { tracer } = tracerWith(exporter);
    const ids = burst(tracer, 3);
    await tracer.shutdown();
    const [request] = rx.requests;
    expect(request!.path).toBe('/v1/traces');
    expect(request!.contentType).toBe('application/x-protobuf');
    expect(request!.headers['x-api-key']).toBe('s3cret');
    expect(request!.headers['content-encoding']).toBe('gzip');
    expect(request!.gzip).toBe(true);
    expect(rx.spans().map((s) => s.spanId)).toEqual(ids);
    expect(log.messages).toEqual([]);
  });

  it('posts OTLP/JSON when asked', async () => {
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, protocol: 'http/json' });
    const { tracer } = tracerWith(exporter);
    const ids = burst(tracer, 2);
    await tracer.shutdown();
    expect(rx.requests[0]!.contentType).toBe('application/json');
    expect(rx.spans().map((s) => s.spanId)).toEqual(ids);
  });

  it('loses nothing when the collector answers 503 three times, then 200', async () => {
    rx.respondWith([503, 503, 503]);
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, retry: FAST_RETRY });
    const { tracer, processor } = tracerWith(exporter);
    const ids = burst(tracer, 5);
    await tracer.forceFlush();
    expect(rx.requests.map((r) => r.status)).toEqual([503, 503, 503, 200]);
    expect(rx.spans().map((s) => s.spanId)).toEqual(ids);
    expect(processor.droppedSpansCount).toBe(0);
    expect(log.messages).toEqual([]);
    await tracer.shutdown();
  });

  it('waits as long as Retry-After says on 429 (seconds)', async () => {
    rx.respondWith([{ status: 429, retryAfter: 1 }]);
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, retry: FAST_RETRY });
    const { tracer } = tracerWith(exporter);
    burst(tracer, 1);
    await tracer.forceFlush();
    const [first, second] = rx.requests;
    expect(second!.status).toBe(200);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950); // the backoff alone would be ~10 ms
    await tracer.shutdown();
  });

  it('waits until the HTTP date Retry-After gives on 503', async () => {
    const when = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000); // HTTP dates have whole seconds
    rx.respondWith([{ status: 503, retryAfter: when.toUTCString() }]);
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, retry: FAST_RETRY });
    const { tracer } = tracerWith(exporter);
    burst(tracer, 1);
    await tracer.forceFlush();
    expect(rx.requests[1]!.at).toBeGreaterThanOrEqual(when.getTime() - 50);
    expect(rx.spans()).toHaveLength(1);
    await tracer.shutdown();
  });

  it('drops the batch on 400 with one diagnostic naming the status and the collector message, without retrying', async () => {
    rx.respondWith([{ status: 400, message: 'span name must not be empty' }]);
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, retry: FAST_RETRY });
    const { tracer, processor } = tracerWith(exporter);
    burst(tracer, 4);
    await tracer.forceFlush();
    expect(rx.requests).toHaveLength(1);
    expect(processor.droppedSpansCount).toBe(4);
    expect(log.messages).toHaveLength(1);
    expect(log.messages[0]).toContain('HTTP 400');
    expect(log.messages[0]).toContain('span name must not be empty');
    await tracer.shutdown();
  });

  it('reads the JSON error body on a permanent failure', async () => {
    rx.respondWith([{ status: 401, message: 'bad token' }]);
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, protocol: 'http/json', retry: FAST_RETRY });
    await expect(exporter.export(spansFrom(1))).rejects.toBeInstanceOf(OtlpExportError);
    expect(rx.requests).toHaveLength(1);
    expect(log.messages.join('\n')).toMatch(/HTTP 401.*bad token/);
    await exporter.shutdown();
  });

  it.each(['http/protobuf', 'http/json'] as const)('reports a partial success (%s) with the rejected count and message', async (protocol) => {
    rx.respondWith([{ status: 200, partialSuccess: { rejectedSpans: 2, errorMessage: 'attributes too long' } }]);
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, protocol });
    await exporter.export(spansFrom(3));
    expect(log.messages).toHaveLength(1);
    expect(log.messages[0]).toContain('rejected 2 of 3 spans');
    expect(log.messages[0]).toContain('attributes too long');
    await exporter.shutdown();
  });

  it('retries when the collector closes the socket without answering', async () => {
    rx.respondWith(['close', 'close']);
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, retry: FAST_RETRY });
    await exporter.export(spansFrom(2));
    expect(rx.spans()).toHaveLength(2);
    expect(rx.requests).toHaveLength(3);
    await exporter.shutdown();
  });

  it('waits for a slow collector within the request timeout', async () => {
    rx.respondWith([{ status: 200, delayMillis: 150 }]);
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, timeoutMillis: 2000 });
    await exporter.export(spansFrom(2));
    expect(rx.requests.map((r) => r.status)).toEqual([200]);
    expect(rx.spans()).toHaveLength(2);
    await exporter.shutdown();
  });

  it('gives up on a hanging collector at the export timeout while the app keeps serving', async () => {
    rx.respondWith(Array(20).fill('hang'));
    const app = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, timeoutMillis: 200, retry: FAST_RETRY });
    const { tracer, processor } = tracerWith(exporter, { exportTimeoutMillis: 600, scheduledDelayMillis: 10 });
    burst(tracer, 5);
    const flushed = tracer.forceFlush();
    await rx.waitForRequests(1);
    // the app answers while the export hangs
    const answers = await Promise.all([1, 2, 3].map(() => fetch(appUrl).then((r) => r.text())));
    expect(answers).toEqual(['ok', 'ok', 'ok']);
    await flushed;
    expect(processor.droppedSpansCount).toBe(5);
    expect(log.messages.join('\n')).toMatch(/5 spans/);
    await tracer.shutdown();
    await new Promise<void>((resolve) => app.close(() => resolve()));
  });

  it('delivers what the queue kept after a connection-refused spell and counts what it dropped', async () => {
    await rx.stop();
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, retry: { initialBackoffMillis: 20, maxBackoffMillis: 50, maxAttempts: 1000 } });
    const { tracer, processor } = tracerWith(exporter, { maxQueueSize: 10, maxExportBatchSize: 5, scheduledDelayMillis: 10, exportTimeoutMillis: 20000 });
    const first = burst(tracer, 5, 'first'); // a full batch: its export starts and keeps retrying
    await new Promise((r) => setTimeout(r, 100));
    const second = burst(tracer, 15, 'second'); // 10 fit in the queue, 5 are dropped
    expect(processor.droppedSpansCount).toBe(5);
    expect(log.messages.filter((m) => m.includes('queue is full'))).toHaveLength(1);
    await rx.listen();
    await tracer.forceFlush();
    expect(rx.spans().map((s) => s.spanId)).toEqual([...first, ...second.slice(0, 10)]);
    expect(processor.droppedSpansCount).toBe(5);
    expect(log.messages.join('\n')).toContain('5 spans were dropped since the last successful export');
    await tracer.shutdown();
  });

  it('warns once while the collector stays down, then reports the dropped total when it is back', async () => {
    await rx.stop();
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, exportTimeoutMillis: 100, retry: FAST_RETRY });
    const { tracer, processor } = tracerWith(exporter, { maxExportBatchSize: 2, scheduledDelayMillis: 10 });
    for (let round = 0; round < 3; round++) {
      burst(tracer, 2, `down-${round}`);
      await tracer.forceFlush();
    }
    expect(processor.droppedSpansCount).toBe(6);
    expect(log.messages).toHaveLength(1);
    expect(log.messages[0]).toMatch(/could not deliver 2 spans .*ECONNREFUSED/);
    await rx.listen();
    const ids = burst(tracer, 2, 'back');
    await tracer.forceFlush();
    expect(rx.spans().map((s) => s.spanId)).toEqual(ids);
    expect(log.messages).toHaveLength(2);
    expect(log.messages[1]).toContain('6 spans were dropped since the last successful export');
    await tracer.shutdown();
  });

  it('drops exactly the excess of a burst that overflows the queue, and says so once', async () => {
    rx.respondWith(['hang']); // the first batch hangs until its request times out, then is retried
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, timeoutMillis: 300, retry: FAST_RETRY });
    const { tracer, processor } = tracerWith(exporter, { maxQueueSize: 50, maxExportBatchSize: 10, scheduledDelayMillis: 10 });
    const ids = burst(tracer, 200);
    // a synchronous burst: the queue takes 50 (batches leave on the next tick), 150 are dropped
    expect(processor.droppedSpansCount).toBe(150);
    await tracer.forceFlush();
    expect(new Set(rx.spans().map((s) => s.spanId))).toEqual(new Set(ids.slice(0, 50)));
    expect(log.messages.filter((m) => m.includes('queue is full'))).toHaveLength(1);
    expect(log.messages.join('\n')).toContain('150 spans were dropped since the last successful export');
    await tracer.shutdown();
  });

  it('makes its HTTP requests with tracing suppressed', async () => {
    const seen: boolean[] = [];
    const onStart = (): void => {
      seen.push(isTracingSuppressed());
    };
    subscribe('http.client.request.start', onStart);
    try {
      const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url });
      await exporter.export(spansFrom(1));
      await exporter.shutdown();
    } finally {
      unsubscribe('http.client.request.start', onStart);
    }
    expect(seen).toEqual([true]);
  });

  it('aborts an export in flight on shutdown and rejects it', async () => {
    rx.respondWith(['hang']);
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url });
    const pending = exporter.export(spansFrom(1));
    await rx.waitForRequests(1);
    await exporter.shutdown();
    await expect(pending).rejects.toBeInstanceOf(OtlpExportError);
    await expect(exporter.export(spansFrom(1))).rejects.toThrow(/shut down/);
  });
});

function spansFrom(count: number) {
  const { InMemorySpanExporter } = require('../../lib/export/in-memory-span.exporter.js');
  const { SimpleSpanProcessor } = require('../../lib/export/simple-span.processor.js');
  const { Tracer } = require('../../lib/core/tracer.js');
  const memory = new InMemorySpanExporter();
  const tracer = new Tracer({ serviceName: 'export-test', processor: new SimpleSpanProcessor(memory) });
  for (let i = 0; i < count; i++) tracer.startSpan(`s-${i}`).end();
  return memory.getFinishedSpans();
}
