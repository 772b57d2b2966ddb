import { randomFillSync } from 'node:crypto';

/** A 32-character lowercase hex W3C trace id. Branded so it cannot be passed where a span id is expected. */
export type TraceId = string & { readonly __brand: 'TraceId' };
/** A 16-character lowercase hex W3C span (parent) id. */
export type SpanId = string & { readonly __brand: 'SpanId' };

export const INVALID_TRACE_ID = '00000000000000000000000000000000' as TraceId;
export const INVALID_SPAN_ID = '0000000000000000' as SpanId;

// Random bytes are drawn 4 KiB at a time and hex-encoded once; an id is then a
// substring of that pool (one small allocation, no per-id crypto call).
const POOL_BYTES = 4096;
const bytes = Buffer.allocUnsafe(POOL_BYTES);
let hex = '';
let offset = 0;

function take(chars: number): string {
  if (offset + chars > hex.length) {
    randomFillSync(bytes);
    hex = bytes.toString('hex');
    offset = 0;
  }
  const id = hex.substring(offset, offset + chars);
  offset += chars;
  return id;
}

/** A new random trace id, never all zeros (W3C Trace Context §3.2.2.3). */
export function newTraceId(): TraceId {
  let id = take(32);
  while (id === INVALID_TRACE_ID) id = take(32);
  return id as TraceId;
}

/** A new random span id, never all zeros (W3C Trace Context §3.2.2.4). */
export function newSpanId(): SpanId {
  let id = take(16);
  while (id === INVALID_SPAN_ID) id = take(16);
  return id as SpanId;
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
