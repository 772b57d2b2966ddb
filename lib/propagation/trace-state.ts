import { diag } from '../core/diag.js';
import type { TraceState } from '../core/types.js';
import { C_KEYCHAR, C_NBLK, CHAR_CLASS, COMMA, DETACH_ABOVE, detach, EQUALS, isOws, listValue, SPACE, TAB } from './header-value.js';

/** W3C Trace Context §3.3.1.2 (list): at most 32 list-members. */
export const MAX_TRACE_STATE_MEMBERS = 32;

// keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" (W3C Trace Context §3.3.1.3.1).
function isLcAlpha(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isKeyChar(c: number): boolean {
  return isLcAlpha(c) || isDigit(c) || c === 0x5f || c === 0x2d || c === 0x2a || c === 0x2f;
}

/**
 * Validates `s[start, end)` as a tracestate key (§3.3.1.3.1):
 * simple-key = lcalpha 0*255(keychar);
 * multi-tenant-key = tenant-id "@" system-id, tenant-id = (lcalpha / DIGIT) 0*240(keychar),
 * system-id = lcalpha 0*13(keychar).
 */
function isValidKeyRange(s: string, start: number, end: number): boolean {
  let at = -1;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x40) {
      if (at >= 0) return false;
      at = i;
    } else if (!isKeyChar(c)) {
      return false;
    }
  }
  return isValidKeyShape(s, start, end, at);
}

/** Lengths and first characters of a key whose characters were checked; `at` is the '@' index or -1. */
function isValidKeyShape(s: string, start: number, end: number, at: number): boolean {
  const length = end - start;
  if (length < 1) return false;
  const first = s.charCodeAt(start);
  if (at < 0) return length <= 256 && isLcAlpha(first);
  const tenant = at - start;
  const system = end - at - 1;
  return (
    tenant >= 1 &&
    tenant <= 241 &&
    (isLcAlpha(first) || isDigit(first)) &&
    system >= 1 &&
    system <= 14 &&
    isLcAlpha(s.charCodeAt(at + 1))
  );
}

/**
 * Validates a whole string as a tracestate value (§3.3.1.3.2):
 * value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E.
 * So 1 to 256 printable characters, no ',' or '=', not ending in a space.
 */
function isValidValue(v: string): boolean {
  const length = v.length;
  if (length < 1 || length > 256 || v.charCodeAt(length - 1) === SPACE) return false;
  for (let i = 0; i < length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === COMMA || c === EQUALS) return false;
  }
  return true;
}

/** True when `key` is a valid tracestate key (simple or `tenant@system`). */
export function isValidTraceStateKey(key: unknown): key is string {
  return typeof key === 'string' && isValidKeyRange(key, 0, key.length);
}

/** True when `value` is a valid tracestate value. */
export function isValidTraceStateValue(value: unknown): value is string {
  return typeof value === 'string' && isValidValue(value);
}

// Scratch space for one synchronous scan: where each member's key starts and ends and
// where its value ends. Reused, so validating a header allocates nothing.
const KEY_START = new Int32Array(MAX_TRACE_STATE_MEMBERS);
const KEY_END = new Int32Array(MAX_TRACE_STATE_MEMBERS);
const VALUE_END = new Int32Array(MAX_TRACE_STATE_MEMBERS);

/**
 * Scans a combined tracestate header. Returns the number of members (0 when there are none),
 * -1 when any member is invalid, a key repeats or there are more than 32 members (§3.3.1.2:
 * the whole tracestate is then discarded), or -2 - count when it is valid but not already in
 * canonical form (OWS or empty members present).
 */
