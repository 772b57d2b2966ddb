import { suppressTracing } from '../core/context.js';
import { diag } from '../core/diag.js';
import { TraceFlags } from '../core/enums.js';
import type { FinishedSpan, Span, SpanContext, SpanExporter, SpanProcessor } from '../core/types.js';
import type { ProcessorOptions } from '../config/tracing-options.js';
import { TRACING_DEFAULTS as D } from '../config/tracing-defaults.js';

/** `ProcessorOptions` plus the shutdown deadline. */
export interface BufferedSpanProcessorOptions extends ProcessorOptions {
  /** How long `shutdown()` may take to flush before abandoning what is left. Default 5000. */
  shutdownTimeoutMillis?: number;
}

interface Export {
  readonly size: number;
  readonly done: Promise<void>;
  /** Set when a deadline gave up on it: its spans were already counted as dropped. */
  abandoned: boolean;
}

function positive(value: number | undefined, fallback: number, min = 1): number {
  return typeof value === 'number' && value >= min && (Number.isInteger(value) || value === Infinity) ? value : fallback;
}

/**
 * Buffers sampled spans and exports them in batches. The queue is bounded
 * (`maxQueueSize`, default 2048); a batch (`maxExportBatchSize`, default 512) leaves
 * every `scheduledDelayMillis` (default 5000) or as soon as it is full; at most
 * `maxConcurrentExports` (default 1) exports run at once, each raced against
 * `exportTimeoutMillis` (default 30000). When the queue is full new spans are dropped,
 * counted, warned about once, and the count is reported at the next successful export and
 * at shutdown. The timer is `unref()`ed so an idle app exits by itself. `shutdown()` runs
 * once, flushes within `shutdownTimeoutMillis` (default 5000) and abandons (counting as
 * dropped) what is still pending at the deadline. Exports run with tracing suppressed.
 * Nothing here throws or rejects into the application.
 */
export class BufferedSpanProcessor implements SpanProcessor {
  private readonly maxQueueSize: number;
  private readonly maxExportBatchSize: number;
  private readonly scheduledDelayMillis: number;
  private readonly exportTimeoutMillis: number;
  private readonly maxConcurrentExports: number;
  private readonly shutdownTimeoutMillis: number;
  private queue: FinishedSpan[] = [];
  private readonly inFlight = new Set<Export>();
  /** Intervals holding the process open while a flush is awaited; released at the shutdown deadline. */
  private readonly keepAlives = new Set<NodeJS.Timeout>();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** Dropped since the last report. */
  private unreported = 0;
  private total = 0;
  private warnedFull = false;
  /** In a streak of timed-out exports (warned once per streak). */
  private timingOut = false;
  private stopped = false;
  private shutdownPromise: Promise<void> | undefined;

  constructor(
    private readonly exporter: SpanExporter,
    options: BufferedSpanProcessorOptions = {},
  ) {
    this.maxQueueSize = positive(options.maxQueueSize, D.maxQueueSize);
    let batch = positive(options.maxExportBatchSize, D.maxExportBatchSize);
    if (batch > this.maxQueueSize) {
      diag.warn(`maxExportBatchSize (${batch}) is larger than maxQueueSize (${this.maxQueueSize}); using ${this.maxQueueSize}.`);
      batch = this.maxQueueSize;
    }
    this.maxExportBatchSize = batch;
    this.scheduledDelayMillis = positive(options.scheduledDelayMillis, D.scheduledDelayMillis, 0);
    this.exportTimeoutMillis = positive(options.exportTimeoutMillis, D.exportTimeoutMillis);
    this.maxConcurrentExports = positive(options.maxConcurrentExports, D.maxConcurrentExports);
    this.shutdownTimeoutMillis = positive(options.shutdownTimeoutMillis, D.shutdownTimeoutMillis, 0);
  }

  /** Spans dropped so far (queue full, failed or abandoned exports). */
  get droppedSpansCount(): number {
    return this.total;
  }

