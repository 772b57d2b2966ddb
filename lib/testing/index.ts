// nestjs-tracing/testing: assert spans in tests.
export { InMemorySpanExporter } from '../export/in-memory-span.exporter.js';
export { TracingTestingModule, createTracingTestingModule } from './tracing-testing.module.js';
export type { TracingTestingOptions } from './tracing-testing.module.js';
export { waitForSpans } from './wait-for-spans.js';
