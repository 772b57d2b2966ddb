// nestjs-tracing: the public API. Explicit named exports; `export type` for types.

// Nest integration
export { TracingModule } from './nest/tracing.module.js';
export { TRACING_MODULE_OPTIONS } from './nest/tracing.constants.js';
export { InjectTracingOptions } from './nest/inject-tracing-options.decorator.js';
export type { TracingModuleAsyncOptions, TracingOptionsFactory } from './nest/tracing-module-options.interface.js';
export { Span } from './nest/decorators/span.decorator.js';
export { Traced } from './nest/decorators/traced.decorator.js';
export { NoSpan } from './nest/decorators/no-span.decorator.js';
export type { SpanDecoratorOptions, TracedOptions } from './nest/decorators/span-options.interface.js';
export { TracingInterceptor } from './nest/http/tracing.interceptor.js';
export { TracingLogger } from './nest/logger/tracing.logger.js';
export { TracingLoggerService } from './nest/logger/tracing-logger.service.js';
export { pinoTraceMixin } from './nest/logger/pino-trace.mixin.js';
export type { TraceLogFields } from './nest/logger/pino-trace.mixin.js';

// Core tracer
export { Tracer, getTracer } from './core/tracer.js';
export type { TracerConfig } from './core/tracer.js';
export { SpanKind, SpanStatusCode, TraceFlags } from './core/enums.js';
export { NOOP_SPAN } from './core/noop-span.js';
export { Context, activeContext, runInContext, suppressTracing, isTracingSuppressed } from './core/context.js';
export { Baggage } from './core/baggage.js';
export {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioSampler,
  SamplingDecision,
  samplerFromName,
} from './core/sampler.js';
export type { ParentBasedOptions, Sampler, SamplingResult } from './core/sampler.js';
export { diag, DiagLogLevel } from './core/diag.js';
export type { DiagSink } from './core/diag.js';
export type { TraceId, SpanId } from './core/ids.js';
export type { Propagator } from './core/propagator.js';
export type {
  AttributeValue,
  Attributes,
  BaggageEntry,
  CarrierGetter,
  CarrierSetter,
  FinishedSpan,
  Link,
  Resource,
  InstrumentationScope,
  SpanContext,
  SpanEvent,
  SpanExporter,
  SpanOptions,
  SpanProcessor,
  SpanStatus,
  TimeInput,
  TraceState,
} from './core/types.js';

// Configuration
export type { HttpTracingOptions, OtlpOptions, ProcessorOptions, SpanLimits, TracingModuleOptions } from './config/tracing-options.js';

// Export pipeline
export { BufferedSpanProcessor } from './export/buffered-span.processor.js';
export type { BufferedSpanProcessorOptions } from './export/buffered-span.processor.js';
export { SimpleSpanProcessor } from './export/simple-span.processor.js';
export { ConsoleSpanExporter } from './export/console-span.exporter.js';
export { InMemorySpanExporter } from './export/in-memory-span.exporter.js';
export { OtlpHttpSpanExporter } from './export/otlp/otlp-http.exporter.js';

// Propagation
export { W3CTraceContextPropagator } from './propagation/w3c-trace-context.propagator.js';
export { W3CBaggagePropagator } from './propagation/w3c-baggage.propagator.js';
export { B3Propagator } from './propagation/b3.propagator.js';
export { CompositePropagator } from './propagation/composite.propagator.js';
export { createPropagator } from './propagation/create-propagator.js';
export { parseTraceparent, formatTraceparent } from './propagation/traceparent.codec.js';
export { W3CTraceState, parseTraceState } from './propagation/trace-state.js';
export { parseBaggage, serializeBaggage } from './propagation/baggage.codec.js';
export { defaultGetter, defaultSetter } from './propagation/carriers.js';
export type { B3PropagatorOptions } from './propagation/b3.propagator.js';

// Export pipeline and configuration, for use outside TracingModule (scripts, custom setups)
export { createExporter, NoopSpanExporter } from './export/create-exporter.js';
export { OtlpExportError } from './export/otlp/otlp-http.exporter.js';
export type { OtlpHttpExporterOptions } from './export/otlp/otlp-http.exporter.js';
export type { RetryOptions } from './export/otlp/retry-policy.js';
export { formatTrace } from './export/console-span.exporter.js';
export type { ConsoleSpanExporterOptions } from './export/console-span.exporter.js';
export { resolveTracingOptions } from './config/resolve-tracing-options.js';
export type { ResolvedOtlpOptions, ResolvedProcessorOptions, ResolvedTracingOptions } from './config/resolved-tracing-options.js';
