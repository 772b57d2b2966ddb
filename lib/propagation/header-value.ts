import { Buffer } from 'node:buffer';

// Small character-level helpers shared by the header codecs. Hot path: charCodeAt only,
// no regular expressions, no allocation.

export const DASH = 0x2d;
export const COMMA = 0x2c;
export const EQUALS = 0x3d;
export const SEMICOLON = 0x3b;
export const SPACE = 0x20;
export const TAB = 0x09;

// One character-class table for every grammar here, indexed by UTF-16 code unit (64 KiB,
// built once): a table load per character is cheaper than a chain of range comparisons,
// and code units above 0x7E simply have no class.
/** Lowercase hex digit (W3C Trace Context §3.2.2.3). */
export const C_HEX = 1;
/** tracestate keychar: lcalpha / DIGIT / "_" / "-" / "*" / "/" (§3.3.1.3.1). */
export const C_KEYCHAR = 2;
/** tracestate nblk-chr: %x21-2B / %x2D-3C / %x3E-7E (§3.3.1.3.2). */
export const C_NBLK = 4;
export const CHAR_CLASS = new Uint8Array(65536);
for (let c = 0x21; c <= 0x7e; c++) {
  let cls = 0;
  const digit = c >= 0x30 && c <= 0x39;
  const lower = c >= 0x61 && c <= 0x7a;
  if (digit || (c >= 0x61 && c <= 0x66)) cls |= C_HEX;
  if (digit || lower || c === 0x5f || c === 0x2d || c === 0x2a || c === 0x2f) cls |= C_KEYCHAR;
  if (c !== 0x2c && c !== 0x3d) cls |= C_NBLK;
  CHAR_CLASS[c] = cls;
}

/** OWS = *( SP / HTAB ) (RFC 7230 §3.2.3). */
export function isOws(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** The value of a lowercase hex digit, or -1 (uppercase is rejected: W3C Trace Context §3.2.2.1). */
export function lowerHexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * True when `s` is exactly `length` lowercase hex digits and not all zeros
 * (W3C Trace Context §3.2.2.3 trace-id, §3.2.2.4 parent-id).
 */
export function isNonZeroLowerHex(s: unknown, length: number): boolean {
  if (typeof s !== 'string' || s.length !== length) return false;
  let all = C_HEX;
  let nonZero = 0;
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i);
    all &= CHAR_CLASS[c];
    nonZero |= c ^ 0x30;
  }
  return all !== 0 && nonZero !== 0;
}

/**
 * A header that may occur once (traceparent, b3): a string, or a one-element array.
 * Two or more values are invalid (the W3C Trace Context test suite's duplicated-traceparent
 * case: the trace restarts), and so is anything that is not a string.
 */
export function singleValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  return undefined;
}

/**
 * A list header that may be split over several fields (tracestate, baggage): the values
 * joined with ',' in order (RFC 7230 §3.2.2 field order). Non-string parts make it invalid.
 */
export function listValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return undefined;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return undefined;
  return value.length === 1 ? (value[0] as string) : value.join(',');
}

/** Above this length a parsed header's pieces are copied rather than sliced (see `detach`). */
export const DETACH_ABOVE = 512;

/**
 * A copy of an ASCII string that shares no memory with the string it was cut from. V8 makes
 * substrings of 13+ characters "slices" that keep their whole parent alive; ids cut from a
 * padded, megabyte-long header must not pin that header for the life of the trace. Only used
 * on long (rare) inputs.
 */
export function detach(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1');
}
