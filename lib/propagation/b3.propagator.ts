import type { Context } from '../core/context.js';
import { TraceFlags } from '../core/enums.js';
import type { SpanId, TraceId } from '../core/ids.js';
import type { Propagator } from '../core/propagator.js';
import type { CarrierGetter, CarrierSetter, SpanContext } from '../core/types.js';
import { defaultGetter, defaultSetter, removeCarrierKey } from './carriers.js';
import { DASH, DETACH_ABOVE, detach, isNonZeroLowerHex, isOws, singleValue } from './header-value.js';
import { injectableSpanContext } from './traceparent.codec.js';

export const B3_SINGLE_HEADER = 'b3';
export const B3_TRACE_ID_HEADER = 'x-b3-traceid';
export const B3_SPAN_ID_HEADER = 'x-b3-spanid';
export const B3_SAMPLED_HEADER = 'x-b3-sampled';
export const B3_FLAGS_HEADER = 'x-b3-flags';
export const B3_PARENT_SPAN_ID_HEADER = 'x-b3-parentspanid';

const SINGLE_FIELDS: readonly string[] = Object.freeze([B3_SINGLE_HEADER]);
const MULTI_FIELDS: readonly string[] = Object.freeze([B3_TRACE_ID_HEADER, B3_SPAN_ID_HEADER, B3_SAMPLED_HEADER, B3_FLAGS_HEADER]);
const PAD_64_BIT = '0000000000000000';

/** How `B3Propagator` writes: one `b3` header (default) or the `X-B3-*` headers. */
export type B3InjectEncoding = 'single' | 'multi';

export interface B3PropagatorOptions {
  /** Default `'single'`. Extraction always accepts both encodings. */
  injectEncoding?: B3InjectEncoding;
}

/** A B3 trace id: 16 or 32 lowercase hex digits, not all zeros; 64-bit ids are left-padded to 128 bits. */
function b3TraceId(id: string): TraceId | undefined {
  if (id.length === 32) return isNonZeroLowerHex(id, 32) ? (id as TraceId) : undefined;
  if (id.length === 16) return isNonZeroLowerHex(id, 16) ? ((PAD_64_BIT + id) as TraceId) : undefined;
  return undefined;
}

function remote(traceId: TraceId, spanId: string, sampled: boolean): SpanContext {
  return { traceId, spanId: spanId as SpanId, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true };
}

/**
 * Parses the single `b3` header: `{traceid}-{spanid}[-{sampled}[-{parentspanid}]]`, sampled
 * `1`, `0` or `d` (debug, read as sampled). A header that is only a sampling decision
 * (`b3: 0`, `b3: 1`, `b3: d`) carries no ids and yields `undefined`: no remote parent can be
 * made from it, so the context is left unchanged.
 */
export function parseB3Single(value: unknown): SpanContext | undefined {
  const raw = singleValue(value);
  if (raw === undefined) return undefined;
  let start = 0;
  let end = raw.length;
  while (start < end && isOws(raw.charCodeAt(start))) start++;
  while (end > start && isOws(raw.charCodeAt(end - 1))) end--;
  if (end - start < 33) return undefined;
  if (end - start > 68) return undefined; // 32 + 1 + 16 + 2 + 17: the longest valid value
  let header = start === 0 && end === raw.length ? raw : raw.substring(start, end);
  if (raw.length > DETACH_ABOVE) header = detach(header); // do not pin a padded header
  const dash = header.indexOf('-');
  if (dash !== 16 && dash !== 32) return undefined;
  const traceId = b3TraceId(header.substring(0, dash));
  if (traceId === undefined) return undefined;
  const spanId = header.substring(dash + 1, dash + 17);
  if (!isNonZeroLowerHex(spanId, 16)) return undefined;
  let i = dash + 17;
  if (i === header.length) return remote(traceId, spanId, false); // deferred: the receiver decides
  if (header.charCodeAt(i) !== DASH || i + 2 > header.length) return undefined;
  const state = header[i + 1];
  if (state !== '0' && state !== '1' && state !== 'd') return undefined;
  i += 2;
  if (i !== header.length) {
    // -{parentspanid}: validated, not used (our parent is the sender's span).
    if (header.charCodeAt(i) !== DASH || !isNonZeroLowerHex(header.substring(i + 1), 16)) return undefined;
  }
  return remote(traceId, spanId, state !== '0');
}

