/**
 * A loopback OTLP/HTTP trace receiver for tests: decodes what it receives with the official
 * OpenTelemetry protobuf definitions (@opentelemetry/otlp-transformer 0.52.1), handles gzip,
 * and misbehaves on demand.
 *
 *   const rx = await OtlpReceiver.start();
 *   // point the exporter at rx.url (full traces URL) or rx.endpoint (base URL)
 *   const spans = await rx.waitForSpans(3);   // decoded spans, hex ids
 *   rx.respondWith([503, 503, 503]);           // next requests fail, then 200 again
 *   await rx.close();
 *
 * Behaviours for `respondWith`: a status number; `{ status, retryAfter?, message?,
 * partialSuccess?, headers?, body?, delayMillis? }`; `'hang'` (never answers until close); `'close'`
 * (destroys the socket without answering). Once the queue is empty every request gets 200.
 * Only requests answered with 2xx count as delivered in `spans()`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const Proto = root.opentelemetry.proto;
const ExportTraceServiceRequest = Proto.collector.trace.v1.ExportTraceServiceRequest;
const ExportTraceServiceResponse = Proto.collector.trace.v1.ExportTraceServiceResponse;

/** A plain-JS attribute value as decoded: int64 becomes a number (or a bigint beyond 2^53). */
export type DecodedValue = string | number | bigint | boolean | null | DecodedValue[] | { [k: string]: DecodedValue };

export interface DecodedAnyValue {
  /** Which AnyValue field was set: 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue' | undefined. */
  type: string | undefined;
  value: DecodedValue;
}

export interface DecodedEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Record<string, DecodedValue>;
  attributeTypes: Record<string, string | undefined>;
  droppedAttributesCount: number;
}

export interface DecodedLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Record<string, DecodedValue>;
  droppedAttributesCount: number;
  /** Undefined when the decoder's definitions (0.52.1) lack the field. */
  flags: number | undefined;
}

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  /** '' on a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  /** OTLP numbering: UNSPECIFIED 0, INTERNAL 1, SERVER 2, CLIENT 3, PRODUCER 4, CONSUMER 5. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, DecodedValue>;
  /** The AnyValue field used per attribute (tells an intValue from a doubleValue). */
  attributeTypes: Record<string, string | undefined>;
  droppedAttributesCount: number;
  events: DecodedEvent[];
  droppedEventsCount: number;
  links: DecodedLink[];
  droppedLinksCount: number;
  status: { code: number; message: string };
  /** Span.flags (field 16): read from the raw bytes, as the 0.52.1 definitions do not know it. */
  flags: number | undefined;
  resource: Record<string, DecodedValue>;
  scope: { name: string; version: string };
  /** resource['service.name'] */
  serviceName: string;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  contentType: string;
  gzip: boolean;
  /** The (decompressed) body. */
  body: Buffer;
  /** The status answered, or 0 when the request was hung or its socket closed. */
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
  /** The decoded ExportTraceServiceRequest as a plain object (longs as strings, bytes as hex), if it decoded. */
  decoded?: any;
  spans: DecodedSpan[];
  decodeError?: string;
}

export type ReceiverBehaviour =
  | number
  | 'hang'
  | 'close'
  | {
      status?: number;
      /** Retry-After header value (seconds or an HTTP date). */
      retryAfter?: string | number;
      /** Error message: sent as google.rpc.Status (protobuf) or {code,message} (JSON). */
      message?: string;
      partialSuccess?: { rejectedSpans: number; errorMessage?: string };
      headers?: Record<string, string>;
      body?: string | Buffer;
      /** Answer after this long (a slow collector). */
      delayMillis?: number;
    };

export class OtlpReceiver {
  readonly requests: ReceivedRequest[] = [];
  private queue: ReceiverBehaviour[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly hung = new Set<ServerResponse>();
  private waiters: Array<() => void> = [];
  private listening = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly scheme: 'http' | 'https' = 'http',
  ) {}

  /** Starts a receiver on 127.0.0.1 (a random free port unless given); HTTPS when `tls` (PEM key and certificate) is given. */
  static async start(options: { port?: number; tls?: { key: string | Buffer; cert: string | Buffer } } = {}): Promise<OtlpReceiver> {
    let rx: OtlpReceiver | undefined;
    const handler = (req: IncomingMessage, res: ServerResponse): void => rx!.handle(req, res);
    const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createServer(handler);
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    rx = new OtlpReceiver(server, port, options.tls ? 'https' : 'http');
    rx.listening = true;
    server.on('connection', (socket: Socket) => {
      rx!.sockets.add(socket);
      socket.on('close', () => rx!.sockets.delete(socket));
    });
    return rx;
  }

