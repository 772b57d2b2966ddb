export { BufferedSpanProcessor, type BufferedSpanProcessorOptions } from './buffered-span.processor.js';
export { SimpleSpanProcessor } from './simple-span.processor.js';
export { ConsoleSpanExporter, formatTrace, type ConsoleSpanExporterOptions } from './console-span.exporter.js';
export { InMemorySpanExporter } from './in-memory-span.exporter.js';
export { createExporter, NoopSpanExporter } from './create-exporter.js';
export { OtlpHttpSpanExporter, OtlpExportError, type OtlpHttpExporterOptions } from './otlp/otlp-http.exporter.js';
export type { RetryOptions } from './otlp/retry-policy.js';
export { ProtobufTraceEncoder } from './otlp/protobuf-trace.encoder.js';
export { JsonTraceEncoder } from './otlp/json-trace.encoder.js';
