import type { SpanExporter } from '../core/types.js';
import type { ResolvedTracingOptions } from '../config/resolved-tracing-options.js';
import { ConsoleSpanExporter } from './console-span.exporter.js';
import { OtlpHttpSpanExporter } from './otlp/otlp-http.exporter.js';

/** Discards every span (OTEL_TRACES_EXPORTER=none). */
export class NoopSpanExporter implements SpanExporter {
  export(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The exporter the resolved options ask for: the user's own SpanExporter, OTLP/HTTP (the
 * default; retries bounded by the processor's export timeout), the console tree, or none.
 */
export function createExporter(resolved: ResolvedTracingOptions): SpanExporter {
  const choice = resolved.exporter;
  if (typeof choice === 'object') return choice;
  switch (choice) {
    case 'console':
      return new ConsoleSpanExporter();
    case 'none':
      return new NoopSpanExporter();
    default:
      return new OtlpHttpSpanExporter({
        endpoint: resolved.otlp.endpoint,
        protocol: resolved.otlp.protocol,
        headers: { ...resolved.otlp.headers },
        compression: resolved.otlp.compression,
        timeoutMillis: resolved.otlp.timeoutMillis,
        exportTimeoutMillis: resolved.processor.exportTimeoutMillis,
      });
  }
}
