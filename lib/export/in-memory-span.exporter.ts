import type { FinishedSpan, SpanExporter } from '../core/types.js';

/**
 * Keeps exported spans in memory for tests. Spans survive `forceFlush()` and `shutdown()`
 * (so a test can assert after `app.close()`) until `reset()`. Unbounded: for tests only.
 */
export class InMemorySpanExporter implements SpanExporter {
  private finished: FinishedSpan[] = [];
  private stopped = false;

  export(spans: readonly FinishedSpan[]): Promise<void> {
    for (const span of spans) this.finished.push(span);
    return Promise.resolve();
  }

  /** Every span exported since the last `reset()`, in export order (a copy). */
  getFinishedSpans(): FinishedSpan[] {
    return this.finished.slice();
  }

  /** Forgets the spans kept so far. */
  reset(): void {
    this.finished = [];
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Keeps the spans; later exports are still accepted (a test may start a new app on the same exporter). */
  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  /** True once `shutdown()` was called. */
  get isShutdown(): boolean {
    return this.stopped;
  }
}
