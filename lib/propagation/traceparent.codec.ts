import type { Context } from '../core/context.js';
import type { SpanId, TraceId } from '../core/ids.js';
import { RecordingSpan } from '../core/span.js';
import type { SpanContext, TraceState } from '../core/types.js';
import { C_HEX, CHAR_CLASS, DASH, DETACH_ABOVE, detach, isNonZeroLowerHex, isOws, lowerHexValue, singleValue } from './header-value.js';

/** Length of a version-00 traceparent: 2 + 1 + 32 + 1 + 16 + 1 + 2 (W3C Trace Context §3.2.2). */
const TRACEPARENT_LENGTH = 55;
/** Trace-flags bits version 00 defines (Level 2 §3.2.2.5): sampled 0x01, random 0x02. */
const KNOWN_FLAGS = 0x03;
const FLAGS_SUFFIX = ['-00', '-01', '-02', '-03'] as const;

// Fast path for the value nearly every request carries: exactly a version-00 traceparent,
// no OWS (§3.2.2). One precompiled regular expression (irregexp compiles it to native code);
// each character class is written out rather than quantified (`[0-9a-f]{32}`), which
// irregexp turns into straight-line checks instead of a counted loop, about twice as fast
// as the character loop below. The look-aheads reject all-zero ids (§3.2.2.3, §3.2.2.4).
// It only ever ACCEPTS: a value it does not match goes through the full validation below,
// so it cannot accept anything that validation would reject.
const HEX = '[0-9a-f]';
const VERSION_00 = new RegExp(
  `^00-(?!${'0'.repeat(32)})${HEX.repeat(32)}-(?!${'0'.repeat(16)})${HEX.repeat(16)}-${HEX}${HEX}$`,
);

/**
 * @internal Validates a traceparent value and returns the index where its version field
 * starts, or -1. Surrounding OWS is tolerated. No allocation.
 */
export function traceparentStart(header: string): number {
  if (header.length === TRACEPARENT_LENGTH && VERSION_00.test(header)) return 0;
  let start = 0;
  let end = header.length;
  // Leading/trailing OWS around a field value is not part of it (RFC 7230 §3.2.4).
  while (start < end && isOws(header.charCodeAt(start))) start++;
  while (end > start && isOws(header.charCodeAt(end - 1))) end--;
  const length = end - start;
  if (length < TRACEPARENT_LENGTH) return -1;

  // §3.2.2.1 version: 2 lowercase hex digits; ff is invalid.
  const v0 = lowerHexValue(header.charCodeAt(start));
  const v1 = lowerHexValue(header.charCodeAt(start + 1));
  if (v0 < 0 || v1 < 0) return -1;
  const version = (v0 << 4) | v1;
  if (version === 0xff) return -1;
  if (version === 0) {
    // §3.2.2.2 version-format for 00: exactly 55 characters.
    if (length !== TRACEPARENT_LENGTH) return -1;
  } else if (length > TRACEPARENT_LENGTH && header.charCodeAt(start + TRACEPARENT_LENGTH) !== DASH) {
    // §3.2.4 higher versions: the flags must be followed by the end of the value or a dash;
    // the fields after that are ignored.
    return -1;
  }
  if (
    header.charCodeAt(start + 2) !== DASH ||
    header.charCodeAt(start + 35) !== DASH ||
    header.charCodeAt(start + 52) !== DASH
  ) {
    return -1;
  }
  // §3.2.2.3 trace-id: 32 lowercase hex digits, not all zeros. Branch-free: the classes are
  // AND-ed and the digits OR-ed, and both are checked once at the end.
  let all = C_HEX;
  let nonZero = 0;
  for (let i = start + 3; i < start + 35; i++) {
    const c = header.charCodeAt(i);
    all &= CHAR_CLASS[c];
    nonZero |= c ^ 0x30;
  }
  if (all === 0 || nonZero === 0) return -1;
  // §3.2.2.4 parent-id: 16 lowercase hex digits, not all zeros.
  nonZero = 0;
  for (let i = start + 36; i < start + 52; i++) {
    const c = header.charCodeAt(i);
    all &= CHAR_CLASS[c];
    nonZero |= c ^ 0x30;
  }
  if (all === 0 || nonZero === 0) return -1;
  // §3.2.2.5 trace-flags: 2 lowercase hex digits.
  if (lowerHexValue(header.charCodeAt(start + 53)) < 0 || lowerHexValue(header.charCodeAt(start + 54)) < 0) return -1;
  return start;
}