function scan(h: string): number {
  const n = h.length;
  let count = 0;
  let canonical = true;
  let i = 0;
  for (;;) {
    // list-member = OWS (an empty member), or key "=" value with OWS around it (§3.3.1.1, §3.3.1.2).
    const memberStart = i;
    while (i < n && isOws(h.charCodeAt(i))) i++;
    if (i !== memberStart) canonical = false;
    if (i === n || h.charCodeAt(i) === COMMA) {
      if (n !== 0) canonical = false; // empty member: skipped, not re-emitted (§3.3.1.1)
    } else {
      if (count === MAX_TRACE_STATE_MEMBERS) return -1;
      // key and "=" in one pass (§3.3.1.3.1); the lengths and first characters are checked after.
      const keyStart = i;
      let at = -1;
      for (; i < n; i++) {
        const c = h.charCodeAt(i);
        if ((CHAR_CLASS[c] & C_KEYCHAR) !== 0) continue;
        if (c === EQUALS) break;
        if (c !== 0x40 || at >= 0) return -1;
        at = i;
      }
      if (i === n) return -1;
      const keyEnd = i;
      if (!isValidKeyShape(h, keyStart, keyEnd, at)) return -1;
      i++; // "="
      const valueStart = i;
      let lastNonBlank = -1;
      let firstTab = -1;
      for (; i < n; i++) {
        const c = h.charCodeAt(i);
        if ((CHAR_CLASS[c] & C_NBLK) !== 0) {
          lastNonBlank = i;
          continue;
        }
        if (c === COMMA) break;
        if (c === SPACE) continue;
        if (c !== TAB) return -1;
        if (firstTab < 0) firstTab = i;
      }
      // The value must end in a nblk-chr; trailing spaces/tabs are OWS, a tab inside is invalid.
      if (lastNonBlank < 0) return -1;
      const valueEnd = lastNonBlank + 1;
      if (valueEnd - valueStart > 256) return -1;
      if (firstTab >= 0 && firstTab < valueEnd) return -1;
      if (valueEnd !== i) canonical = false;
      // §3.3.1.4 combined header: only one entry per key.
      const keyLength = keyEnd - keyStart;
      for (let m = 0; m < count; m++) {
        if (KEY_END[m] - KEY_START[m] !== keyLength) continue;
        let same = true;
        for (let k = 0; k < keyLength; k++) {
          if (h.charCodeAt(KEY_START[m] + k) !== h.charCodeAt(keyStart + k)) {
            same = false;
            break;
          }
        }
        if (same) return -1;
      }
      KEY_START[count] = keyStart;
      KEY_END[count] = keyEnd;
      VALUE_END[count] = valueEnd;
      count++;
    }
    if (i >= n) break;
    i++; // ","
    if (i === n) canonical = false; // trailing comma: an empty last member
  }
  return canonical ? count : -2 - count;
}

/**
 * An immutable W3C `tracestate` (Trace Context §3.3). A parsed header is kept as its
 * canonical string and split into entries only when `get`/`set`/`unset` need them, so
 * extracting and re-injecting an unchanged tracestate allocates nothing. A state made by the
 * propagator's `extract` validates its header on first use (as OpenTelemetry's does): an
 * invalid header then reads as empty, so it is never re-sent nor exported (§3.3: discarded). `set` moves the key
 * to the front (§3.5 "Modified keys MUST be moved to the beginning"); an invalid key or value
 * is ignored (the same state is returned, with a debug diagnostic); when a 33rd key is added
 * the rightmost entry is dropped. Start from `W3CTraceState.EMPTY`.
 */
export class W3CTraceState implements TraceState {
  /** The empty trace state. */
  static readonly EMPTY = new W3CTraceState('', [], []);

  private constructor(
    private header: string | undefined,
    private keys: string[] | undefined,
    private values: string[] | undefined,
    /** A received header not validated yet (see `deferred`). */
    private pending?: string,
  ) {}

  /** @internal A state for an already validated canonical header. */
  static fromCanonical(header: string): W3CTraceState {
    return new W3CTraceState(header, undefined, undefined);
  }

  /** @internal A state for a received header, validated on first use. */
  static deferred(raw: string): W3CTraceState {
    return new W3CTraceState(undefined, undefined, undefined, raw);
  }

  /** Validates a deferred header: its canonical form, or empty when it is invalid. */
  private settle(raw: string): void {
    this.pending = undefined;
    const parsed = parseTraceState(raw);
    if (parsed === undefined) {
      diag.debug('tracestate: an invalid or empty received tracestate was dropped (W3C Trace Context §3.3)');
      this.header = '';
      this.keys = [];
      this.values = [];
    } else {
      this.header = parsed.serialize();
    }
  }

  /** The number of entries. */
  get size(): number {
    return this.entryKeys().length;
  }

  get(key: string): string | undefined {
    const keys = this.entryKeys();
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.values![i];
    return undefined;
  }

