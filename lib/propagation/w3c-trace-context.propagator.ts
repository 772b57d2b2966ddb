import type { Context } from '../core/context.js';
import type { Propagator } from '../core/propagator.js';
import type { CarrierGetter, CarrierSetter, TraceState } from '../core/types.js';
import { defaultGetter, defaultSetter, setPair } from './carriers.js';
import { formatTraceparent, injectableSpanContext, toRemoteSpanContext, traceparentStart } from './traceparent.codec.js';
import { singleValue } from './header-value.js';
import { parseTraceStateDeferred, traceStateHeader } from './trace-state.js';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';
const FIELDS: readonly string[] = Object.freeze([TRACEPARENT_HEADER, TRACESTATE_HEADER]);

// The two headers as the default getter reads them, with the common case first: a plain
// object (Node's IncomingHttpHeaders) holding the lowercase key with a string value, read as
// a named property (an inline-cached load, no call). Anything else — another letter case, an
// array, bytes, a Map, Fetch `Headers` — goes through `defaultGetter.get`, which reads the
// exact key the same way first, so the result is the same.
function readTraceparent(carrier: unknown, getter: CarrierGetter): unknown {
  if (getter === defaultGetter && carrier !== null && typeof carrier === 'object') {
    const value = (carrier as { traceparent?: unknown }).traceparent;
    if (typeof value === 'string') return value;
  }
  return getter.get(carrier, TRACEPARENT_HEADER);
}
function readTraceState(carrier: unknown, getter: CarrierGetter): TraceState | undefined {
  if (getter === defaultGetter && carrier !== null && typeof carrier === 'object') {
    const value = (carrier as { tracestate?: unknown }).tracestate;
    if (typeof value === 'string') return parseTraceStateDeferred(value);
  }
  return parseTraceStateDeferred(getter.get(carrier, TRACESTATE_HEADER));
}

/**
 * W3C Trace Context Level 2 propagator (`traceparent` + `tracestate`), the default together
 * with W3C Baggage. `extract` validates strictly and returns `context.withRemote(spanContext)`,
 * or the context unchanged for anything invalid. A received `tracestate` is validated on
 * first use; a bad one reads as empty (never re-sent or exported) without affecting
 * `traceparent` (§3.3). `inject` writes the active span's (or remote parent's) ids
 * as version 00 only when they are valid, replacing existing keys whatever their case; with
 * the default setter a stale `tracestate` is removed when the context has none. Never throws.
 */
export class W3CTraceContextPropagator implements Propagator {
  inject(context: Context, carrier: unknown, setter: CarrierSetter = defaultSetter): void {
    try {
      const spanContext = injectableSpanContext(context);
      if (spanContext === undefined) return;
      const traceparent = formatTraceparent(spanContext);
      const state = spanContext.traceState;
      const tracestate = state === undefined ? '' : traceStateHeader(state);
      if (setter === defaultSetter) {
        // One pass over the carrier for both keys; a stale tracestate is removed.
        setPair(carrier, TRACEPARENT_HEADER, traceparent, TRACESTATE_HEADER, tracestate);
        return;
      }
      setter.set(carrier, TRACEPARENT_HEADER, traceparent);
      // §3.3.1.1: vendors SHOULD avoid sending an empty tracestate.
      if (tracestate.length > 0) setter.set(carrier, TRACESTATE_HEADER, tracestate);
    } catch {
      // a throwing carrier or setter must never reach the application
    }
  }

  extract(context: Context, carrier: unknown, getter: CarrierGetter = defaultGetter): Context {
    try {
      const header = singleValue(readTraceparent(carrier, getter));
      if (header === undefined) return context;
      const start = traceparentStart(header);
      // §3.3: tracestate is read only when traceparent is valid.
      return start < 0 ? context : context.withRemote(toRemoteSpanContext(header, start, readTraceState(carrier, getter)));
    } catch {
      return context;
    }
  }

  fields(): readonly string[] {
    return FIELDS;
  }
}