  /** Decodes an ExportTraceServiceRequest body (already decompressed) the way the receiver does. */
  static decode(body: Buffer, json = false): { object: any; spans: DecodedSpan[] } {
    return json ? decodeJsonRequest(body) : decodeProtobufRequest(body);
  }

  /** Base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  get endpoint(): string {
    return `${this.scheme}://127.0.0.1:${this.port}`;
  }

  /** Full traces URL, as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / `otlp.endpoint` take it. */
  get url(): string {
    return `${this.endpoint}/v1/traces`;
  }

  /** Queues behaviours for the next requests (one each); afterwards requests get 200. */
  respondWith(behaviours: ReceiverBehaviour[]): this {
    this.queue.push(...behaviours);
    return this;
  }

  /** Every span delivered in requests answered 2xx, in arrival order. */
  spans(): DecodedSpan[] {
    const out: DecodedSpan[] = [];
    for (const r of this.requests) if (r.status >= 200 && r.status < 300) out.push(...r.spans);
    return out;
  }

  /** Resolves once at least `count` spans were delivered; rejects after `timeoutMillis`. */
  async waitForSpans(count: number, timeoutMillis = 5000): Promise<DecodedSpan[]> {
    await this.waitFor(() => this.spans().length >= count, timeoutMillis, () => `${count} spans (got ${this.spans().length})`);
    return this.spans();
  }

  /** Resolves once at least `count` requests arrived (whatever the answer). */
  async waitForRequests(count: number, timeoutMillis = 5000): Promise<ReceivedRequest[]> {
    await this.waitFor(() => this.requests.length >= count, timeoutMillis, () => `${count} requests (got ${this.requests.length})`);
    return this.requests;
  }

  /** Forgets received requests and queued behaviours. */
  reset(): void {
    this.requests.length = 0;
    this.queue = [];
  }

  /** Stops listening (clients get connection refused) and drops open connections; the port is kept for `listen()`. */
  async stop(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** Listens again on the same port after `stop()`. */
  async listen(): Promise<void> {
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.listening = true;
  }

  async close(): Promise<void> {
    await this.stop();
    this.waiters = [];
  }

  private waitFor(done: () => boolean, timeoutMillis: number, what: () => string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`OtlpReceiver: timed out after ${timeoutMillis} ms waiting for ${what()}`));
      }, timeoutMillis);
      this.waiters.push(check);
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const gzip = /gzip/i.test(String(req.headers['content-encoding'] ?? ''));
      const contentType = String(req.headers['content-type'] ?? '');
      const json = contentType.includes('json');
      const record: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        contentType,
        gzip,
        body: raw,
        status: 0,
        at: Date.now(),
        spans: [],
      };
      try {
        record.body = gzip ? gunzipSync(raw) : raw;
        const decoded = json ? decodeJsonRequest(record.body) : decodeProtobufRequest(record.body);
        record.decoded = decoded.object;
        record.spans = decoded.spans;
      } catch (err) {
        record.decodeError = err instanceof Error ? err.message : String(err);
      }
      this.requests.push(record);
      const behaviour = this.queue.length > 0 ? this.queue.shift()! : record.decodeError ? { status: 400, message: record.decodeError } : 200;
      this.answer(record, behaviour, json, res);
      this.notify();
    });
  }

  private answer(record: ReceivedRequest, behaviour: ReceiverBehaviour, json: boolean, res: ServerResponse): void {
    if (behaviour === 'hang') {
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      return;
    }
    if (behaviour === 'close') {
      res.socket?.destroy();
      return;
    }
    const b = typeof behaviour === 'number' ? { status: behaviour } : behaviour;
    const status = b.status ?? 200;
    record.status = status;
    const headers: Record<string, string> = { ...(b.headers ?? {}) };
    if (b.retryAfter !== undefined) headers['retry-after'] = String(b.retryAfter);
    let body: Buffer | string;
    if (b.body !== undefined) body = b.body;
    else if (status >= 200 && status < 300) {
      const response = b.partialSuccess ? { partialSuccess: b.partialSuccess } : {};
      body = json
        ? JSON.stringify(b.partialSuccess ? { partialSuccess: { rejectedSpans: String(b.partialSuccess.rejectedSpans), errorMessage: b.partialSuccess.errorMessage ?? '' } } : {})
        : Buffer.from(ExportTraceServiceResponse.encode(ExportTraceServiceResponse.fromObject(response)).finish());
    } else if (b.message !== undefined) {
      const code = status === 400 ? 3 : 2; // INVALID_ARGUMENT : UNKNOWN
      body = json ? JSON.stringify({ code, message: b.message }) : encodeRpcStatus(code, b.message);
    } else body = '';
    headers['content-type'] ??= json ? 'application/json' : 'application/x-protobuf';
    const send = (): void => {
      if (res.destroyed) return;
      res.writeHead(status, headers);
      res.end(body);
    };
    if (b.delayMillis === undefined) return send();
    // counted as answered only once the answer is written
    record.status = 0;
    this.hung.add(res);
    const timer = setTimeout(() => {
      this.hung.delete(res);
      record.status = status;
      send();
      this.notify();
    }, b.delayMillis);
    res.on('close', () => {
      clearTimeout(timer);
      this.hung.delete(res);
    });
  }
}

