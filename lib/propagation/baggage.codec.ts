import { Buffer } from 'node:buffer';
import { Baggage } from '../core/baggage.js';
import { diag } from '../core/diag.js';
import type { BaggageEntry } from '../core/types.js';
import { DETACH_ABOVE, detach, EQUALS, isOws, listValue, SEMICOLON } from './header-value.js';

/** Members kept when parsing and written when serializing (W3C Baggage, Header Content > Limits: at least 64). */
export const MAX_BAGGAGE_MEMBERS = 64;
/** Bytes of baggage-string kept and written, commas included (W3C Baggage, Header Content > Limits: at least 8192). */
export const MAX_BAGGAGE_BYTES = 8192;

const PERCENT = 0x25;
const HEX_UPPER = '0123456789ABCDEF';

// tchar (RFC 7230 §3.2.6): "!#$%&'*+-.^_`|~" DIGIT ALPHA — the baggage key grammar.
const TCHAR = new Uint8Array(128);
// baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E (W3C Baggage, Header Content > Definition).
const OCTET = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  TCHAR[c] = alnum || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c)) ? 1 : 0;
  OCTET[c] = c === 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) ? 1 : 0;
}
function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}
function isOctet(c: number): boolean {
  return c < 128 && OCTET[c] === 1;
}

/** True when `key` is a valid baggage key: a non-empty RFC 7230 token. */
export function isValidBaggageKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length === 0) return false;
  for (let i = 0; i < key.length; i++) if (!isTchar(key.charCodeAt(i))) return false;
  return true;
}

/**
 * Validates `s[start, end)` (already OWS-trimmed) as a property list (W3C Baggage, Definition and 'property'):
 * property *( OWS ";" OWS property ), property = key OWS [ "=" OWS value ].
 */