  set(key: string, value: string): W3CTraceState {
    if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) {
      diag.debug(`tracestate: ignored set of an invalid key or value (key ${JSON.stringify(String(key)).slice(0, 80)}); keys are [a-z][a-z0-9_-*/]{0,255} or tenant@system, values 1-256 printable characters without ',' or '='`);
      return this;
    }
    const keys = this.entryKeys();
    const values = this.values!;
    const newKeys = [key];
    const newValues = [value];
    for (let i = 0; i < keys.length && newKeys.length < MAX_TRACE_STATE_MEMBERS; i++) {
      if (keys[i] === key) continue;
      newKeys.push(keys[i]);
      newValues.push(values[i]);
    }
    return new W3CTraceState(undefined, newKeys, newValues);
  }

  unset(key: string): W3CTraceState {
    const keys = this.entryKeys();
    const index = keys.indexOf(key);
    if (index < 0) return this;
    const newKeys = keys.slice();
    const newValues = this.values!.slice();
    newKeys.splice(index, 1);
    newValues.splice(index, 1);
    return newKeys.length === 0 ? W3CTraceState.EMPTY : new W3CTraceState(undefined, newKeys, newValues);
  }

  /** The header value: members joined with ',', no OWS, in order; '' when empty. Cached. */
  serialize(): string {
    if (this.pending !== undefined) this.settle(this.pending);
    if (this.header === undefined) {
      const keys = this.keys!;
      const values = this.values!;
      let out = '';
      for (let i = 0; i < keys.length; i++) out += (i === 0 ? '' : ',') + keys[i] + '=' + values[i];
      this.header = out;
    }
    return this.header;
  }

  /** Entries in order, as [key, value] pairs. */
  entries(): Array<[string, string]> {
    const keys = this.entryKeys();
    return keys.map((k, i) => [k, this.values![i]] as [string, string]);
  }

  private entryKeys(): string[] {
    if (this.pending !== undefined) this.settle(this.pending);
    if (this.keys === undefined) {
      // The header was validated and is canonical: "k=v,k=v" with no OWS; values hold no '='.
      const keys: string[] = [];
      const values: string[] = [];
      const h = this.header!;
      if (h.length > 0) {
        for (const member of h.split(',')) {
          const eq = member.indexOf('=');
          keys.push(member.substring(0, eq));
          values.push(member.substring(eq + 1));
        }
      }
      this.keys = keys;
      this.values = values;
    }
    return this.keys;
  }
}

/**
 * Parses a W3C `tracestate` header (Trace Context §3.3); several values are joined with ','
 * in order. Returns `undefined` when there is no member, and also when ANY member is invalid,
 * a key repeats or there are more than 32 members: the whole tracestate is then dropped.
 * OWS around members and empty members are removed. Never throws.
 */
export function parseTraceState(value: string | string[] | undefined): W3CTraceState | undefined {
  const header = listValue(value);
  if (header === undefined) return undefined;
  const result = scan(header);
  if (result === 0 || result === -1) return undefined;
  if (result > 0) return W3CTraceState.fromCanonical(header);
  // Valid, but with OWS or empty members: rebuild the canonical form from the positions.
  const count = -2 - result;
  if (count === 0) return undefined;
  let canonical = '';
  for (let m = 0; m < count; m++) {
    canonical += (m === 0 ? '' : ',') + header.substring(KEY_START[m], VALUE_END[m]);
  }
  return W3CTraceState.fromCanonical(header.length > DETACH_ABOVE ? detach(canonical) : canonical);
}

/**
 * The header value to inject for any TraceState implementation, or '' when it must not be
 * sent: ours is valid by construction; another implementation's output is validated.
 */
export function traceStateHeader(state: TraceState): string {
  if (state instanceof W3CTraceState) return state.serialize();
  const s = state.serialize();
  if (typeof s !== 'string' || s.length === 0) return '';
  return scan(s) > 0 ? s : (parseTraceState(s)?.serialize() ?? '');
}

/**
 * @internal For `extract`: a state whose validation waits for its first use (most received
 * tracestates are only passed on or exported, and many never are). Returns undefined for a
 * missing or empty header; a long header (over 512 characters) is validated at once so that
 * nothing holds on to it.
 */
export function parseTraceStateDeferred(value: unknown): W3CTraceState | undefined {
  const header = listValue(value);
  if (header === undefined || header.length === 0) return undefined;
  return header.length > DETACH_ABOVE ? parseTraceState(header) : W3CTraceState.deferred(header);
}
