import type { DiagLogLevel } from '../core/diag.js';
import type { ResolvedSpanLimits } from '../core/limits.js';
import type { Sampler } from '../core/sampler.js';
import type { Attributes, SpanExporter } from '../core/types.js';
import type { HttpTracingOptions } from './tracing-options.js';

/** OTLP/HTTP exporter settings with every field resolved. */
export interface ResolvedOtlpOptions {
  /** Full traces URL. */
  readonly endpoint: string;
  readonly protocol: 'http/protobuf' | 'http/json';
  readonly headers: Readonly<Record<string, string>>;
  readonly compression: 'gzip' | 'none';
  /** Per-request timeout, ms. */
  readonly timeoutMillis: number;
}

/** Buffered processor settings with every field resolved. */
export interface ResolvedProcessorOptions {
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduledDelayMillis: number;
  readonly exportTimeoutMillis: number;
  readonly maxConcurrentExports: number;
}

/** What `resolveTracingOptions` returns: plain data, plus the Sampler instance. */
export interface ResolvedTracingOptions {
  readonly enabled: boolean;
  readonly serviceName: string;
  /** Resource attributes: telemetry.sdk.*, OTEL_RESOURCE_ATTRIBUTES, `options.resource`, service.name (later wins). */
  readonly resource: Readonly<Attributes>;
  readonly sampler: Sampler;
  /** Propagator names in order (`tracecontext`, `baggage`, `b3`, `b3multi`); empty for `none`. */
  readonly propagators: readonly string[];
  readonly exporter: SpanExporter | 'otlp' | 'console' | 'none';
  readonly otlp: ResolvedOtlpOptions;
  readonly processor: ResolvedProcessorOptions;
  readonly limits: ResolvedSpanLimits;
  /** From OTEL_LOG_LEVEL (already applied to `diag`), or undefined when unset. */
  readonly logLevel: DiagLogLevel | undefined;
  readonly shutdownTimeoutMillis: number;
  readonly globalInterceptor: boolean;
  readonly http: HttpTracingOptions;
}
