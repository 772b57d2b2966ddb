import { Buffer } from 'node:buffer';
import type { CarrierGetter, CarrierSetter } from '../core/types.js';

type AnyRecord = Record<string, unknown>;
interface GetLike {
  get(key: string): unknown;
}

/** ASCII case-insensitive equality of two strings of the same length (header names are ASCII). */
function equalsIgnoreCase(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0x41 && x <= 0x5a) x += 0x20;
    if (y >= 0x41 && y <= 0x5a) y += 0x20;
    if (x !== y) return false;
  }
  return true;
}

/** A string as it is; bytes (Kafka header values, gRPC metadata) decoded as UTF-8; else undefined. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  return undefined;
}

/**
 * Keeps strings and arrays of strings; byte values become UTF-8 strings; other values (and
 * other array items) are dropped, so a non-text value reads as absent.
 */
function normalize(value: unknown): string | string[] | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return text(value);
  let allStrings = true;
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== 'string') {
      allStrings = false;
      break;
    }
  }
  if (allStrings) return value.length === 0 ? undefined : value.length === 1 ? (value[0] as string) : (value as string[]);
  const strings: string[] = [];
  for (const item of value) {
    const t = text(item);
    if (t !== undefined) strings.push(t);
  }
  return strings.length === 0 ? undefined : strings.length === 1 ? strings[0] : strings;
}

/** Case-insensitive lookup in a Map, exact key first. */
function mapGet(map: Map<unknown, unknown>, key: string): unknown {
  const exact = map.get(key);
  if (exact !== undefined) return exact;
  for (const [k, v] of map) {
    if (typeof k === 'string' && k.length === key.length && equalsIgnoreCase(k, key)) return v;
  }
  return undefined;
}

/**
 * The default carrier reader used when no getter is passed. Works on plain objects (Node's
 * `IncomingHttpHeaders`, message metadata), `Map`s, Fetch `Headers` and anything else with a
 * `get(key)` method (gRPC `Metadata` returns an array; Express `req.get` works too). Key lookup
 * is case-insensitive, with the exact lowercase key tried first; values are strings or arrays
 * of strings (bytes, as in Kafka headers, are decoded as UTF-8); anything else reads as absent.
 */
export const defaultGetter: CarrierGetter = {
  keys(carrier: unknown): string[] {
    if (carrier === null || typeof carrier !== 'object') return [];
    if (carrier instanceof Map) return [...carrier.keys()].filter((k): k is string => typeof k === 'string');
    const c = carrier as { keys?: unknown; getMap?: unknown };
    if (typeof c.getMap === 'function') return Object.keys((c.getMap as () => object).call(carrier) ?? {});
    if (typeof (carrier as GetLike).get === 'function' && typeof c.keys === 'function') {
      return [...(c.keys as () => Iterable<string>).call(carrier)];
    }
    return Object.keys(carrier);
  },

  get(carrier: unknown, key: string): string | string[] | undefined {
    if (carrier === null || typeof carrier !== 'object') return undefined;
    const record = carrier as AnyRecord;
    // Fast path: a plain object holding the exact (lowercase) key, as Node's headers do.
    const exact = record[key];
    if (exact !== undefined && typeof exact !== 'function') return normalize(exact);
    if (carrier instanceof Map) return normalize(mapGet(carrier, key));
    if (typeof (carrier as GetLike).get === 'function') {
      const value = (carrier as GetLike).get(key);
      return value === null ? undefined : normalize(value);
    }
    for (const k in record) {
      if (k.length === key.length && equalsIgnoreCase(k, key)) return normalize(record[k]);
    }
    return undefined;
  },
};

/**
 * The default carrier writer used when no setter is passed. On a plain object (or a `Map`)
 * it first deletes every key equal to `key` ignoring case, then writes the lowercase key,
 * so `traceparent` and `Traceparent` never coexist. On an object with `set(key, value)`
 * (Fetch `Headers`, gRPC `Metadata`, Express `res`) it calls `set`; with `setHeader`
 * (Node's `ClientRequest`/`ServerResponse`) it calls that. Both of those replace case-insensitively.
 */
