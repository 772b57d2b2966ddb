export { Tracer, getTracer, type TracerConfig } from './tracer.js';
export { RecordingSpan, type SpanOwner } from './span.js';
export { NOOP_SPAN } from './noop-span.js';
export { SpanKind, SpanStatusCode, TraceFlags } from './enums.js';
export {
  type TraceId,
  type SpanId,
  INVALID_SPAN_ID,
  INVALID_TRACE_ID,
  isValidSpanId,
  isValidTraceId,
  newSpanId,
  newTraceId,
} from './ids.js';
export { Context, activeContext, runInContext, suppressTracing, isTracingSuppressed, processState } from './context.js';
export { Baggage } from './baggage.js';
export { NOOP_PROPAGATOR, type Propagator } from './propagator.js';
export {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioSampler,
  SamplingDecision,
  samplerFromName,
  type ParentBasedOptions,
  type Sampler,
  type SamplingResult,
} from './sampler.js';
export { DEFAULT_SPAN_LIMITS, type ResolvedSpanLimits } from './limits.js';
export { diag, DiagLogLevel, diagLevelFromName, type DiagSink } from './diag.js';
export { recordError, settle, traceObservable, isObservableLike } from './settle.js';
export { toEpochNanos, fromTimeInput, now } from './clock.js';
export { VERSION } from './version.js';
export type * from './types.js';
