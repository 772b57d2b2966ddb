// Kafka. No Kafka broker exists on the test machines, so this suite is NOT run against a
// broker: a small in-memory stand-in plays the broker's part. Everything else is real
// NestJS: ClientKafka (serializer, headers, correlation), ServerKafka#handleMessage (parser,
// deserializer, the KafkaContext it builds, its reply publisher) and
// ClientKafka#createResponseCallback for replies. The stand-in only does what the broker
// does to a message: values, keys and headers come back as Buffers, with an offset.
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, Ctx, EventPattern, KafkaContext, MessagePattern, Payload, RpcException, Transport, type ClientKafka } from '@nestjs/microservices';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { SpanKind, SpanStatusCode, suppressTracing } from 'nestjs-tracing';
import { runId } from './support/broker.js';
import { expectChain, only, spanIdOf, waitForSpans } from './support/span-assertions.js';
import { InMemorySpanExporter, suiteTracing, Tracer } from './support/tracing-app.js';
import { PAYLOADS } from './support/transport-suite.js';

interface KafkaRecord {
  key?: unknown;
  value: unknown;
  headers?: Record<string, unknown>;
}
interface ProducerRecord {
  topic: string;
  messages: KafkaRecord[];
}

const run = runId();
const EVENT = `${run}.orders.created`;
const REQUEST = `${run}.orders.create`;
const REJECT = `${run}.orders.reject`;

const exporter = new InMemorySpanExporter();
const events: unknown[] = [];
const headersSeen: Array<string | undefined> = [];
const probes: Array<string | undefined> = [];

@Controller()
class OrdersController {
  constructor(private readonly tracer: Tracer) {}

  @EventPattern(EVENT)
  created(@Payload() data: unknown, @Ctx() context: unknown): void {
    const ctx = context as KafkaContext;
    events.push(data);
    const user = ctx.getMessage().headers?.['x-user'];
    headersSeen.push(user === undefined ? undefined : String(user));
    probes.push(this.tracer.currentSpan()?.spanContext().spanId);
  }

  @MessagePattern(REQUEST)
  create(@Payload() data: { id: string }): unknown {
    return { accepted: data.id };
  }

  @MessagePattern(REJECT)
  reject(): never {
    throw new RpcException('order rejected');
  }
}

/** Delivers a produced record the way kafkajs hands one to a consumer. */
function delivered(record: KafkaRecord, offset: number) {
  const buffer = (value: unknown) => (value === null || value === undefined ? null : Buffer.isBuffer(value) ? value : Buffer.from(String(value)));
  const headers: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(record.headers ?? {})) headers[key] = buffer(value) as Buffer;
  return { key: buffer(record.key), value: buffer(record.value), headers, offset: String(offset), timestamp: String(Date.now()), attributes: 0, size: 0 };
}

