export { resolveTracingOptions } from './resolve-tracing-options.js';
export type { ResolvedOtlpOptions, ResolvedProcessorOptions, ResolvedTracingOptions } from './resolved-tracing-options.js';
export type { HttpTracingOptions, OtlpOptions, ProcessorOptions, SpanLimits, TracingModuleOptions } from './tracing-options.js';
export { TRACING_DEFAULTS } from './tracing-defaults.js';
export { SDK_NAME, SDK_VERSION } from './sdk-info.js';