export const defaultSetter: CarrierSetter = {
  set(carrier: unknown, key: string, value: string): void {
    if (carrier === null || typeof carrier !== 'object') return;
    const name = key.toLowerCase();
    if (carrier instanceof Map) {
      for (const k of carrier.keys()) {
        if (typeof k === 'string' && k !== name && k.length === name.length && equalsIgnoreCase(k, name)) carrier.delete(k);
      }
      carrier.set(name, value);
      return;
    }
    const c = carrier as { set?: unknown; setHeader?: unknown };
    if (typeof c.set === 'function') {
      (c.set as (k: string, v: string) => unknown).call(carrier, name, value);
      return;
    }
    if (typeof c.setHeader === 'function') {
      (c.setHeader as (k: string, v: string) => unknown).call(carrier, name, value);
      return;
    }
    const record = carrier as AnyRecord;
    for (const k in record) {
      if (k !== name && k.length === name.length && equalsIgnoreCase(k, name)) delete record[k];
    }
    record[name] = value;
  },
};

/**
 * Removes every key equal to `key` ignoring case from a carrier the default setter handles
 * (plain object, `Map`, or an object with `delete`/`removeHeader`). Used so an inject that
 * writes no `tracestate` does not leave a stale one next to a new `traceparent`.
 */
export function removeCarrierKey(carrier: unknown, key: string): void {
  if (carrier === null || typeof carrier !== 'object') return;
  if (carrier instanceof Map) {
    for (const k of carrier.keys()) {
      if (typeof k === 'string' && k.length === key.length && equalsIgnoreCase(k, key)) carrier.delete(k);
    }
    return;
  }
  const c = carrier as { set?: unknown; delete?: unknown; remove?: unknown; setHeader?: unknown; removeHeader?: unknown };
  if (typeof c.set === 'function') {
    if (typeof c.delete === 'function') (c.delete as (k: string) => unknown).call(carrier, key);
    else if (typeof c.remove === 'function') (c.remove as (k: string) => unknown).call(carrier, key);
    return;
  }
  if (typeof c.setHeader === 'function') {
    if (typeof c.removeHeader === 'function') (c.removeHeader as (k: string) => unknown).call(carrier, key);
    return;
  }
  const record = carrier as AnyRecord;
  for (const k in record) {
    if (k.length === key.length && equalsIgnoreCase(k, key)) delete record[k];
  }
}

/**
 * @internal Writes `first` and, when `secondValue` is not empty, `second` (else removes any
 * `second` key) with the default setter's rules, in one pass over a plain object's keys.
 * Both keys must be lowercase. Other carriers go through `defaultSetter` / `removeCarrierKey`.
 */
export function setPair(carrier: unknown, first: string, firstValue: string, second: string, secondValue: string): void {
  if (carrier === null || typeof carrier !== 'object') return;
  const c = carrier as { set?: unknown; setHeader?: unknown };
  if (carrier instanceof Map || typeof c.set === 'function' || typeof c.setHeader === 'function') {
    defaultSetter.set(carrier, first, firstValue);
    if (secondValue.length > 0) defaultSetter.set(carrier, second, secondValue);
    else removeCarrierKey(carrier, second);
    return;
  }
  const record = carrier as AnyRecord;
  const removeSecond = secondValue.length === 0;
  for (const k in record) {
    if (k.length === first.length && k !== first && equalsIgnoreCase(k, first)) {
      delete record[k];
    } else if (k.length === second.length && (removeSecond || k !== second) && equalsIgnoreCase(k, second)) {
      delete record[k];
    }
  }
  record[first] = firstValue;
  if (!removeSecond) record[second] = secondValue;
}
