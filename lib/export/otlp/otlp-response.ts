// Reading what a collector answers: ExportTraceServiceResponse.partial_success on success,
// google.rpc.Status (protobuf) or a JSON body on failure. Best effort: never throws.

/** Partial success: how many spans the collector rejected and why. */
export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

interface Field {
  field: number;
  wire: number;
  varint?: number;
  bytes?: Buffer;
}

/** Walks one protobuf message's top-level fields; stops quietly at malformed input. */
function* fields(buf: Buffer): Generator<Field> {
  let pos = 0;
  const varint = (): number | undefined => {
    let result = 0;
    let mul = 1;
    while (pos < buf.length) {
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
      if (mul > 2 ** 63) return undefined;
    }
    return undefined;
  };
  while (pos < buf.length) {
    const key = varint();
    if (key === undefined) return;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      const v = varint();
      if (v === undefined) return;
      yield { field, wire, varint: v };
    } else if (wire === 2) {
      const len = varint();
      if (len === undefined || pos + len > buf.length) return;
      yield { field, wire, bytes: buf.subarray(pos, pos + len) };
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else return;
  }
}

/** The partial_success of a response body, if it reports rejected spans or a message. */
export function readPartialSuccess(body: Buffer, json: boolean): PartialSuccess | undefined {
  try {
    if (body.length === 0) return undefined;
    if (json) {
      const parsed = JSON.parse(body.toString('utf8')) as { partialSuccess?: { rejectedSpans?: unknown; errorMessage?: unknown } };
      const ps = parsed?.partialSuccess;
      if (ps === undefined || ps === null) return undefined;
      const rejected = Number(ps.rejectedSpans ?? 0);
      const message = typeof ps.errorMessage === 'string' ? ps.errorMessage : '';
      return rejected > 0 || message !== '' ? { rejectedSpans: rejected, errorMessage: message } : undefined;
    }
    for (const f of fields(body)) {
      if (f.field !== 1 || f.bytes === undefined) continue;
      let rejected = 0;
      let message = '';
      for (const g of fields(f.bytes)) {
        if (g.field === 1 && g.varint !== undefined) rejected = g.varint;
        if (g.field === 2 && g.bytes !== undefined) message = g.bytes.toString('utf8');
      }
      return rejected > 0 || message !== '' ? { rejectedSpans: rejected, errorMessage: message } : undefined;
    }
  } catch {
    // not a response we understand: treat as full success
  }
  return undefined;
}

/** The collector's error message from a failed response: google.rpc.Status.message, a JSON `message`, or the text. */
export function readErrorMessage(body: Buffer, contentType: string | undefined): string {
  try {
    if (body.length === 0) return '';
    const type = (contentType ?? '').toLowerCase();
    if (type.includes('protobuf')) {
      for (const f of fields(body)) if (f.field === 2 && f.bytes !== undefined) return f.bytes.toString('utf8');
      return '';
    }
    const text = body.toString('utf8');
    if (type.includes('json') || text.startsWith('{')) {
      try {
        const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
        if (typeof parsed.message === 'string') return parsed.message;
        if (typeof parsed.error === 'string') return parsed.error;
      } catch {
        // fall through to the text
      }
    }
    return text.length > 300 ? `${text.slice(0, 300)}...` : text;
  } catch {
    return '';
  }
}
