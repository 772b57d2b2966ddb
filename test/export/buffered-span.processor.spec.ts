import { isTracingSuppressed } from '../../lib/core/context.js';
import { AlwaysOffSampler, ParentBasedSampler } from '../../lib/core/sampler.js';
import { Tracer } from '../../lib/core/tracer.js';
import type { FinishedSpan, SpanExporter } from '../../lib/core/types.js';
import { BufferedSpanProcessor } from '../../lib/export/buffered-span.processor.js';
import { InMemorySpanExporter } from '../../lib/export/in-memory-span.exporter.js';
import { OtlpHttpSpanExporter } from '../../lib/export/otlp/otlp-http.exporter.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { burst, captureDiag, tracerWith } from './export-test-kit.js';

/** An exporter whose exports finish only when the test says so. */
class GatedExporter implements SpanExporter {
  readonly batches: FinishedSpan[][] = [];
  readonly suppressed: boolean[] = [];
  private gates: Array<() => void> = [];
  export(spans: readonly FinishedSpan[]): Promise<void> {
    this.batches.push([...spans]);
    this.suppressed.push(isTracingSuppressed());
    return new Promise((resolve) => this.gates.push(resolve));
  }
  open(): void {
    for (const g of this.gates.splice(0)) g();
  }
  get waiting(): number {
    return this.gates.length;
  }
}

