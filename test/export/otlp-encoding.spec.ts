import { gzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode, TraceFlags } from '../../lib/core/enums.js';
import { Tracer } from '../../lib/core/tracer.js';
import type { FinishedSpan, SpanContext, TraceState } from '../../lib/core/types.js';
import { InMemorySpanExporter } from '../../lib/export/in-memory-span.exporter.js';
import { SimpleSpanProcessor } from '../../lib/export/simple-span.processor.js';
import { JsonTraceEncoder } from '../../lib/export/otlp/json-trace.encoder.js';
import { ProtobufTraceEncoder } from '../../lib/export/otlp/protobuf-trace.encoder.js';
import { OtlpReceiver, type DecodedSpan } from '../support/otlp-receiver.js';

class FixedTraceState implements TraceState {
  constructor(private readonly value: string) {}
  get(): string | undefined {
    return undefined;
  }
  set(): TraceState {
    return this;
  }
  unset(): TraceState {
    return this;
  }
  serialize(): string {
    return this.value;
  }
}

const LONG = 'x'.repeat(300); // body > 127 bytes: two-byte lengths
const HUGE = 'é'.repeat(12000); // 24000 UTF-8 bytes: three-byte lengths

async function recordSpans(): Promise<FinishedSpan[]> {
  const exporter = new InMemorySpanExporter();
  const tracer = new Tracer({
    serviceName: 'encoding-test',
    resource: { 'deployment.environment': 'test', 'host.cores': 2 },
    processor: new SimpleSpanProcessor(exporter),
    limits: { attributeCountLimit: 20, eventCountLimit: 2, linkCountLimit: 2 },
  });
  const remoteParent: SpanContext = {
    traceId: '0af7651916cd43dd8448eb211c80319c' as SpanContext['traceId'],
    spanId: 'b7ad6b7169203331' as SpanContext['spanId'],
    traceFlags: TraceFlags.SAMPLED | TraceFlags.RANDOM,
    traceState: new FixedTraceState('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'),
    isRemote: true,
  };
  const linked: SpanContext = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736' as SpanContext['traceId'],
    spanId: '00f067aa0ba902b7' as SpanContext['spanId'],
    traceFlags: TraceFlags.SAMPLED,
    traceState: new FixedTraceState('vendor=abc'),
    isRemote: true,
  };
  const server = tracer.startSpan('GET /orders/:id', {
    kind: SpanKind.SERVER,
    parent: remoteParent,
    links: [{ context: linked, attributes: { 'link.reason': 'retry', 'link.n': 3 } }],
    attributes: {
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'http.response.status_code': 200,
      'negative.int': -42,
      'big.int': 2 ** 40 + 7,
      'ratio': 0.25,
      'not.safe': 2 ** 60,
      'flag.true': true,
      'flag.false': false,
      'empty': '',
      'unicode': 'ünïcødé ✓ 𝄞',
      'long': LONG,
      'huge': HUGE,
      'strings': ['a', 'b', null as unknown as string],
      'ints': [1, 2, -3],
      'doubles': [1.5, 2.25],
      'bools': [true, false],
    },
  });
  server.addEvent('cache.miss', { 'cache.key': 'order:1', 'cache.size': 12, 'cache.hit.ratio': 0.5 });
  server.recordException(new TypeError('boom'));
  server.addEvent('dropped.1');
  server.addEvent('dropped.2');
  server.addLink(linked);
  server.addLink(linked); // over the link limit: dropped
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'failed: ✗' });
  await tracer.withSpan(server, async () => {
    const client = tracer.startSpan('POST', { kind: SpanKind.CLIENT });
    client.setStatus({ code: SpanStatusCode.OK });
    client.end();
    for (const kind of [SpanKind.INTERNAL, SpanKind.PRODUCER, SpanKind.CONSUMER]) tracer.startSpan(`kind-${kind}`, { kind }).end();
  });
  for (let i = 0; i < 25; i++) server.setAttribute(`extra.${i}`, i); // some beyond the count limit
  server.end();
  tracer.startSpan('root', { root: true }).end();
  await tracer.forceFlush();
  const spans = exporter.getFinishedSpans();
  await tracer.shutdown();
  return spans;
}

