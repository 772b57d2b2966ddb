/** Defaults used when neither an option nor an OTEL_* variable sets a value (OpenTelemetry's). */
export const TRACING_DEFAULTS = Object.freeze({
  otlpEndpoint: 'http://localhost:4318/v1/traces',
  otlpProtocol: 'http/protobuf' as const,
  otlpCompression: 'none' as const,
  otlpTimeoutMillis: 10000,
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 5000,
  exportTimeoutMillis: 30000,
  maxConcurrentExports: 1,
  sampler: 'parentbased_always_on',
  samplerArg: 1,
  propagators: Object.freeze(['tracecontext', 'baggage']),
  exporter: 'otlp' as const,
  shutdownTimeoutMillis: 5000,
});

/** Propagator names this package can build. */
export const KNOWN_PROPAGATORS: readonly string[] = ['tracecontext', 'baggage', 'b3', 'b3multi'];
