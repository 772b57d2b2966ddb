import { ByteWriter } from './byte-writer.js';

const HEX = '0123456789abcdef';
/** Characters a JSON string cannot carry as they are, plus everything outside ASCII. */
const NEEDS_CARE = /[\u0000-\u001f"\\\u007f-\uffff]/;
/** From this length a native latin1 copy beats a byte loop. */
const NATIVE_COPY = 24;

/**
 * Writes JSON text as UTF-8 straight into a reused Buffer: no intermediate strings, no
 * rope flattening. Strings are escaped as JSON.stringify does (control characters,
 * quote, backslash, and lone surrogates as \uXXXX).
 */
export class JsonWriter extends ByteWriter {
  /** Raw ASCII text (field names, punctuation, numbers). */
  ascii(text: string): void {
    const len = text.length;
    if (this.pos + len > this.buf.length) this.ensure(len);
    if (len >= NATIVE_COPY) {
      this.pos += this.buf.write(text, this.pos, len, 'latin1');
      return;
    }
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < len; i++) buf[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  /** One ASCII character by its code. */
  char(code: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = code;
  }

  /** A safe integer's decimal digits, without quotes. */
  integer(value: number): void {
    this.ensure(21);
    const buf = this.buf;
    let pos = this.pos;
    if (value < 0) {
      buf[pos++] = 0x2d;
      value = -value;
    }
    if (value < 10) {
      buf[pos++] = 0x30 + value;
      this.pos = pos;
      return;
    }
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    let end = pos + digits;
    this.pos = end;
    while (end > pos) {
      const q = Math.floor(value / 10);
      buf[--end] = 0x30 + (value - q * 10);
      value = q;
    }
  }

  /** `seconds` then `subSeconds` as exactly nine digits: a nanosecond timestamp's decimal form. */
  nanos(seconds: number, subSeconds: number): void {
    this.integer(seconds);
    this.ensure(9);
    const buf = this.buf;
    let end = this.pos + 9;
    this.pos = end;
    for (let i = 0; i < 9; i++) {
      const q = Math.floor(subSeconds / 10);
      buf[--end] = 0x30 + (subSeconds - q * 10);
      subSeconds = q;
    }
  }

  /** Raw bytes (a cached, already encoded fragment). */
  bytes(fragment: Uint8Array): void {
    const len = fragment.length;
    this.ensure(len);
    const buf = this.buf;
    let pos = this.pos;
    if (len >= 64) {
      buf.set(fragment, pos);
      this.pos = pos + len;
      return;
    }
    for (let i = 0; i < len; i++) buf[pos++] = fragment[i]!;
    this.pos = pos;
  }

  /** A quoted, escaped JSON string. */
  string(value: string): void {
    const len = value.length;
    // worst case: 6 bytes (\uXXXX) per UTF-16 unit, plus the quotes
    if (this.pos + len * 6 + 2 > this.buf.length) this.ensure(len * 6 + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = 0x22;
    if (len >= NATIVE_COPY && !NEEDS_CARE.test(value)) {
      pos += buf.write(value, pos, len, 'latin1');
      buf[pos++] = 0x22;
      this.pos = pos;
      return;
    }
    for (let i = 0; i < len; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
          buf[pos++] = c;
          continue;
        }
        buf[pos++] = 0x5c;
        switch (c) {
          case 0x22:
            buf[pos++] = 0x22;
            break;
          case 0x5c:
            buf[pos++] = 0x5c;
            break;
          case 0x0a:
            buf[pos++] = 0x6e; // n
            break;
          case 0x0d:
            buf[pos++] = 0x72; // r
            break;
          case 0x09:
            buf[pos++] = 0x74; // t
            break;
          case 0x08:
            buf[pos++] = 0x62; // b
            break;
          case 0x0c:
            buf[pos++] = 0x66; // f
            break;
          default:
            pos = unicodeEscape(buf, pos, c);
        }
      } else if (c < 0x800) {
        buf[pos++] = 0xc0 | (c >> 6);
        buf[pos++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < len ? value.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          buf[pos++] = 0xf0 | (cp >> 18);
          buf[pos++] = 0x80 | ((cp >> 12) & 0x3f);
          buf[pos++] = 0x80 | ((cp >> 6) & 0x3f);
          buf[pos++] = 0x80 | (cp & 0x3f);
          i++;
        } else {
          buf[pos++] = 0x5c;
          pos = unicodeEscape(buf, pos, c); // a lone surrogate, as JSON.stringify writes it
        }
      } else {
        buf[pos++] = 0xe0 | (c >> 12);
        buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
        buf[pos++] = 0x80 | (c & 0x3f);
      }
    }
    buf[pos++] = 0x22;
    this.pos = pos;
  }
}

/** Writes `uXXXX` (the backslash is already written); returns the new position. */
function unicodeEscape(buf: Buffer, pos: number, c: number): number {
  buf[pos++] = 0x75;
  buf[pos++] = HEX.charCodeAt((c >> 12) & 15);
  buf[pos++] = HEX.charCodeAt((c >> 8) & 15);
  buf[pos++] = HEX.charCodeAt((c >> 4) & 15);
  buf[pos++] = HEX.charCodeAt(c & 15);
  return pos;
}