/** google.rpc.Status { int32 code = 1; string message = 2; } */
function encodeRpcStatus(code: number, message: string): Buffer {
  const msg = Buffer.from(message, 'utf8');
  const len = varint(msg.length);
  return Buffer.concat([Buffer.from([0x08, code, 0x12]), len, msg]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

const TO_OBJECT = { longs: String, enums: Number, bytes: String, defaults: true, arrays: true, oneofs: true };

function decodeProtobufRequest(body: Buffer): { object: any; spans: DecodedSpan[] } {
  const message = ExportTraceServiceRequest.decode(body);
  const flags = readSpanFlags(body);
  const object = ExportTraceServiceRequest.toObject(message, TO_OBJECT);
  base64IdsToHex(object);
  const spans = flatten(object);
  spans.forEach((s, i) => (s.flags = flags.spans[i]));
  let l = 0;
  for (const s of spans) for (const link of s.links) link.flags = flags.links[l++];
  return { object, spans };
}

/**
 * OTLP/JSON: ids must be lowercase hex (not base64), int64 fields strings or numbers. The ids
 * are turned into bytes and the rest goes through the official `fromObject`, as a collector would.
 */
function decodeJsonRequest(body: Buffer): { object: any; spans: DecodedSpan[] } {
  const parsed = JSON.parse(body.toString('utf8'));
  const spanFlags: Array<number | undefined> = [];
  const linkFlags: Array<number | undefined> = [];
  for (const rs of parsed.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? [])
      for (const span of ss.spans ?? []) {
        span.traceId = hexToBytes(span.traceId, 16, 'traceId');
        span.spanId = hexToBytes(span.spanId, 8, 'spanId');
        if (span.parentSpanId !== undefined && span.parentSpanId !== '') span.parentSpanId = hexToBytes(span.parentSpanId, 8, 'parentSpanId');
        spanFlags.push(span.flags);
        for (const link of span.links ?? []) {
          link.traceId = hexToBytes(link.traceId, 16, 'link.traceId');
          link.spanId = hexToBytes(link.spanId, 8, 'link.spanId');
          linkFlags.push(link.flags);
        }
      }
  const message = ExportTraceServiceRequest.fromObject(parsed);
  const object = ExportTraceServiceRequest.toObject(message, TO_OBJECT);
  base64IdsToHex(object);
  const spans = flatten(object);
  spans.forEach((s, i) => (s.flags = spanFlags[i]));
  let l = 0;
  for (const s of spans) for (const link of s.links) link.flags = linkFlags[l++];
  return { object, spans };
}

function hexToBytes(hex: unknown, bytes: number, field: string): Buffer {
  if (typeof hex !== 'string' || hex.length !== bytes * 2 || !/^[0-9a-f]+$/.test(hex))
    throw new Error(`${field} must be ${bytes * 2} lowercase hex characters in OTLP/JSON, got ${JSON.stringify(hex)}`);
  return Buffer.from(hex, 'hex');
}

function base64IdsToHex(object: any): void {
  const hex = (b64: string): string => Buffer.from(b64 ?? '', 'base64').toString('hex');
  for (const rs of object.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? [])
      for (const span of ss.spans ?? []) {
        span.traceId = hex(span.traceId);
        span.spanId = hex(span.spanId);
        span.parentSpanId = hex(span.parentSpanId);
        for (const link of span.links ?? []) {
          link.traceId = hex(link.traceId);
          link.spanId = hex(link.spanId);
        }
      }
}

function anyValue(v: any): DecodedAnyValue {
  if (v === null || v === undefined) return { type: undefined, value: null };
  // toObject with defaults: true fills every field; the oneof `value` names the one set.
  const type: string | undefined = v.value;
  switch (type) {
    case 'stringValue':
      return { type, value: v.stringValue };
    case 'boolValue':
      return { type, value: v.boolValue };
    case 'intValue': {
      const big = BigInt(v.intValue);
      return { type, value: big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big };
    }
    case 'doubleValue':
      return { type, value: v.doubleValue };
    case 'arrayValue':
      return { type, value: (v.arrayValue.values ?? []).map((x: any) => anyValue(x).value) };
    case 'kvlistValue':
      return { type, value: Object.fromEntries((v.kvlistValue.values ?? []).map((kv: any) => [kv.key, anyValue(kv.value).value])) };
    case 'bytesValue':
      return { type, value: v.bytesValue };
    default:
      return { type: undefined, value: null };
  }
}

function attributes(list: any[] | undefined): { values: Record<string, DecodedValue>; types: Record<string, string | undefined> } {
  const values: Record<string, DecodedValue> = {};
  const types: Record<string, string | undefined> = {};
  for (const kv of list ?? []) {
    const a = anyValue(kv.value);
    values[kv.key] = a.value;
    types[kv.key] = a.type;
  }
  return { values, types };
}

function flatten(object: any): DecodedSpan[] {
  const out: DecodedSpan[] = [];
  for (const rs of object.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes).values;
    for (const ss of rs.scopeSpans ?? []) {
      const scope = { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '' };
      for (const s of ss.spans ?? []) {
        const attrs = attributes(s.attributes);
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId,
          traceState: s.traceState,
          name: s.name,
          kind: s.kind,
          startTimeUnixNano: BigInt(s.startTimeUnixNano),
          endTimeUnixNano: BigInt(s.endTimeUnixNano),
          attributes: attrs.values,
          attributeTypes: attrs.types,
          droppedAttributesCount: s.droppedAttributesCount,
          events: (s.events ?? []).map((e: any) => {
            const ea = attributes(e.attributes);
            return { name: e.name, timeUnixNano: BigInt(e.timeUnixNano), attributes: ea.values, attributeTypes: ea.types, droppedAttributesCount: e.droppedAttributesCount };
          }),
          droppedEventsCount: s.droppedEventsCount,
          links: (s.links ?? []).map((l: any) => ({
            traceId: l.traceId,
            spanId: l.spanId,
            traceState: l.traceState,
            attributes: attributes(l.attributes).values,
            droppedAttributesCount: l.droppedAttributesCount,
            flags: undefined,
          })),
          droppedLinksCount: s.droppedLinksCount,
          status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
          flags: undefined,
          resource,
          scope,
          serviceName: String(resource['service.name'] ?? ''),
        });
      }
    }
  }
  return out;
}

