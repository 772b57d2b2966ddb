import { diag, DiagLogLevel } from '../../lib/core/diag.js';
import { Tracer } from '../../lib/core/tracer.js';
import type { SpanExporter } from '../../lib/core/types.js';
import { BufferedSpanProcessor, type BufferedSpanProcessorOptions } from '../../lib/export/buffered-span.processor.js';

/** Captures diag output for the duration of a test file. */
export function captureDiag(): { messages: string[]; restore(): void } {
  const messages: string[] = [];
  diag.setLevel(DiagLogLevel.WARN);
  diag.resetOnce();
  diag.setSink({
    error: (m) => messages.push(`ERROR ${m}`),
    warn: (m) => messages.push(`WARN ${m}`),
    info: () => {},
    debug: () => {},
  });
  return {
    messages,
    restore: () => diag.setSink(undefined),
  };
}

/** A tracer exporting through a BufferedSpanProcessor, as an app would be wired. */
export function tracerWith(exporter: SpanExporter, options: BufferedSpanProcessorOptions = {}): { tracer: Tracer; processor: BufferedSpanProcessor } {
  const processor = new BufferedSpanProcessor(exporter, options);
  const tracer = new Tracer({ serviceName: 'export-test', processor });
  return { tracer, processor };
}

/** Starts and ends `count` spans named `${prefix}-${i}`; returns their span ids in order. */
export function burst(tracer: Tracer, count: number, prefix = 'span'): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan(`${prefix}-${i}`, { attributes: { 'i': i } });
    ids.push(span.spanContext().spanId);
    span.end();
  }
  return ids;
}

export const FAST_RETRY = { initialBackoffMillis: 10, maxBackoffMillis: 40, maxAttempts: 10 };