function isValidProperties(s: string, start: number, end: number): boolean {
  let i = start;
  for (;;) {
    while (i < end && isOws(s.charCodeAt(i))) i++;
    const keyStart = i;
    while (i < end && isTchar(s.charCodeAt(i))) i++;
    if (i === keyStart) return false;
    while (i < end && isOws(s.charCodeAt(i))) i++;
    if (i < end && s.charCodeAt(i) === EQUALS) {
      i++;
      while (i < end && isOws(s.charCodeAt(i))) i++;
      while (i < end && isOctet(s.charCodeAt(i))) i++;
      while (i < end && isOws(s.charCodeAt(i))) i++;
    }
    if (i === end) return true;
    if (s.charCodeAt(i) !== SEMICOLON) return false;
    i++;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Percent-decodes a value (W3C Baggage, 'value': "a URL encoded UTF-8 string"). A '%' not
 * followed by two hex digits stays as it is; bytes that are not UTF-8 become U+FFFD.
 */
function percentDecode(s: string, start: number, end: number): string {
  const bytes = Buffer.allocUnsafe(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === PERCENT && i + 2 < end) {
      const hi = hexValue(s.charCodeAt(i + 1));
      const lo = hexValue(s.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        bytes[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    bytes[n++] = c;
  }
  return bytes.toString('utf8', 0, n);
}

/** Percent-encodes a value: baggage-octets other than '%' stay, everything else is UTF-8 %XX. */
function percentEncode(value: string): string {
  let plain = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === PERCENT || !isOctet(c)) {
      plain = false;
      break;
    }
  }
  if (plain) return value;
  const bytes = Buffer.from(value, 'utf8'); // lone surrogates become U+FFFD, never throws
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += b !== PERCENT && isOctet(b) ? String.fromCharCode(b) : '%' + HEX_UPPER[b >> 4] + HEX_UPPER[b & 15];
  }
  return out;
}

/**
 * Parses one list-member `h[start, end)` (W3C Baggage, Definition):
 * key OWS "=" OWS value *( OWS ";" OWS property ). Returns undefined when it is invalid.
 */
function parseMember(h: string, start: number, end: number): [string, BaggageEntry] | undefined {
  let i = start;
  while (i < end && isTchar(h.charCodeAt(i))) i++;
  const keyEnd = i;
  if (keyEnd === start) return undefined;
  while (i < end && isOws(h.charCodeAt(i))) i++;
  if (i === end || h.charCodeAt(i) !== EQUALS) return undefined;
  i++;
  while (i < end && isOws(h.charCodeAt(i))) i++;
  const valueStart = i;
  let hasPercent = false;
  for (; i < end; i++) {
    const c = h.charCodeAt(i);
    if (!isOctet(c)) break;
    if (c === PERCENT) hasPercent = true;
  }
  const valueEnd = i;
  while (i < end && isOws(h.charCodeAt(i))) i++;
  let metadata: string | undefined;
  if (i < end) {
    if (h.charCodeAt(i) !== SEMICOLON) return undefined;
    i++;
    while (i < end && isOws(h.charCodeAt(i))) i++;
    if (i < end) {
      if (!isValidProperties(h, i, end)) return undefined;
      metadata = h.substring(i, end);
    }
  }
  const long = h.length > DETACH_ABOVE;
  let key = h.substring(start, keyEnd);
  let value = hasPercent ? percentDecode(h, valueStart, valueEnd) : h.substring(valueStart, valueEnd);
  if (long) {
    // Do not let kept entries pin a long header in memory (see `detach`).
    key = detach(key);
    if (!hasPercent) value = detach(value);
    if (metadata !== undefined) metadata = detach(metadata);
  }
  return [key, metadata === undefined ? { value } : { value, metadata }];
}

/**
 * Parses a W3C `baggage` header (several values are joined with ',' in order). Values are
 * percent-decoded; keys are tokens and kept as they are; properties are kept as one opaque
 * `metadata` string. An invalid member is skipped, not the whole header. At most 64 members
 * and 8192 bytes are kept; members past either limit are dropped. A repeated key keeps its
 * last value. Never throws; returns `Baggage.EMPTY` when nothing valid is found.
 */
export function parseBaggage(value: string | string[] | undefined): Baggage {
  const header = listValue(value);
  if (header === undefined || header.length === 0) return Baggage.EMPTY;
  const entries: Array<[string, BaggageEntry]> = [];
  const n = header.length;
  let bytes = 0;
  let start = 0;
  while (start <= n && entries.length < MAX_BAGGAGE_MEMBERS) {
    let end = header.indexOf(',', start);
    if (end < 0) end = n;
    let s = start;
    let e = end;
    while (s < e && isOws(header.charCodeAt(s))) s++;
    while (e > s && isOws(header.charCodeAt(e - 1))) e--;
    if (e > s) {
      const size = e - s + (entries.length === 0 ? 0 : 1);
      if (bytes + size <= MAX_BAGGAGE_BYTES) {
        const member = parseMember(header, s, e);
        if (member !== undefined) {
          entries.push(member);
          bytes += size;
        }
      }
    }
    start = end + 1;
  }
  return entries.length === 0 ? Baggage.EMPTY : Baggage.from(entries);
}

/**
 * Serializes baggage as a W3C `baggage` header value: `key=value;metadata` members joined
 * with ','. Values are percent-encoded; entries with an invalid key, a non-string value or
 * that would pass 64 members / 8192 bytes are left out (debug diagnostic); metadata that is
 * not a valid property list is left out. Returns '' when nothing can be sent.
 */
export function serializeBaggage(baggage: Baggage): string {
  let out = '';
  let count = 0;
  for (const [key, entry] of baggage.all()) {
    if (count === MAX_BAGGAGE_MEMBERS) {
      diag.debug(`baggage: more than ${MAX_BAGGAGE_MEMBERS} entries; the rest are not propagated`);
      break;
    }
    if (!isValidBaggageKey(key) || entry === null || typeof entry !== 'object' || typeof entry.value !== 'string') {
      diag.debug(`baggage: entry ${JSON.stringify(String(key)).slice(0, 80)} not propagated: keys must be RFC 7230 tokens and values strings`);
      continue;
    }
    let member = key + '=' + percentEncode(entry.value);
    const metadata = entry.metadata;
    if (typeof metadata === 'string') {
      let s = 0;
      let e = metadata.length;
      while (s < e && isOws(metadata.charCodeAt(s))) s++;
      while (e > s && isOws(metadata.charCodeAt(e - 1))) e--;
      if (e > s) {
        if (isValidProperties(metadata, s, e)) member += ';' + metadata.substring(s, e);
        else diag.debug(`baggage: metadata of ${JSON.stringify(key)} is not a valid property list; sent without it`);
      }
    }
    const size = member.length + (count === 0 ? 0 : 1);
    if (out.length + size > MAX_BAGGAGE_BYTES) {
      diag.debug(`baggage: entry ${JSON.stringify(key)} would pass ${MAX_BAGGAGE_BYTES} bytes; not propagated`);
      continue;
    }
    out += count === 0 ? member : ',' + member;
    count++;
  }
  return out;
}
