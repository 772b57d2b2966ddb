import type { Sampler } from '../core/sampler.js';
import type { Attributes, SpanExporter } from '../core/types.js';

/** OTLP/HTTP exporter settings. Each has an OTEL_EXPORTER_OTLP_* variable. */
export interface OtlpOptions {
  /** Full traces URL. Default `http://localhost:4318/v1/traces` (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as-is, or OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`). */
  endpoint?: string;
  /** Default `http/protobuf`. */
  protocol?: 'http/protobuf' | 'http/json';
  /** Extra request headers (OTEL_EXPORTER_OTLP_HEADERS, percent-decoded). */
  headers?: Record<string, string>;
  /** Default `none`. */
  compression?: 'gzip' | 'none';
  /** Per-request timeout. Default 10000. */
  timeoutMillis?: number;
}

/** Buffered processor settings (OTEL_BSP_*). */
export interface ProcessorOptions {
  /** Default 2048. */
  maxQueueSize?: number;
  /** Default 512. */
  maxExportBatchSize?: number;
  /** Default 5000. */
  scheduledDelayMillis?: number;
  /** Default 30000. */
  exportTimeoutMillis?: number;
  /** Exports allowed in flight at once. Default 1. */
  maxConcurrentExports?: number;
}

/** Span limits (OTEL_ATTRIBUTE_* and OTEL_SPAN_*_LIMIT). Defaults as OpenTelemetry's. */
export interface SpanLimits {
  /** Default 128. */
  attributeCountLimit?: number;
  /** Default unlimited. */
  attributeValueLengthLimit?: number;
  /** Default 128. */
  eventCountLimit?: number;
  /** Default 128. */
  linkCountLimit?: number;
  /** Default 128. */
  attributePerEventCountLimit?: number;
  /** Default 128. */
  attributePerLinkCountLimit?: number;
}

/** HTTP server and client instrumentation settings. */
export interface HttpTracingOptions {
  /** Incoming requests not traced: exact paths, RegExps, or a predicate on the path. Default none. */
  ignore?: Array<string | RegExp> | ((path: string) => boolean);
  /** Header names (case-insensitive) recorded as `http.request.header.<name>` / `http.response.header.<name>`. Default none. */
  captureHeaders?: { request?: string[]; response?: string[] };
  /** Add the W3C `traceresponse` response header. Default false. */
  traceResponseHeader?: boolean;
  /** Record `url.query`. Default false. */
  captureQuery?: boolean;
  /** Trace outgoing fetch / node:http calls (CLIENT spans + propagation). Default true. */
  outgoing?: boolean;
}

/** Options of `TracingModule.forRoot()`; every field optional; options win over OTEL_* variables, which win over defaults. */
export interface TracingModuleOptions {
  /** OTEL_SERVICE_NAME. Default `unknown_service:node`. */
  serviceName?: string;
  /** `false` (or OTEL_SDK_DISABLED=true) turns every decorator and interceptor into a pass-through. Default true. */
  enabled?: boolean;
  /** A Sampler, or a name as OTEL_TRACES_SAMPLER (`always_on`, `traceidratio`, `parentbased_traceidratio`, ...). Default `parentbased_always_on`. */
  sampler?: Sampler | string;
  /** Ratio for `traceidratio` samplers (OTEL_TRACES_SAMPLER_ARG). Default 1. */
  samplerArg?: number;
  /** A SpanExporter, or `otlp` (default), `console` or `none` (OTEL_TRACES_EXPORTER). */
  exporter?: SpanExporter | 'otlp' | 'console' | 'none';
  otlp?: OtlpOptions;
  processor?: ProcessorOptions;
  /** `tracecontext`, `baggage`, `b3`, `b3multi`, `none` (OTEL_PROPAGATORS). Default `['tracecontext', 'baggage']`. */
  propagators?: string[];
  /** Extra resource attributes; merged over OTEL_RESOURCE_ATTRIBUTES. */
  resource?: Attributes;
  limits?: SpanLimits;
  http?: HttpTracingOptions;
  /** Register the tracing interceptor globally. Default true. */
  globalInterceptor?: boolean;
  /** How long `app.close()` waits for the final flush. Default 5000. */
  shutdownTimeoutMillis?: number;
}