function trimmedSingle(value: unknown): string | undefined {
  const s = singleValue(value);
  if (s === undefined) return undefined;
  const trimmed = s.trim();
  return s.length > DETACH_ABOVE && trimmed.length <= 32 ? detach(trimmed) : trimmed;
}

/** Parses the `X-B3-*` headers. `X-B3-Flags: 1` (debug) implies sampled. */
export function parseB3Multi(carrier: unknown, getter: CarrierGetter = defaultGetter): SpanContext | undefined {
  const rawTraceId = trimmedSingle(getter.get(carrier, B3_TRACE_ID_HEADER));
  const spanId = trimmedSingle(getter.get(carrier, B3_SPAN_ID_HEADER));
  if (rawTraceId === undefined || spanId === undefined) return undefined;
  const traceId = b3TraceId(rawTraceId);
  if (traceId === undefined || !isNonZeroLowerHex(spanId, 16)) return undefined;
  const sampled = trimmedSingle(getter.get(carrier, B3_SAMPLED_HEADER));
  const debug = trimmedSingle(getter.get(carrier, B3_FLAGS_HEADER)) === '1';
  return remote(traceId, spanId, debug || sampled === '1' || sampled === 'true' || sampled === 'd');
}

/**
 * Zipkin B3 propagator (`OTEL_PROPAGATORS=b3` for the single header, `b3multi` for the
 * `X-B3-*` headers). Extraction reads the single header first and falls back to the multi
 * headers; 64-bit trace ids are left-padded to 128 bits; a deferred decision (no sampled
 * field) reads as not sampled. Injection writes `{traceid}-{spanid}-{1|0}` or the
 * `x-b3-traceid`/`x-b3-spanid`/`x-b3-sampled` headers, only for valid ids. Never throws.
 */
export class B3Propagator implements Propagator {
  private readonly encoding: B3InjectEncoding;

  constructor(options: B3PropagatorOptions = {}) {
    this.encoding = options.injectEncoding === 'multi' ? 'multi' : 'single';
  }

  inject(context: Context, carrier: unknown, setter: CarrierSetter = defaultSetter): void {
    try {
      const spanContext = injectableSpanContext(context);
      if (spanContext === undefined) return;
      const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
      if (this.encoding === 'single') {
        setter.set(carrier, B3_SINGLE_HEADER, spanContext.traceId + '-' + spanContext.spanId + (sampled ? '-1' : '-0'));
      } else {
        setter.set(carrier, B3_TRACE_ID_HEADER, spanContext.traceId);
        setter.set(carrier, B3_SPAN_ID_HEADER, spanContext.spanId);
        setter.set(carrier, B3_SAMPLED_HEADER, sampled ? '1' : '0');
        if (setter === defaultSetter) {
          // Stale values from a previous hop would contradict the ids just written.
          removeCarrierKey(carrier, B3_FLAGS_HEADER);
          removeCarrierKey(carrier, B3_PARENT_SPAN_ID_HEADER);
        }
      }
    } catch {
      // never into the application
    }
  }

  extract(context: Context, carrier: unknown, getter: CarrierGetter = defaultGetter): Context {
    try {
      const spanContext = parseB3Single(getter.get(carrier, B3_SINGLE_HEADER)) ?? parseB3Multi(carrier, getter);
      return spanContext === undefined ? context : context.withRemote(spanContext);
    } catch {
      return context;
    }
  }

  fields(): readonly string[] {
    return this.encoding === 'single' ? SINGLE_FIELDS : MULTI_FIELDS;
  }
}
