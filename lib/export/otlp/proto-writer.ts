import { ByteWriter } from './byte-writer.js';

/**
 * A minimal protobuf wire-format writer over one growing Buffer that is reused between
 * requests (encoding a batch allocates only the final copy).
 *
 * Length-delimited fields: `begin()` reserves ONE byte for the length and `end()` patches
 * it; when the body turned out to be 128 bytes or longer the body is moved right by the
 * extra varint bytes (a memmove of bytes already in cache). Every varint stays canonical.
 */
export class ProtoWriter extends ByteWriter {
  /** An unsigned varint below 2^32. */
  uint32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    value >>>= 0;
    while (value > 0x7f) {
      buf[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[pos++] = value;
    this.pos = pos;
  }

  /** A one-byte tag (field number below 16): `(field << 3) | wireType`. */
  tag(byte: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = byte;
  }

  /** int64 varint of a safe JS integer (negative: ten-byte two's complement). */
  int64(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    let lo: number;
    let hi: number;
    if (value >= 0) {
      lo = value >>> 0;
      hi = Math.floor(value / 4294967296) >>> 0;
    } else {
      const abs = -value;
      lo = abs >>> 0;
      hi = Math.floor(abs / 4294967296) >>> 0;
      // two's complement of the 64-bit magnitude
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
      if (lo === 0xffffffff) {
        lo = 0;
        hi = (hi + 1) >>> 0;
      } else lo = lo + 1;
    }
    while (hi > 0 || lo > 0x7f) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  /** fixed64 from its low and high 32-bit halves (little endian). */
  fixed64(lo: number, hi: number): void {
    this.ensure(8);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = lo;
    buf[pos + 1] = lo >>> 8;
    buf[pos + 2] = lo >>> 16;
    buf[pos + 3] = lo >>> 24;
    buf[pos + 4] = hi;
    buf[pos + 5] = hi >>> 8;
    buf[pos + 6] = hi >>> 16;
    buf[pos + 7] = hi >>> 24;
    this.pos = pos + 8;
  }

  fixed32(value: number): void {
    this.ensure(4);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = value;
    buf[pos + 1] = value >>> 8;
    buf[pos + 2] = value >>> 16;
    buf[pos + 3] = value >>> 24;
    this.pos = pos + 4;
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** A length-prefixed UTF-8 string. ASCII is copied byte by byte; anything else goes through Buffer.write. */
  string(value: string): void {
    const len = value.length;
    if (len < 128) {
      // worst case 3 bytes per UTF-16 unit, plus a 2-byte length
      this.ensure(len * 3 + 2);
      const buf = this.buf;
      const start = this.pos + 1;
      let pos = start;
      for (let i = 0; i < len; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) {
          this.stringSlow(value);
          return;
        }
        buf[pos++] = c;
      }
      buf[this.pos] = len;
      this.pos = pos;
      return;
    }
    this.stringSlow(value);
  }

  private stringSlow(value: string): void {
    const bytes = Buffer.byteLength(value, 'utf8');
    this.uint32(bytes);
    this.ensure(bytes);
    this.pos += this.buf.write(value, this.pos, bytes, 'utf8');
  }

  /** A length-prefixed byte string from lowercase (or uppercase) hex of even length. */
  hexBytes(hex: string): void {
    const n = hex.length >>> 1;
    this.ensure(n + 1);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = n; // ids are 8 or 16 bytes: a one-byte length
    for (let i = 0; i < hex.length; i += 2) {
      buf[pos++] = (hexValue(hex.charCodeAt(i)) << 4) | hexValue(hex.charCodeAt(i + 1));
    }
    this.pos = pos;
  }

  /** Starts a length-delimited body; returns the mark to pass to `end()`. */
  begin(): number {
    if (this.pos >= this.buf.length) this.ensure(1);
    return this.pos++;
  }

  /** Ends the body started at `mark`, writing its length (moving the body when the length needs more than one byte). */
  end(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 0x80) {
      this.buf[mark] = len;
      return;
    }
    const extra = len < 0x4000 ? 1 : len < 0x200000 ? 2 : len < 0x10000000 ? 3 : 4;
    this.ensure(extra);
    const buf = this.buf;
    buf.copyWithin(mark + 1 + extra, mark + 1, this.pos);
    let pos = mark;
    let v = len;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos] = v;
    this.pos += extra;
  }

  /** Appends raw bytes (a cached, already encoded message). */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }
}

function hexValue(c: number): number {
  // '0'-'9' 48-57, 'a'-'f' 97-102, 'A'-'F' 65-70
  return c <= 57 ? c - 48 : (c | 0x20) - 87;
}