/** @internal Builds the remote span context from a value `traceparentStart` accepted. */
export function toRemoteSpanContext(header: string, start: number, traceState: TraceState | undefined): SpanContext {
  if (header.length > DETACH_ABOVE) {
    // A long value (future-version fields, padding): keep only a copy of the 55 characters used.
    header = detach(header.substring(start, start + TRACEPARENT_LENGTH));
    start = 0;
  }
  const flags = (lowerHexValue(header.charCodeAt(start + 53)) << 4) | lowerHexValue(header.charCodeAt(start + 54));
  const traceId = header.substring(start + 3, start + 35) as TraceId;
  const spanId = header.substring(start + 36, start + 52) as SpanId;
  lastValidTraceId = traceId;
  lastValidSpanId = spanId;
  return {
    traceId,
    spanId,
    // §3.2.2.5: keep the sampled (0x01) and random (0x02) bits; other bits are reserved
    // ("Vendors MUST set those to zero") and are dropped here so they are never re-emitted.
    traceFlags: flags & KNOWN_FLAGS,
    traceState,
    isRemote: true,
  };
}

/**
 * Parses a W3C `traceparent` value (Trace Context Level 2 §3.2). Returns a span context with
 * `isRemote: true`, or `undefined` for anything invalid: wrong lengths or separators,
 * uppercase hex, all-zero ids, version `ff`, several header values, non-strings. Future
 * versions are read as §3.2.4 says. Never throws.
 */
export function parseTraceparent(value: string | string[] | undefined): SpanContext | undefined {
  const header = singleValue(value);
  if (header === undefined) return undefined;
  const start = traceparentStart(header);
  return start < 0 ? undefined : toRemoteSpanContext(header, start, undefined);
}

/**
 * Formats a span context as a version-00 `traceparent` (§3.2.4: emit the highest version
 * known, 00). Only the sampled and random flag bits are written. Does not validate the ids:
 * check them with `hasValidIds` first (the propagators do).
 */
export function formatTraceparent(context: SpanContext): string {
  return '00-' + context.traceId + '-' + context.spanId + FLAGS_SUFFIX[context.traceFlags & KNOWN_FLAGS];
}

// The ids validated last (by a parse or a check). Re-injecting a context we extracted, or
// the same span twice, then costs one string comparison instead of a 48-character scan.
// Holds two string references; allocates nothing. Initialised to a non-string sentinel.
const NONE: unknown = Object.freeze({});
let lastValidTraceId: unknown = NONE;
let lastValidSpanId: unknown = NONE;

/** True when the context's trace id and span id are valid W3C ids (lowercase hex, not all zeros). */
export function hasValidIds(context: SpanContext): boolean {
  const traceId: unknown = context.traceId;
  const spanId: unknown = context.spanId;
  if (traceId !== lastValidTraceId) {
    if (!isNonZeroLowerHex(traceId, 32)) return false;
    lastValidTraceId = traceId;
  }
  if (spanId !== lastValidSpanId) {
    if (!isNonZeroLowerHex(spanId, 16)) return false;
    lastValidSpanId = spanId;
  }
  return true;
}

/**
 * The span context to inject for `context` (its active span's, else the remote parent's), or
 * undefined when there is none or its ids are invalid. A `RecordingSpan`'s ids are valid by
 * construction (the tracer generates them or validated the parent's), so they are not rescanned.
 */
export function injectableSpanContext(context: Context): SpanContext | undefined {
  const span = context.span;
  if (span !== undefined) {
    const spanContext = span.spanContext();
    if (span instanceof RecordingSpan) return spanContext;
    return spanContext !== undefined && spanContext !== null && hasValidIds(spanContext) ? spanContext : undefined;
  }
  const remote = context.remote;
  return remote !== undefined && hasValidIds(remote) ? remote : undefined;
}