describe('Kafka transport (no broker: an in-memory stand-in delivers the records)', () => {
  let service: INestMicroservice;
  let server: { handleMessage(payload: unknown): Promise<unknown>; producer: unknown };
  let client: ClientKafka;
  let tracer: Tracer;
  const produced: ProducerRecord[] = [];
  const replies: ProducerRecord[] = [];
  let offset = 0;

  /** The stand-in broker: hands a produced record to the server, and a reply back to the client. */
  async function deliver(record: ProducerRecord): Promise<void> {
    for (const message of record.messages) {
      await server.handleMessage({ topic: record.topic, partition: 0, message: delivered(message, offset++), heartbeat: async () => {} });
    }
  }

  beforeAll(async () => {
    @Module({ imports: [suiteTracing('orders-service', exporter)], controllers: [OrdersController] })
    class ServiceModule {}
    const options = { client: { brokers: ['127.0.0.1:1'], clientId: run }, consumer: { groupId: run } };
    service = await NestFactory.createMicroservice(ServiceModule, { transport: Transport.KAFKA, options, logger: false });
    await service.init(); // registers the handlers; no listen(): there is no broker to connect to
    server = (service as unknown as { serverInstance: typeof server }).serverInstance;
    server.producer = { send: async (record: ProducerRecord) => void replies.push(record), disconnect: async () => {} };
    tracer = service.get(Tracer);

    client = ClientProxyFactory.create({ transport: Transport.KAFKA, options }) as unknown as ClientKafka;
    const producer = { send: async (record: ProducerRecord) => void produced.push(record), disconnect: async () => {} };
    Object.assign(client, {
      _producer: producer,
      connect: async () => producer,
      consumerAssignments: { [`${REQUEST}.reply`]: 0, [`${REJECT}.reply`]: 0 },
    });
  });

  afterAll(async () => {
    await client?.close();
    await service?.close();
  });

  beforeEach(() => {
    exporter.reset();
    events.length = 0;
    headersSeen.length = 0;
    probes.length = 0;
    produced.length = 0;
    replies.length = 0;
  });

  it('carries the context of emit() in the Kafka message headers to a CONSUMER span', async () => {
    await tracer.startActiveSpan('caller', () => lastValueFrom(client.emit(EVENT, { id: 'k-1' }), { defaultValue: undefined }));
    expect(produced).toHaveLength(1);
    const headers = produced[0].messages[0].headers ?? {};
    expect(Object.keys(headers)).toContain('traceparent');
    await deliver(produced[0]);
    expect(events).toEqual([{ id: 'k-1' }]);
    const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === `process ${EVENT}`));
    const producer = only(spans, `send ${EVENT}`);
    const consumer = only(spans, `process ${EVENT}`);
    expectChain(only(spans, 'caller'), producer, consumer);
    expect([producer.kind, consumer.kind]).toEqual([SpanKind.PRODUCER, SpanKind.CONSUMER]);
    expect(headers.traceparent).toBe(`00-${producer.spanContext().traceId}-${spanIdOf(producer)}-01`);
    expect(consumer.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': EVENT,
      'messaging.operation.type': 'process',
      'messaging.destination.partition.id': '0',
    });
    expect(typeof consumer.attributes['messaging.kafka.offset']).toBe('number');
    expect(probes).toEqual([spanIdOf(consumer)]);
  });

  it.each(PAYLOADS)('delivers a %s payload as an untraced sender would', async (_label, payload) => {
    await tracer.startActiveSpan('caller', () => lastValueFrom(client.emit(EVENT, payload), { defaultValue: undefined }));
    await suppressTracing(() => lastValueFrom(client.emit(EVENT, payload), { defaultValue: undefined }));
    for (const record of produced) await deliver(record);
    expect(Object.keys(produced[0].messages[0].headers ?? {})).toContain('traceparent');
    expect(Object.keys(produced[1].messages[0].headers ?? {})).not.toContain('traceparent');
    // Kafka values are bytes: objects, arrays and strings come back as sent; Nest's parser
    // hands numbers and booleans over as their text, traced or not.
    expect(events[0]).toEqual(events[1]);
    if (typeof payload === 'object' || typeof payload === 'string') expect(events[0]).toEqual(payload);
    else expect(events[0]).toBe(String(payload));
  });

  it("merges the sender's Kafka message headers and replaces a stale traceparent whatever its case", async () => {
    const message = { key: 'order-7', value: { id: 'k-7' }, headers: { 'x-user': 'alice', TraceParent: '00-11111111111111111111111111111111-2222222222222222-01' } };
    await tracer.startActiveSpan('caller', () => lastValueFrom(client.emit(EVENT, message), { defaultValue: undefined }));
    const sent = produced[0].messages[0];
    expect(Object.keys(sent.headers ?? {}).filter((key) => key.toLowerCase() === 'traceparent')).toEqual(['traceparent']);
    expect(message.headers.TraceParent).toBe('00-11111111111111111111111111111111-2222222222222222-01'); // the caller's object is untouched
    await deliver(produced[0]);
    expect(events).toEqual([{ id: 'k-7' }]);
    expect(headersSeen).toEqual(['alice']);
    const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === `process ${EVENT}`));
    expectChain(only(spans, 'caller'), only(spans, `send ${EVENT}`), only(spans, `process ${EVENT}`));
    expect(only(spans, `process ${EVENT}`).attributes['messaging.kafka.message.key']).toBe('order-7');
  });

  it('runs send() through a SERVER span and returns the reply unchanged', async () => {
    const reply = tracer.startActiveSpan('caller', () => firstValueFrom(client.send(REQUEST, { id: 'k-2' })));
    await new Promise((resolve) => setImmediate(resolve));
    expect(produced).toHaveLength(1);
    await deliver(produced[0]);
    await waitForSpans(exporter, () => replies.length === 1);
    const respond = client.createResponseCallback();
    for (const message of replies[0].messages) {
      await respond({ topic: replies[0].topic, partition: 0, message: delivered(message, offset++), heartbeat: async () => {} } as never);
    }
    expect(await reply).toEqual({ accepted: 'k-2' });
    const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'caller'));
    const clientSpan = only(spans, `send ${REQUEST}`);
    const serverSpan = only(spans, `process ${REQUEST}`);
    expectChain(only(spans, 'caller'), clientSpan, serverSpan);
    expect([clientSpan.kind, serverSpan.kind]).toEqual([SpanKind.CLIENT, SpanKind.SERVER]);
  });

  it('records a failed request on the SERVER span', async () => {
    const reply = tracer.startActiveSpan('caller', () => firstValueFrom(client.send(REJECT, { id: 'k-3' })).catch((error: unknown) => error));
    await new Promise((resolve) => setImmediate(resolve));
    await deliver(produced[0]);
    await waitForSpans(exporter, () => replies.length > 0);
    const respond = client.createResponseCallback();
    for (const message of replies[0].messages) {
      await respond({ topic: replies[0].topic, partition: 0, message: delivered(message, offset++), heartbeat: async () => {} } as never);
    }
    expect(await reply).toBeDefined();
    const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'caller'));
    expect(only(spans, `process ${REJECT}`).status.code).toBe(SpanStatusCode.ERROR);
    expect(only(spans, `send ${REJECT}`).status.code).toBe(SpanStatusCode.ERROR);
  });

  it('handles a message without trace headers, or with malformed ones, as a new root trace', async () => {
    await suppressTracing(() => lastValueFrom(client.emit(EVENT, { id: 'u-1' }), { defaultValue: undefined }));
    await suppressTracing(() =>
      lastValueFrom(client.emit(EVENT, { value: { id: 'u-2' }, headers: { traceparent: '00-garbage' } }), { defaultValue: undefined }),
    );
    expect(Object.keys(produced[0].messages[0].headers ?? {})).not.toContain('traceparent');
    for (const record of produced) await deliver(record);
    expect(events).toEqual([{ id: 'u-1' }, { id: 'u-2' }]);
    const spans = await waitForSpans(exporter, (all) => all.filter((span) => span.name === `process ${EVENT}`).length === 2);
    for (const span of spans) expect(span.parentSpanId).toBeUndefined();
  });
});