describe('BufferedSpanProcessor', () => {
  let log: ReturnType<typeof captureDiag>;
  beforeEach(() => {
    log = captureDiag();
  });
  afterEach(() => log.restore());

  it('exports a full batch at once and the rest after the scheduled delay', async () => {
    const exporter = new InMemorySpanExporter();
    const { tracer } = tracerWith(exporter, { maxExportBatchSize: 4, scheduledDelayMillis: 50 });
    burst(tracer, 4);
    expect(exporter.getFinishedSpans()).toHaveLength(0); // not inside span.end(): off the request path
    await new Promise((r) => setImmediate(r));
    expect(exporter.getFinishedSpans()).toHaveLength(4); // batch full: no waiting for the timer
    burst(tracer, 2);
    expect(exporter.getFinishedSpans()).toHaveLength(4);
    await new Promise((r) => setTimeout(r, 120));
    expect(exporter.getFinishedSpans()).toHaveLength(6);
    await tracer.shutdown();
  });

  it('exports only sampled spans', async () => {
    const exporter = new InMemorySpanExporter();
    const processor = new BufferedSpanProcessor(exporter);
    const sampled = new Tracer({ processor });
    const unsampled = new Tracer({ processor, sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) });
    sampled.startSpan('kept').end();
    unsampled.startSpan('not sampled').end();
    // a recorded-but-unsampled span (RECORD decision) reaches onEnd and must be skipped
    const recordOnly = new Tracer({
      processor,
      sampler: { shouldSample: () => ({ decision: 1 }), toString: () => 'RecordOnly' },
    });
    recordOnly.startSpan('recorded only').end();
    await processor.forceFlush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['kept']);
    await processor.shutdown();
  });

  it('keeps at most maxConcurrentExports exports in flight', async () => {
    const exporter = new GatedExporter();
    const { tracer } = tracerWith(exporter, { maxExportBatchSize: 2, maxQueueSize: 100, maxConcurrentExports: 2 });
    burst(tracer, 10);
    await new Promise((r) => setImmediate(r));
    expect(exporter.waiting).toBe(2);
    exporter.open();
    await new Promise((r) => setTimeout(r, 10));
    expect(exporter.batches).toHaveLength(4);
    const flushed = tracer.forceFlush();
    for (let i = 0; i < 5; i++) {
      exporter.open();
      await new Promise((r) => setTimeout(r, 5));
    }
    await flushed;
    expect(exporter.batches.flat()).toHaveLength(10);
    expect(exporter.suppressed.every(Boolean)).toBe(true);
    await tracer.shutdown();
  });

  it('forceFlush exports everything queued and resolves when it is delivered', async () => {
    const exporter = new InMemorySpanExporter();
    const { tracer } = tracerWith(exporter, { maxExportBatchSize: 3, scheduledDelayMillis: 60000 });
    burst(tracer, 7);
    await tracer.forceFlush();
    expect(exporter.getFinishedSpans()).toHaveLength(7);
    await tracer.shutdown();
  });

  it('runs shutdown once, returns the same promise, and ignores spans afterwards', async () => {
    const exporter = new InMemorySpanExporter();
    const processor = new BufferedSpanProcessor(exporter, { scheduledDelayMillis: 60000 });
    const tracer = new Tracer({ processor });
    burst(tracer, 3);
    const first = processor.shutdown();
    expect(processor.shutdown()).toBe(first);
    await first;
    expect(exporter.getFinishedSpans()).toHaveLength(3);
    expect(exporter.isShutdown).toBe(true);
    // a span of another tracer sharing the processor, after shutdown
    new Tracer({ processor }).startSpan('late').end();
    await processor.forceFlush();
    expect(exporter.getFinishedSpans()).toHaveLength(3);
  });

  it('abandons a hanging export at the shutdown deadline and counts its spans as dropped', async () => {
    const rx = await OtlpReceiver.start();
    rx.respondWith(['hang']);
    const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url });
    const processor = new BufferedSpanProcessor(exporter, { maxExportBatchSize: 4, shutdownTimeoutMillis: 200 });
    const tracer = new Tracer({ processor });
    burst(tracer, 4); // leaves at once and hangs
    burst(tracer, 2); // waits in the queue
    await rx.waitForRequests(1);
    await processor.shutdown();
    expect(processor.droppedSpansCount).toBe(6);
    expect(log.messages.join('\n')).toMatch(/shutdown deadline \(200 ms\) reached; 6 spans/);
    expect(log.messages.join('\n')).toContain('6 spans were dropped in total');
    await rx.close();
  });

  it('takes the deadline from shutdown(deadlineMillis) over the option', async () => {
    const exporter = new GatedExporter();
    const processor = new BufferedSpanProcessor(exporter, { maxExportBatchSize: 1, shutdownTimeoutMillis: 60000 });
    new Tracer({ processor }).startSpan('stuck').end();
    await processor.shutdown(30);
    expect(processor.droppedSpansCount).toBe(1);
  });

  it('never throws into the app when the exporter throws synchronously', async () => {
    const processor = new BufferedSpanProcessor(
      {
        export: () => {
          throw new Error('exporter bug');
        },
      },
      { maxExportBatchSize: 1 },
    );
    const tracer = new Tracer({ processor });
    expect(() => burst(tracer, 2)).not.toThrow();
    await expect(processor.forceFlush()).resolves.toBeUndefined();
    expect(processor.droppedSpansCount).toBe(2);
    await expect(processor.shutdown()).resolves.toBeUndefined();
  });

  it('clamps a batch size larger than the queue with a warning', () => {
    const processor = new BufferedSpanProcessor(new InMemorySpanExporter(), { maxQueueSize: 5, maxExportBatchSize: 50 });
    expect(log.messages).toHaveLength(1);
    expect(log.messages[0]).toContain('maxExportBatchSize (50)');
    void processor.shutdown();
  });
});

describe('BufferedSpanProcessor shutdown with a stuck exporter shutdown', () => {
  it('resolves by its deadline even when exporter.shutdown() never settles', async () => {
    const processor = new BufferedSpanProcessor({ export: () => Promise.resolve(), shutdown: () => new Promise<void>(() => {}) }, { shutdownTimeoutMillis: 50 });
    new Tracer({ processor }).startSpan('s').end();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([processor.shutdown().then(() => 'done'), new Promise((r) => (timer = setTimeout(() => r('stuck'), 5000)))]);
    clearTimeout(timer);
    expect(outcome).toBe('done');
    expect(processor.droppedSpansCount).toBe(0); // the span itself was delivered
  });
});
