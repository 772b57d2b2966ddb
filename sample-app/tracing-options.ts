import { ConsoleSpanExporter, createExporter, resolveTracingOptions, type TracingModuleOptions } from 'nestjs-tracing';
import { TeeSpanExporter } from './tee.exporter.js';

/**
 * The sample's tracing settings: each finished trace is printed as a tree on the console;
 * when OTEL_EXPORTER_OTLP_ENDPOINT (or the traces variant) is set, spans are exported over
 * OTLP as well (SAMPLE_CONSOLE=false turns the console tree off then). OTEL_TRACES_EXPORTER,
 * when set, decides alone. Every other OTEL_* variable is honoured by the module itself.
 */
export function tracingOptions(service: string): TracingModuleOptions {
  const options: TracingModuleOptions = {
    serviceName: `${process.env.OTEL_SERVICE_NAME ?? 'sample'}-${service}`,
    processor: { scheduledDelayMillis: 500 },
  };
  if (process.env.OTEL_TRACES_EXPORTER) return options;
  const otlp = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (!otlp) return { ...options, exporter: 'console' };
  const otlpExporter = createExporter(resolveTracingOptions({ ...options, exporter: 'otlp' }));
  if (process.env.SAMPLE_CONSOLE === 'false') return { ...options, exporter: otlpExporter };
  return { ...options, exporter: new TeeSpanExporter([otlpExporter, new ConsoleSpanExporter()]) };
}
