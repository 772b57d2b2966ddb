import { suppressTracing } from '../core/context.js';
import { diag } from '../core/diag.js';
import { TraceFlags } from '../core/enums.js';
import type { FinishedSpan, Span, SpanContext, SpanExporter, SpanProcessor } from '../core/types.js';

/**
 * Exports each sampled span as soon as it ends, one export call per span, with tracing
 * suppressed. For tests and debugging; use `BufferedSpanProcessor` in production.
 * `forceFlush()` waits for the exports in flight; `shutdown()` runs once.
 */
export class SimpleSpanProcessor implements SpanProcessor {
  private readonly pending = new Set<Promise<void>>();
  private shutdownPromise: Promise<void> | undefined;

  constructor(private readonly exporter: SpanExporter) {}

  onStart(_span: Span, _parent: SpanContext | undefined): void {}

  onEnd(span: FinishedSpan): void {
    if (this.shutdownPromise !== undefined) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    let done: Promise<void>;
    try {
      done = suppressTracing(() => this.exporter.export([span]));
    } catch (error) {
      done = Promise.reject(error);
    }
    const tracked = Promise.resolve(done).then(
      () => undefined,
      (error: unknown) => diag.warnOnce('simple-processor-export', `span export failed; the span is dropped: ${String(error)}`),
    );
    const settled = tracked.finally(() => this.pending.delete(settled));
    this.pending.add(settled);
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending]);
    try {
      await this.exporter.forceFlush?.();
    } catch (error) {
      diag.warn(`exporter forceFlush failed: ${String(error)}`);
    }
  }

  shutdown(): Promise<void> {
    return (this.shutdownPromise ??= this.forceFlush().then(async () => {
      try {
        await this.exporter.shutdown?.();
      } catch (error) {
        diag.warn(`exporter shutdown failed: ${String(error)}`);
      }
    }));
  }
}