function expectSameSpan(decoded: DecodedSpan, span: FinishedSpan, viaProtobuf: boolean): void {
  const ctx = span.spanContext();
  expect(decoded.traceId).toBe(ctx.traceId);
  expect(decoded.spanId).toBe(ctx.spanId);
  expect(decoded.parentSpanId).toBe(span.parentSpanId ?? '');
  expect(decoded.traceState).toBe(ctx.traceState?.serialize() ?? '');
  expect(decoded.name).toBe(span.name);
  expect(decoded.kind).toBe(span.kind + 1);
  expect(decoded.startTimeUnixNano).toBe(span.startTime);
  expect(decoded.endTimeUnixNano).toBe(span.endTime);
  const expected: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(span.attributes)) if (v !== undefined) expected[k] = Array.isArray(v) ? v.map((x) => x ?? null) : v;
  expect(decoded.attributes).toEqual(expected);
  for (const [k, v] of Object.entries(span.attributes)) {
    if (typeof v === 'number') expect([k, decoded.attributeTypes[k]]).toEqual([k, Number.isSafeInteger(v) ? 'intValue' : 'doubleValue']);
  }
  expect(decoded.droppedAttributesCount).toBe(span.droppedAttributesCount);
  expect(decoded.events.map((e) => [e.name, e.timeUnixNano, e.attributes, e.droppedAttributesCount])).toEqual(
    span.events.map((e) => [e.name, e.time, e.attributes, e.droppedAttributesCount]),
  );
  expect(decoded.droppedEventsCount).toBe(span.droppedEventsCount);
  expect(decoded.links.map((l) => [l.traceId, l.spanId, l.traceState, l.attributes, l.droppedAttributesCount, l.flags])).toEqual(
    span.links.map((l) => [
      l.context.traceId,
      l.context.spanId,
      l.context.traceState?.serialize() ?? '',
      l.attributes ?? {},
      l.droppedAttributesCount ?? 0,
      (l.context.traceFlags & 0xff) | 0x100 | (l.context.isRemote ? 0x200 : 0),
    ]),
  );
  expect(decoded.droppedLinksCount).toBe(span.droppedLinksCount);
  expect(decoded.status).toEqual({ code: span.status.code, message: span.status.message ?? '' });
  expect(decoded.flags! & 0xff).toBe(ctx.traceFlags);
  if (span.parentSpanId === undefined) expect(decoded.flags! & 0x300).toBe(0x100); // parent known not remote
  else expect(decoded.flags! & 0x300).toBe((span as { parentIsRemote?: boolean }).parentIsRemote ? 0x300 : 0x100);
  expect(decoded.resource).toEqual({
    'service.name': 'encoding-test',
    'telemetry.sdk.name': 'nestjs-tracing',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': expect.any(String),
    'deployment.environment': 'test',
    'host.cores': 2,
  });
  expect(decoded.scope.name).toBe(span.instrumentationScope.name);
  expect(decoded.scope.version).toBe(span.instrumentationScope.version ?? '');
  void viaProtobuf;
}