  /** Spans waiting in the queue. */
  get queuedSpansCount(): number {
    return this.queue.length;
  }

  onStart(_span: Span, _parent: SpanContext | undefined): void {}

  onEnd(span: FinishedSpan): void {
    if (this.stopped) return;
    try {
      if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
      if (this.queue.length >= this.maxQueueSize) {
        this.drop(1);
        if (!this.warnedFull) {
          this.warnedFull = true;
          diag.warn(
            `span queue is full (maxQueueSize ${this.maxQueueSize}); new spans are dropped until the exporter catches up. ` +
              'Raise OTEL_BSP_MAX_QUEUE_SIZE or check that the collector is reachable.',
          );
        }
        return;
      }
      this.queue.push(span);
      if (this.queue.length >= this.maxExportBatchSize) this.pumpSoon();
      else if (this.timer === undefined) this.startTimer();
    } catch (error) {
      diag.warnOnce('buffered-processor-onEnd', `span processor failed to queue a span: ${String(error)}`);
    }
  }

  /** Exports everything queued now and resolves when those exports (and any in flight) are done. Never rejects. */
  async forceFlush(): Promise<void> {
    await this.flushQueued();
    try {
      await this.exporter.forceFlush?.();
    } catch (error) {
      diag.warn(`exporter forceFlush failed: ${String(error)}`);
    }
  }

  /**
   * Stops accepting spans, flushes within `deadlineMillis` (default the
   * `shutdownTimeoutMillis` option), then shuts the exporter down. Runs once: later calls
   * return the same promise. Never rejects.
   */
  shutdown(deadlineMillis?: number): Promise<void> {
    return (this.shutdownPromise ??= this.runShutdown(positive(deadlineMillis, this.shutdownTimeoutMillis, 0)));
  }