/**
 * Span.flags (field 16) and Span.Link.flags (field 6) postdate the 0.52.1 definitions, so
 * they are read here with a small wire-format walk, in document order.
 */
function readSpanFlags(body: Buffer): { spans: Array<number | undefined>; links: Array<number | undefined> } {
  const spans: Array<number | undefined> = [];
  const links: Array<number | undefined> = [];
  const fields = (buf: Buffer, start: number, end: number, fn: (field: number, wire: number, from: number, to: number) => void): void => {
    let p = start;
    const readVarint = (): number => {
      let result = 0;
      let shift = 0;
      for (;;) {
        const b = buf[p++]!;
        result += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) return result;
        shift += 7;
      }
    };
    while (p < end) {
      const key = readVarint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (wire === 0) {
        const from = p;
        readVarint();
        fn(field, wire, from, p);
      } else if (wire === 1) {
        fn(field, wire, p, p + 8);
        p += 8;
      } else if (wire === 5) {
        fn(field, wire, p, p + 4);
        p += 4;
      } else if (wire === 2) {
        const len = readVarint();
        fn(field, wire, p, p + len);
        p += len;
      } else throw new Error(`unexpected wire type ${wire}`);
    }
  };
  fields(body, 0, body.length, (f, w, a, b) => {
    if (f !== 1 || w !== 2) return;
    fields(body, a, b, (f2, w2, a2, b2) => {
      if (f2 !== 2 || w2 !== 2) return;
      fields(body, a2, b2, (f3, w3, a3, b3) => {
        if (f3 !== 2 || w3 !== 2) return;
        let flags: number | undefined;
        fields(body, a3, b3, (f4, w4, a4, b4) => {
          if (f4 === 16 && w4 === 5) flags = body.readUInt32LE(a4);
          if (f4 === 13 && w4 === 2) {
            let lf: number | undefined;
            fields(body, a4, b4, (f5, w5, a5) => {
              if (f5 === 6 && w5 === 5) lf = body.readUInt32LE(a5);
            });
            links.push(lf);
          }
        });
        spans.push(flags);
      });
    });
  });
  return { spans, links };
}
