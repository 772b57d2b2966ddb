import type { TracingModuleOptions } from 'nestjs-tracing';

/**
 * The sample's tracing settings: OTLP when OTEL_EXPORTER_OTLP_ENDPOINT (or the traces
 * variant) is set, otherwise a readable tree per trace on the console. Every other
 * OTEL_* variable is honoured by the module itself.
 */
export function tracingOptions(service: string): TracingModuleOptions {
  const otlp = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  return {
    serviceName: `${process.env.OTEL_SERVICE_NAME ?? 'sample'}-${service}`,
    exporter: process.env.OTEL_TRACES_EXPORTER ? undefined : otlp ? 'otlp' : 'console',
    processor: { scheduledDelayMillis: 500 },
  };
}