  private async runShutdown(deadlineMillis: number): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    let timer: NodeJS.Timeout | undefined;
    // Not unref()ed: whoever awaits shutdown must see it finish (bounded by the deadline),
    // even when everything else in the process has ended.
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), deadlineMillis);
    });
    const outcome = await Promise.race([this.flushQueued().then(() => 'flushed' as const), deadline]);
    if (outcome === 'deadline') this.abandonPending(deadlineMillis);
    // The exporter's shutdown (the OTLP one aborts its requests) gets what is left of the
    // deadline, or one turn of the event loop once it has passed: a stuck exporter cannot
    // hold shutdown open.
    const exporterDone = this.shutdownExporter();
    const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    await Promise.race([exporterDone, outcome === 'deadline' ? nextTurn() : deadline.then(nextTurn)]);
    clearTimeout(timer);
    if (this.total > 0) diag.warn(`${this.total} spans were dropped in total by this processor before shutdown.`);
    this.unreported = 0;
  }

  /** At the shutdown deadline: drops what is queued and in flight, counting it, and lets go of the process. */
  private abandonPending(deadlineMillis: number): void {
    for (const keepAlive of this.keepAlives) clearInterval(keepAlive);
    this.keepAlives.clear();
    let abandoned = this.queue.length;
    this.queue = [];
    for (const e of this.inFlight) {
      if (!e.abandoned) {
        e.abandoned = true;
        abandoned += e.size;
      }
    }
    this.inFlight.clear();
    if (abandoned > 0) {
      this.drop(abandoned);
      diag.warn(`shutdown deadline (${deadlineMillis} ms) reached; ${abandoned} spans still pending were abandoned.`);
    }
  }

  private async shutdownExporter(): Promise<void> {
    try {
      await this.exporter.shutdown?.();
    } catch (error) {
      diag.warn(`exporter shutdown failed: ${String(error)}`);
    }
  }

  private drop(count: number): void {
    this.unreported += count;
    this.total += count;
  }

  private startTimer(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.queue.length > 0 && this.inFlight.size < this.maxConcurrentExports) this.exportBatch();
      this.pump();
    }, this.scheduledDelayMillis);
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /**
   * A full batch leaves on the next turn of the event loop, not inside the `span.end()`
   * that filled it: encoding a batch must not run on the application's request path.
   */
  private pumpSoon(): void {
    if (this.immediate !== undefined) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      if (!this.stopped) this.pump();
    });
    this.immediate.unref?.();
  }

  /** Starts full batches while export slots are free; keeps the timer for a partial one. */
  private pump(): void {
    while (this.queue.length >= this.maxExportBatchSize && this.inFlight.size < this.maxConcurrentExports) this.exportBatch();
    if (this.queue.length > 0 && this.timer === undefined && !this.stopped) this.startTimer();
  }

  private takeBatch(): FinishedSpan[] {
    if (this.queue.length <= this.maxExportBatchSize) {
      const batch = this.queue;
      this.queue = [];
      return batch;
    }
    return this.queue.splice(0, this.maxExportBatchSize);
  }

  private exportBatch(): Export {
    const batch = this.takeBatch();
    const entry: Export = { size: batch.length, done: undefined as unknown as Promise<void>, abandoned: false };
    (entry as { done: Promise<void> }).done = this.runExport(batch, entry).finally(() => {
      this.inFlight.delete(entry);
      if (!this.stopped) this.pump();
    });
    this.inFlight.add(entry);
    return entry;
  }

  private async runExport(batch: FinishedSpan[], entry: Export): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.exportTimeoutMillis);
      timer.unref?.();
    });
    let outcome: 'ok' | 'timeout' | 'failed';
    let failure: unknown;
    try {
      const exported = suppressTracing(() => this.exporter.export(batch));
      outcome = await Promise.race([
        Promise.resolve(exported).then(
          () => 'ok' as const,
          (error: unknown) => {
            failure = error;
            return 'failed' as const;
          },
        ),
        timeout,
      ]);
    } catch (error) {
      failure = error;
      outcome = 'failed';
    } finally {
      clearTimeout(timer);
    }
    if (entry.abandoned) return; // a shutdown deadline already counted these spans
    if (outcome === 'ok') {
      this.timingOut = false;
      if (this.unreported > 0) {
        diag.warn(`${this.unreported} spans were dropped since the last successful export (${this.total} in total).`);
        this.unreported = 0;
      }
      return;
    }
    this.drop(batch.length);
    if (outcome === 'timeout') {
      const message = `span export did not finish within ${this.exportTimeoutMillis} ms (exportTimeoutMillis); ${batch.length} spans dropped.`;
      // one warning per streak of timeouts; the dropped total is reported at the next success
      if (this.timingOut) diag.debug(message);
      else diag.warn(message);
      this.timingOut = true;
    } else diag.debug(`span export failed; ${batch.length} spans dropped: ${String(failure)}`);
  }

  /** Exports what is queued now (respecting the concurrency limit) and waits for every export in flight. */
  private async flushQueued(): Promise<void> {
    // Keep the process alive while someone awaits the flush: export timers are unref()ed
    // for idle apps, but an awaited flush must finish (it is bounded by the export timeout).
    const keepAlive = setInterval(() => {}, 1 << 30);
    this.keepAlives.add(keepAlive);
    try {
      await this.flushQueuedNow();
    } finally {
      clearInterval(keepAlive);
      this.keepAlives.delete(keepAlive);
    }
  }

  private async flushQueuedNow(): Promise<void> {
    this.clearTimer();
    let remaining = this.queue.length;
    while (remaining > 0 && this.queue.length > 0) {
      while (remaining > 0 && this.queue.length > 0 && this.inFlight.size < this.maxConcurrentExports) {
        remaining -= this.exportBatch().size;
      }
      if (remaining > 0 && this.inFlight.size > 0) await Promise.race([...this.inFlight].map((e) => e.done));
    }
    // Wait for what is in flight now (batches started later by the scheduler are not ours).
    if (this.inFlight.size > 0) await Promise.all([...this.inFlight].map((e) => e.done));
    if (this.queue.length > 0 && !this.stopped && this.timer === undefined) this.startTimer();
  }
}
