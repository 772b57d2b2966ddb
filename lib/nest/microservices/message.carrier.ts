import type { Tracer } from '../../core/tracer.js';

/** Keys a W3C propagator writes; an outgoing message never keeps a stale copy of them. */
const TRACE_KEYS: readonly string[] = ['traceparent', 'tracestate', 'baggage'];

export type StringCarrier = Record<string, string>;

/** The active trace context as a fresh `{ traceparent, tracestate?, baggage? }`, or undefined when there is none. */
export function injectedCarrier(tracer: Tracer): StringCarrier | undefined {
  const carrier: StringCarrier = {};
  tracer.inject(carrier);
  for (const _ in carrier) return carrier;
  return undefined;
}

/** True when `key` must be replaced by what `carrier` holds (letter case ignored). */
export function isReplacedKey(key: string, carrier: StringCarrier): boolean {
  const lower = key.toLowerCase();
  return TRACE_KEYS.includes(lower) || Object.prototype.hasOwnProperty.call(carrier, lower);
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A copy of the user's headers/metadata object with `carrier` merged in: every existing
 * traceparent/tracestate/baggage entry, whatever its letter case, is replaced, never
 * duplicated. A non-object `existing` is kept out of the copy (it could not hold headers).
 */
export function mergeCarrier(existing: unknown, carrier: StringCarrier): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  if (isPlainRecord(existing)) {
    for (const key of Object.keys(existing)) if (!isReplacedKey(key, carrier)) merged[key] = existing[key];
  }
  for (const key of Object.keys(carrier)) merged[key] = carrier[key];
  return merged;
}

function text(value: unknown): string | string[] | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value) {
      const one = text(item);
      if (typeof one === 'string') out.push(one);
    }
    return out.length === 1 ? out[0] : out;
  }
  return undefined;
}

/**
 * Reads a transport's headers into a plain `{ lowercase key: string }` carrier (what the
 * propagators read): plain objects (AMQP headers, MQTT 5 user properties, packet
 * metadata) with string or Buffer values (Kafka), and NATS `MsgHdrs`-like objects
 * (`keys()` + `get()`). Anything else gives undefined: a new root trace.
 */
export function readCarrier(source: unknown): Record<string, string | string[]> | undefined {
  if (source === null || typeof source !== 'object') return undefined;
  const out: Record<string, string | string[]> = {};
  let found = false;
  const headersLike = source as { keys?: unknown; get?: unknown };
  if (typeof headersLike.keys === 'function' && typeof headersLike.get === 'function' && !(source instanceof Map)) {
    const keys = (headersLike.keys as () => Iterable<string>).call(source);
    for (const key of keys) {
      const value = text((headersLike.get as (k: string) => unknown).call(source, key));
      if (value !== undefined) {
        out[String(key).toLowerCase()] = value;
        found = true;
      }
    }
    return found ? out : undefined;
  }
  const record = source as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const lower = key.toLowerCase();
    const value = text(record[key]);
    if (value !== undefined) {
      out[lower] = value;
      found = true;
    }
  }
  return found ? out : undefined;
}
