// W3C Trace Context / Baggage (+ B3) propagation: header codecs, propagators and carriers.
export { parseTraceparent, formatTraceparent, hasValidIds } from './traceparent.codec.js';
export {
  W3CTraceState,
  parseTraceState,
  isValidTraceStateKey,
  isValidTraceStateValue,
  MAX_TRACE_STATE_MEMBERS,
} from './trace-state.js';
export { parseBaggage, serializeBaggage, isValidBaggageKey, MAX_BAGGAGE_MEMBERS, MAX_BAGGAGE_BYTES } from './baggage.codec.js';
export { defaultGetter, defaultSetter, removeCarrierKey } from './carriers.js';
export { W3CTraceContextPropagator, TRACEPARENT_HEADER, TRACESTATE_HEADER } from './w3c-trace-context.propagator.js';
export { W3CBaggagePropagator, BAGGAGE_HEADER } from './w3c-baggage.propagator.js';
export {
  B3Propagator,
  parseB3Single,
  parseB3Multi,
  B3_SINGLE_HEADER,
  B3_TRACE_ID_HEADER,
  B3_SPAN_ID_HEADER,
  B3_SAMPLED_HEADER,
  B3_FLAGS_HEADER,
  B3_PARENT_SPAN_ID_HEADER,
} from './b3.propagator.js';
export type { B3InjectEncoding, B3PropagatorOptions } from './b3.propagator.js';
export { CompositePropagator } from './composite.propagator.js';
export { createPropagator, KNOWN_PROPAGATORS } from './create-propagator.js';
