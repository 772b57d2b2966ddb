import { randomFillSync } from 'node:crypto';

/** A 32-character lowercase hex W3C trace id. Branded so it cannot be passed where a span id is expected. */
export type TraceId = string & { readonly __brand: 'TraceId' };
/** A 16-character lowercase hex W3C span (parent) id. */
export type SpanId = string & { readonly __brand: 'SpanId' };

export const INVALID_TRACE_ID = '00000000000000000000000000000000' as TraceId;
export const INVALID_SPAN_ID = '0000000000000000' as SpanId;

// Random bytes are drawn 64 KiB at a time (one crypto call: its fixed cost dominated with
// small pools) and hex-encoded 8 KiB at a time (longer strings encode slower per byte); an
// id is then a substring of the current hex window (one small allocation, no per-id crypto
// call). The all-zero check reads the pool's bytes, not the string: an id can only be all
// zeros when its first byte is, so the common path costs one typed-array load.
const RANDOM_BYTES = 65536;
const WINDOW_BYTES = 8192;
const WINDOW_CHARS = WINDOW_BYTES * 2;
const bytes = Buffer.allocUnsafe(RANDOM_BYTES);
/** Byte offset in `bytes` of the window `hex` encodes. */
let window = RANDOM_BYTES;
let hex = '';
let offset = WINDOW_CHARS;

function refill(): void {
  window += WINDOW_BYTES;
  if (window >= RANDOM_BYTES) {
    randomFillSync(bytes);
    window = 0;
  }
  hex = bytes.toString('hex', window, window + WINDOW_BYTES);
  offset = 0;
}

/** True when the `chars / 2` pool bytes behind the hex offset `at` are all zero. */
function zeroAt(at: number, chars: number): boolean {
  for (let i = window + (at >> 1), end = i + (chars >> 1); i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

function take(chars: number): string {
  for (;;) {
    if (offset + chars > WINDOW_CHARS) refill();
    const at = offset;
    offset += chars;
    if (bytes[window + (at >> 1)] !== 0 || !zeroAt(at, chars)) return hex.substring(at, at + chars);
  }
}

/** A new random trace id, never all zeros (W3C Trace Context §3.2.2.3). */
export function newTraceId(): TraceId {
  return take(32) as TraceId;
}

/** A new random span id, never all zeros (W3C Trace Context §3.2.2.4). */
export function newSpanId(): SpanId {
  return take(16) as SpanId;
}

const TRACE_ID_RE = /^[0-9a-f]{32}$/;
const SPAN_ID_RE = /^[0-9a-f]{16}$/;

/** True for a 32-char lowercase hex id that is not all zeros. */
export function isValidTraceId(id: unknown): id is TraceId {
  return typeof id === 'string' && TRACE_ID_RE.test(id) && id !== INVALID_TRACE_ID;
}

/** True for a 16-char lowercase hex id that is not all zeros. */
export function isValidSpanId(id: unknown): id is SpanId {
  return typeof id === 'string' && SPAN_ID_RE.test(id) && id !== INVALID_SPAN_ID;
}