describe('OTLP encoding, checked with the official 0.52.1 definitions', () => {
  let spans: FinishedSpan[];
  let rx: OtlpReceiver;

  beforeAll(async () => {
    spans = await recordSpans();
    rx = await OtlpReceiver.start();
  });
  afterAll(() => rx.close());

  it('records the spans the round-trip tests need (drops included)', () => {
    const server = spans.find((s) => s.name === 'GET /orders/:id')!;
    expect(spans).toHaveLength(6);
    expect(server.droppedAttributesCount).toBeGreaterThan(0);
    expect(server.droppedEventsCount).toBe(2);
    expect(server.droppedLinksCount).toBe(1);
  });

  for (const protocol of ['protobuf', 'json'] as const) {
    for (const gzip of [false, true]) {
      it(`round-trips every field over ${protocol}${gzip ? ' with gzip' : ''}`, async () => {
        const body = protocol === 'protobuf' ? new ProtobufTraceEncoder(64).encode(spans) : new JsonTraceEncoder().encode(spans);
        const res = await fetch(rx.url, {
          method: 'POST',
          headers: {
            'content-type': protocol === 'protobuf' ? 'application/x-protobuf' : 'application/json',
            ...(gzip ? { 'content-encoding': 'gzip' } : {}),
          },
          body: new Uint8Array(gzip ? gzipSync(body) : body),
        });
        expect(res.status).toBe(200);
        const request = rx.requests[rx.requests.length - 1]!;
        expect(request.decodeError).toBeUndefined();
        expect(request.spans).toHaveLength(spans.length);
        spans.forEach((span, i) => expectSameSpan(request.spans[i]!, span, protocol === 'protobuf'));
      });
    }
  }

  it('writes int64 values as strings and ids as lowercase hex in OTLP/JSON', () => {
    const json = JSON.parse(new JsonTraceEncoder().encodeToString(spans));
    const span = json.resourceSpans[0].scopeSpans[0].spans.find((s: { name: string }) => s.name === 'GET /orders/:id');
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(typeof span.startTimeUnixNano).toBe('string');
    expect(span.attributes.find((a: { key: string }) => a.key === 'http.response.status_code').value).toEqual({ intValue: '200' });
    expect(span.attributes.find((a: { key: string }) => a.key === 'ratio').value).toEqual({ doubleValue: 0.25 });
  });

  it('produces the same request whichever protocol is used', () => {
    const viaProtobuf = OtlpReceiver.decode(new ProtobufTraceEncoder().encode(spans)).object;
    const viaJson = OtlpReceiver.decode(new JsonTraceEncoder().encode(spans), true).object;
    expect(viaJson).toEqual(viaProtobuf);
    expect(viaProtobuf.resourceSpans[0].scopeSpans[0].spans).toHaveLength(spans.length);
  });

  it('groups spans by resource and scope', async () => {
    const exporter = new InMemorySpanExporter();
    const a = new Tracer({ serviceName: 'svc-a', processor: new SimpleSpanProcessor(exporter) });
    const b = new Tracer({ serviceName: 'svc-b', processor: new SimpleSpanProcessor(exporter), scope: { name: 'custom', version: '9' } });
    a.startSpan('a1').end();
    b.startSpan('b1').end();
    a.startSpan('a2').end();
    await a.forceFlush();
    await b.forceFlush();
    const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
    const Req = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
    const decoded = Req.toObject(Req.decode(new ProtobufTraceEncoder().encode(exporter.getFinishedSpans())));
    expect(decoded.resourceSpans).toHaveLength(2);
    const names = decoded.resourceSpans.map((rs: any) => [
      rs.resource.attributes.find((kv: any) => kv.key === 'service.name').value.stringValue,
      rs.scopeSpans.map((ss: any) => [ss.scope.name, ss.spans.map((s: any) => s.name)]),
    ]);
    expect(names).toEqual([
      ['svc-a', [['nestjs-tracing', ['a1', 'a2']]]],
      ['svc-b', [['custom', ['b1']]]],
    ]);
    await a.shutdown();
    await b.shutdown();
  });

  it('skips a malformed link and stringifies a non-string name instead of losing the batch', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new Tracer({ serviceName: 'loose', processor: new SimpleSpanProcessor(exporter) });
    const span = tracer.startSpan(42 as unknown as string);
    span.addLink({ traceId: 'nope', spanId: undefined, traceFlags: 1 } as unknown as SpanContext);
    span.addLink({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 } as SpanContext);
    span.end();
    tracer.startSpan('fine').end();
    await tracer.forceFlush();
    const spans = exporter.getFinishedSpans();
    for (const decoded of [OtlpReceiver.decode(new ProtobufTraceEncoder().encode(spans)).spans, OtlpReceiver.decode(new JsonTraceEncoder().encode(spans), true).spans]) {
      expect(decoded.map((d) => d.name)).toEqual(['42', 'fine']);
      expect(decoded[0]!.links.map((l) => l.spanId)).toEqual(['00f067aa0ba902b7']);
    }
    await tracer.shutdown();
  });
});
