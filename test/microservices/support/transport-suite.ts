// The end-to-end suite every transport runs: an HTTP gateway sends to a microservice, whose
// handler calls a nested span that emits an event to a consumer; one trace end to end.
import {
  Controller,
  Inject,
  Injectable,
  Module,
  Post,
  Body,
  Param,
  UseGuards,
  UseInterceptors,
  UseFilters,
  Catch,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type INestMicroservice,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  BaseRpcExceptionFilter,
  ClientProxyFactory,
  ClientsModule,
  Ctx,
  EventPattern,
  MessagePattern,
  Payload,
  RpcException,
  type ClientProxy,
} from '@nestjs/microservices';
import * as microservices from '@nestjs/microservices';
import { firstValueFrom, lastValueFrom, map, type Observable } from 'rxjs';
import request from 'supertest';
import { Span, SpanKind, SpanStatusCode, suppressTracing, type FinishedSpan } from 'nestjs-tracing';
import { describeWithBroker, runId, type Broker } from './broker.js';
import { expectChain, only, spanIdOf, traceIdOf, waitForSpans } from './span-assertions.js';
import { InMemorySpanExporter, suiteTracing, Tracer } from './tracing-app.js';

export interface Endpoint {
  transport: number;
  options: Record<string, unknown>;
}

export interface TransportSpec {
  /** Suite title, e.g. 'TCP'. */
  name: string;
  /** Expected `messaging.system`. */
  system: string;
  broker?: Broker;
  /** Transport settings shared by a server and its clients; `name` is unique per endpoint and run. */
  endpoint(name: string): Promise<Endpoint>;
  /**
   * The payload to send so that the message carries `headers` as its transport's own
   * headers (record types), or undefined for transports whose context rides in
   * `packet.metadata` (then the suite sets the metadata with a dispatch hook / publish wrapper).
   */
  withHeaders?(client: ClientProxy, data: unknown, headers: Record<string, string>): unknown;
  /** Reads a header the sender set by hand from the RPC context, or undefined when the transport cannot show it. */
  readHeader(ctx: unknown, key: string): string | undefined;
  /** Attributes a request's SERVER span must have beyond the common ones (e.g. a message id). */
  serverAttributes?: string[];
  /** False when Nest gives the request packet no id of its own (RabbitMQ uses a correlation id). */
  clientMessageId?: boolean;
  /** False when the transport cannot route object patterns (RabbitMQ topic exchanges route on the unsorted JSON). */
  objectPatterns?: boolean;
  /** A wildcard pattern to register and a concrete pattern it matches, for transports that have them. */
  wildcard?: (prefix: string) => { registered: string; sent: string };
}

/** Payload shapes every transport must deliver unchanged (`null`/`undefined` are refused by ClientProxy itself). */
export const PAYLOADS: ReadonlyArray<[string, unknown]> = [
  ['object', { id: 'p-1', total: 12.5, tags: ['a', 'b'], nested: { deep: { ok: true } }, none: null }],
  ['array', [1, 'two', { three: 3 }, [4], null]],
  ['string', 'just a string'],
  ['empty string', ''],
  ['number', 42],
  ['zero', 0],
  ['false', false],
  ['object with null-ish values', { a: null, b: 0, c: '', d: false, e: [] }],
];

interface Probe {
  where: string;
  traceId: string | undefined;
  spanId: string | undefined;
}

/** Defines the suite for one transport. */
export function transportSuite(spec: TransportSpec): void {
  const run = runId();
  const P = {
    create: `${run}.orders.create`,
    echo: `${run}.orders.echo`,
    reject: `${run}.orders.reject`,
    crash: `${run}.orders.crash`,
    created: `${run}.orders.created`,
    failedEvent: `${run}.orders.failed-event`,
    untraced: `${run}.untraced.echo`,
    untracedEvent: `${run}.untraced.event`,
  };
  const wildcard = spec.wildcard?.(run);
  const noDecorator: MethodDecorator = () => undefined;
  const exporter = new InMemorySpanExporter();
  const received: unknown[] = [];
  const events: unknown[] = [];
  const untracedReceived: unknown[] = [];
  const probes: Probe[] = [];
  const headersSeen: Array<string | undefined> = [];
  const baggageSeen: Array<[string, string | undefined]> = [];

  const probe = (tracer: Tracer, where: string) => {
    const sc = tracer.currentSpan()?.spanContext();
    probes.push({ where, traceId: sc?.traceId, spanId: sc?.spanId });
  };

  @Injectable()
  class ProbeGuard implements CanActivate {
    constructor(private readonly tracer: Tracer) {}
    canActivate(): boolean {
      probe(this.tracer, 'guard');
      return true;
    }
  }

  @Injectable()
  class ProbeInterceptor implements NestInterceptor {
    constructor(private readonly tracer: Tracer) {}
    intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
      probe(this.tracer, 'interceptor');
      return next.handle();
    }
  }

  @Injectable()
  class ProbePipe implements PipeTransform {
    constructor(private readonly tracer: Tracer) {}
    transform(value: unknown): unknown {
      probe(this.tracer, 'pipe');
      return value;
    }
  }

  @Catch()
  class ProbeFilter extends BaseRpcExceptionFilter {
    constructor(private readonly tracer: Tracer) {
      super();
    }
    override catch(exception: unknown, host: ArgumentsHost): Observable<unknown> {
      probe(this.tracer, 'filter');
      return super.catch(exception, host);
    }
  }

  @Injectable()
  class OrdersService {
    constructor(@Inject('EVENTS') private readonly events: ClientProxy) {}

    /** A nested span that emits the second hop. */
    @Span({ args: (order: unknown) => ({ 'order.id': idOf(order) }) })
    async place(order: unknown): Promise<void> {
      await lastValueFrom(this.events.emit(P.created, { orderId: idOf(order) }), { defaultValue: undefined });
    }
  }

  @Controller()
  @UseGuards(ProbeGuard)
  @UseInterceptors(ProbeInterceptor)
  @UseFilters(ProbeFilter)
  class OrdersController {
    constructor(
      private readonly orders: OrdersService,
      private readonly tracer: Tracer,
    ) {}

    @MessagePattern(P.create)
    async create(@Payload(ProbePipe) order: unknown): Promise<unknown> {
      probe(this.tracer, 'handler');
      baggageSeen.push(['handler', this.tracer.getBaggage('tenant')]);
      await this.orders.place(order);
      return { accepted: idOf(order) };
    }

    @MessagePattern(P.echo)
    echo(@Payload() data: unknown, @Ctx() ctx: unknown): unknown {
      received.push(data);
      headersSeen.push(spec.readHeader(ctx, 'x-user'));
      return data;
    }

    @MessagePattern(P.reject)
    reject(): never {
      throw new RpcException('order rejected');
    }

    @MessagePattern(P.crash)
    crash(): never {
      throw new Error('boom');
    }

    @EventPattern(P.created)
    created(@Payload() event: unknown): void {
      probe(this.tracer, 'consumer');
      baggageSeen.push(['consumer', this.tracer.getBaggage('tenant')]);
      events.push(event);
    }

    @EventPattern(P.failedEvent)
    failedEvent(@Payload() event: unknown): void {
      events.push(event);
      throw new Error('cannot handle this event');
    }

    @(wildcard !== undefined ? MessagePattern(wildcard.registered) : noDecorator)
    wild(@Payload() data: unknown): unknown {
      return { wild: data };
    }

    @MessagePattern({ cmd: 'sum', run })
    sum(@Payload() numbers: unknown): number {
      return (numbers as number[]).reduce((a, b) => a + b, 0);
    }
  }

  @Controller()
  class UntracedController {
    @MessagePattern(P.untraced)
    echo(@Payload() data: unknown): unknown {
      untracedReceived.push(data);
      return data;
    }

    @EventPattern(P.untracedEvent)
    event(@Payload() data: unknown): void {
      untracedReceived.push(data);
    }
  }

  @Controller('orders')
  class GatewayController {
    constructor(
      @Inject('ORDERS') private readonly orders: ClientProxy,
      private readonly tracer: Tracer,
    ) {}

    /** The span active where the reply is handled, next to the reply. */
    @Post('context/:op')
    contextAfterReply(@Param('op') op: keyof typeof P, @Body() body: { data: unknown }): Promise<unknown> {
      const here = this.tracer.currentSpan()?.spanContext().spanId;
      return firstValueFrom(
        this.orders.send(P[op], body.data).pipe(map((result) => ({ result, here, there: this.tracer.currentSpan()?.spanContext().spanId }))),
      );
    }

    // The gateway's HTTP SERVER span (`POST /orders/:op`) comes from TracingModule.
    @Post(':op')
    async send(@Param('op') op: keyof typeof P, @Body() body: { data: unknown }): Promise<unknown> {
      try {
        return { result: await firstValueFrom(this.orders.send(P[op], body.data)) };
      } catch (error) {
        return { error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : error };
      }
    }
  }

  let main: Endpoint;
  let untracedEndpoint: Endpoint;
  let gateway: INestApplication;
  let service: INestMicroservice;
  let untraced: INestMicroservice;
  let gatewayTracer: Tracer;
  let orders: ClientProxy;
  const adHocClients: ClientProxy[] = [];

  const adHocClient = (endpoint: Endpoint): ClientProxy => {
    const client = ClientProxyFactory.create({ transport: endpoint.transport, options: endpoint.options } as never) as unknown as ClientProxy;
    adHocClients.push(client);
    return client;
  };

  /** Spans of the trace `traceId`. */
  const traceOf = (spans: FinishedSpan[], traceId: string) => spans.filter((span) => traceIdOf(span) === traceId);

  describeWithBroker(spec.broker)(`${spec.name} transport`, () => {
    beforeAll(async () => {
      main = await spec.endpoint(`${run}-main`);
      untracedEndpoint = await spec.endpoint(`${run}-untraced`);

      @Module({
        imports: [
          suiteTracing('orders-service', exporter),
          ClientsModule.registerAsync([{ name: 'EVENTS', useFactory: () => ({ transport: main.transport, options: main.options }) as never }]),
        ],
        controllers: [OrdersController],
        providers: [OrdersService, ProbeGuard, ProbeInterceptor, ProbePipe],
      })
      class ServiceModule {}

      @Module({ controllers: [UntracedController] })
      class UntracedModule {}

      @Module({
        imports: [
          suiteTracing('gateway', exporter),
          ClientsModule.register([{ name: 'ORDERS', transport: main.transport, options: main.options } as never]),
        ],
        controllers: [GatewayController],
      })
      class GatewayModule {}

      service = await NestFactory.createMicroservice(ServiceModule, { transport: main.transport, options: main.options, logger: process.env.SUITE_LOGS ? undefined : false } as never);
      await service.listen();
      untraced = await NestFactory.createMicroservice(UntracedModule, {
        transport: untracedEndpoint.transport,
        options: untracedEndpoint.options,
        logger: false,
      } as never);
      await untraced.listen();
      gateway = await NestFactory.create(GatewayModule, { logger: false });
      await gateway.init();
      gatewayTracer = gateway.get(Tracer);
      orders = gateway.get('ORDERS');
    });

    afterAll(async () => {
      for (const client of adHocClients) await client.close();
      await gateway?.close();
      await service?.close();
      await untraced?.close();
    });

    beforeEach(() => {
      exporter.reset();
      received.length = 0;
      events.length = 0;
      untracedReceived.length = 0;
      probes.length = 0;
      headersSeen.length = 0;
      baggageSeen.length = 0;
    });

    it('makes one trace of gateway -> send -> handler -> nested span -> emit -> consumer', async () => {
      const response = await request(gateway.getHttpServer()).post('/orders/create').send({ data: { id: 'o-1' } });
      expect(response.body).toEqual({ result: { accepted: 'o-1' } });
      const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === `process ${P.created}`));

      const root = only(spans, 'POST /orders/:op');
      const clientSpan = only(spans, `send ${P.create}`);
      const serverSpan = only(spans, `process ${P.create}`);
      const nested = only(spans, 'OrdersService.place');
      const producer = only(spans, `send ${P.created}`);
      const consumer = only(spans, `process ${P.created}`);
      expectChain(root, clientSpan, serverSpan, nested, producer, consumer);
      expect(root.parentSpanId).toBeUndefined();
      expect(spans).toHaveLength(6);

      expect([clientSpan.kind, serverSpan.kind, producer.kind, consumer.kind]).toEqual([
        SpanKind.CLIENT,
        SpanKind.SERVER,
        SpanKind.PRODUCER,
        SpanKind.CONSUMER,
      ]);
      expect(clientSpan.resource.attributes['service.name']).toBe('gateway');
      expect(serverSpan.resource.attributes['service.name']).toBe('orders-service');
      expect(clientSpan.attributes).toMatchObject({
        'messaging.system': spec.system,
        'messaging.destination.name': P.create,
        'messaging.operation.type': 'send',
      });
      expect(serverSpan.attributes).toMatchObject({
        'messaging.system': spec.system,
        'messaging.destination.name': P.create,
        'messaging.operation.type': 'process',
      });
      if (spec.clientMessageId !== false) expect(typeof clientSpan.attributes['messaging.message.id']).toBe('string');
      expect(producer.attributes).toMatchObject({ 'messaging.destination.name': P.created, 'messaging.operation.type': 'send' });
      expect(consumer.attributes).toMatchObject({ 'messaging.destination.name': P.created, 'messaging.operation.type': 'process' });
      for (const span of [clientSpan, serverSpan, nested, producer, consumer]) expect(span.status.code).toBe(SpanStatusCode.UNSET);
      expect(events).toEqual([{ orderId: 'o-1' }]);
    });

    it('carries W3C baggage from the HTTP request through both hops', async () => {
      await request(gateway.getHttpServer()).post('/orders/create').set('baggage', 'tenant=acme').send({ data: { id: 'b-1' } });
      await waitForSpans(exporter, (all) => all.some((span) => span.name === `process ${P.created}`));
      expect(baggageSeen).toEqual([
        ['handler', 'acme'],
        ['consumer', 'acme'],
      ]);
    });

    it('keeps the server span active in guards, interceptors, pipes and the handler; the consumer span in the event handler', async () => {
      await request(gateway.getHttpServer()).post('/orders/create').send({ data: { id: 'o-2' } });
      const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === `process ${P.created}`));
      const serverSpan = only(spans, `process ${P.create}`);
      const consumer = only(spans, `process ${P.created}`);
      const at = (where: string) => probes.filter((p) => p.where === where).map((p) => p.spanId);
      const server = spanIdOf(serverSpan);
      const event = spanIdOf(consumer);
      // The controller's guard and interceptor run for the message and for the event.
      expect({ guard: at('guard').sort(), interceptor: at('interceptor').sort() }).toEqual({
        guard: [server, event].sort(),
        interceptor: [server, event].sort(),
      });
      expect({ pipe: at('pipe'), handler: at('handler'), consumer: at('consumer') }).toEqual({ pipe: [server], handler: [server], consumer: [event] });
    });

    it.each(PAYLOADS)('delivers a %s payload unchanged and returns the response unchanged', async (_label, payload) => {
      const response = await request(gateway.getHttpServer()).post('/orders/echo').send({ data: payload });
      expect(response.body).toEqual({ result: payload });
      expect(received).toEqual([payload]);
      const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === `process ${P.echo}`) && all.some((span) => span.name === 'POST /orders/:op'));
      expectChain(only(spans, 'POST /orders/:op'), only(spans, `send ${P.echo}`), only(spans, `process ${P.echo}`));
    });

    it('records an RpcException on the server and client spans, active in the exception filter', async () => {
      const response = await request(gateway.getHttpServer()).post('/orders/reject').send({ data: { id: 'o-3' } });
      expect(response.body).toEqual({ error: { status: 'error', message: 'order rejected' } });
      const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'POST /orders/:op'));
      const clientSpan = only(spans, `send ${P.reject}`);
      const serverSpan = only(spans, `process ${P.reject}`);
      expectChain(only(spans, 'POST /orders/:op'), clientSpan, serverSpan);
      expect(serverSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: 'order rejected' });
      expect(clientSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: 'order rejected' });
      expect(serverSpan.events.map((event) => event.name)).toContain('exception');
      expect(probes.filter((p) => p.where === 'filter').map((p) => p.spanId)).toEqual([spanIdOf(serverSpan)]);
    });

    it('records any thrown error as ERROR', async () => {
      const response = await request(gateway.getHttpServer()).post('/orders/crash').send({ data: 1 });
      expect(response.body.error).toMatchObject({ status: 'error' });
      const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'POST /orders/:op'));
      const serverSpan = only(spans, `process ${P.crash}`);
      expect(serverSpan.status.code).toBe(SpanStatusCode.ERROR);
      expect(serverSpan.attributes['error.type']).toBeDefined();
      expect(only(spans, `send ${P.crash}`).status.code).toBe(SpanStatusCode.ERROR);
    });

    it('handles a message from an untraced sender as a new root trace', async () => {
      const result = await suppressTracing(() => firstValueFrom(orders.send(P.echo, { id: 'u-1' })));
      expect(result).toEqual({ id: 'u-1' });
      expect(received).toEqual([{ id: 'u-1' }]);
      const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === `process ${P.echo}`));
      expect(spans.filter((span) => span.name === `send ${P.echo}`)).toEqual([]);
      expect(only(spans, `process ${P.echo}`).parentSpanId).toBeUndefined();
    });

    it('handles a message with a malformed trace context as a new root trace', async () => {
      const client = adHocClient(main);
      const bad = { traceparent: '00-zzzz-not-a-trace-00', tracestate: '===' };
      const result = await suppressTracing(() => sendWithCarrier(client, P.echo, { id: 'm-1' }, bad));
      expect(result).toEqual({ id: 'm-1' });
      expect(received).toEqual([{ id: 'm-1' }]);
      const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === `process ${P.echo}`));
      expect(only(spans, `process ${P.echo}`).parentSpanId).toBeUndefined();
    });

    it("merges the sender's own headers and replaces a stale traceparent whatever its case", async () => {
      const client = adHocClient(main);
      const stale = { TraceParent: '00-11111111111111111111111111111111-2222222222222222-01', 'x-user': 'alice' };
      const result = await gatewayTracer.startActiveSpan('caller', () => sendWithCarrier(client, P.echo, { id: 'h-1' }, stale));
      expect(result).toEqual({ id: 'h-1' });
      expect(received).toEqual([{ id: 'h-1' }]);
      const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'caller'));
      const caller = only(spans, 'caller');
      expectChain(caller, only(spans, `send ${P.echo}`), only(spans, `process ${P.echo}`));
      const seen = headersSeen[0];
      if (seen !== undefined || spec.withHeaders !== undefined || hasGetMetadata()) expect(seen).toBe('alice');
    });

    it('keeps a dispatch hook the application sets after tracing started (NestJS 12, metadata transports)', async () => {
      const client = adHocClient(main) as unknown as ClientProxy & { setOnDispatchHook?: (hook: (packet: Record<string, unknown>) => void) => void };
      if (spec.withHeaders !== undefined || typeof client.setOnDispatchHook !== 'function') return; // nothing to keep here
      await gatewayTracer.startActiveSpan('warm-up', () => firstValueFrom(client.send(P.echo, 'warm-up')));
      client.setOnDispatchHook((packet) => {
        packet.metadata = { ...(packet.metadata as object | undefined), 'x-user': 'bob' };
      });
      exporter.reset();
      received.length = 0;
      headersSeen.length = 0;
      const result = await gatewayTracer.startActiveSpan('caller', () => firstValueFrom(client.send(P.echo, { id: 'k-1' })));
      expect(result).toEqual({ id: 'k-1' });
      expect(headersSeen).toEqual(['bob']);
      const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'caller'));
      expectChain(only(spans, 'caller'), only(spans, `send ${P.echo}`), only(spans, `process ${P.echo}`));
    });

    it('lets a traced sender talk to an untraced receiver (send and emit)', async () => {
      const client = adHocClient(untracedEndpoint);
      for (const [, payload] of PAYLOADS) {
        const result = await gatewayTracer.startActiveSpan('caller', () => firstValueFrom(client.send(P.untraced, payload)));
        expect(result).toEqual(payload);
      }
      expect(untracedReceived).toEqual(PAYLOADS.map(([, payload]) => payload));
      untracedReceived.length = 0;
      await gatewayTracer.startActiveSpan('caller', () => lastValueFrom(client.emit(P.untracedEvent, { id: 'e-1' }), { defaultValue: undefined }));
      const deadline = Date.now() + 5000;
      while (untracedReceived.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(untracedReceived).toEqual([{ id: 'e-1' }]);
      const spans = exporter.getFinishedSpans();
      expect(spans.filter((span) => span.name === `send ${P.untraced}`)).toHaveLength(PAYLOADS.length);
      expect(spans.filter((span) => span.name.startsWith('process '))).toEqual([]);
    });

    it("follows the caller's sampling decision: an unsampled request records nothing downstream", async () => {
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
      const response = await request(gateway.getHttpServer()).post('/orders/create').set('traceparent', traceparent).send({ data: { id: 's-1' } });
      expect(response.body).toEqual({ result: { accepted: 's-1' } });
      await waitForSpans(exporter, () => events.length === 1);
      // A sampled request after it shows the pipeline is live, so nothing was merely late.
      await request(gateway.getHttpServer()).post('/orders/create').send({ data: { id: 's-2' } });
      const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === `process ${P.created}`));
      expect(spans.filter((span) => traceIdOf(span) === '0af7651916cd43dd8448eb211c80319c')).toEqual([]);
      expect(new Set(spans.map(traceIdOf)).size).toBe(1);
    });

    it('records a throwing event handler on its CONSUMER span', async () => {
      await gatewayTracer.startActiveSpan('caller', () => lastValueFrom(orders.emit(P.failedEvent, { id: 'f-1' }), { defaultValue: undefined }));
      const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === `process ${P.failedEvent}`));
      const consumer = only(spans, `process ${P.failedEvent}`);
      expect(events).toEqual([{ id: 'f-1' }]);
      expect(consumer.kind).toBe(SpanKind.CONSUMER);
      expect(consumer.status.code).toBe(SpanStatusCode.ERROR);
      expect(consumer.parentSpanId).toBe(spanIdOf(only(spans, `send ${P.failedEvent}`)));
    });

    if (spec.objectPatterns !== false) {
      it('names spans after the normalized pattern when the pattern is an object', async () => {
        const result = await gatewayTracer.startActiveSpan('caller', () => firstValueFrom(orders.send({ run, cmd: 'sum' }, [1, 2, 3])));
        expect(result).toBe(6);
        const destination = JSON.stringify({ cmd: 'sum', run });
        const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'caller'));
        const clientSpan = only(spans, `send ${destination}`);
        const serverSpan = only(spans, `process ${destination}`);
        expect(serverSpan.parentSpanId).toBe(spanIdOf(clientSpan));
        expect(serverSpan.attributes['messaging.destination.name']).toBe(destination);
      });
    }

    if (wildcard !== undefined) {
      it('names the server span after the wildcard pattern and records the concrete destination', async () => {
        const result = await gatewayTracer.startActiveSpan('caller', () => firstValueFrom(orders.send(wildcard.sent, 7)));
        expect(result).toEqual({ wild: 7 });
        const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'caller'));
        const serverSpan = only(spans, `process ${wildcard.registered}`);
        expect(serverSpan.parentSpanId).toBe(spanIdOf(only(spans, `send ${wildcard.sent}`)));
        expect(serverSpan.attributes).toMatchObject({
          'messaging.destination.name': wildcard.sent,
          'messaging.destination.template': wildcard.registered,
        });
      });
    }

    it('hands the reply to operators after send() in the caller context, not the connection one', async () => {
      const server = gateway.getHttpServer();
      for (let i = 0; i < 3; i++) {
        const response = await request(server).post('/orders/context/echo').send({ data: { i } });
        expect(response.body.result).toEqual({ i });
        expect(response.body.there).toBe(response.body.here);
      }
    });

    if (spec.serverAttributes !== undefined) {
      it('sets the message id attributes the transport has', async () => {
        await request(gateway.getHttpServer()).post('/orders/echo').send({ data: { id: 'a-1' } });
        const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === `process ${P.echo}`));
        for (const key of spec.serverAttributes!) expect({ key, value: typeof only(spans, `process ${P.echo}`).attributes[key] }).toEqual({ key, value: 'string' });
      });
    }

    it('keeps 100 interleaved requests in their own traces', async () => {
      const ids = Array.from({ length: 100 }, (_, i) => `c-${i}`);
      const server = gateway.getHttpServer();
      const responses = await Promise.all(ids.map((id) => request(server).post('/orders/create').send({ data: { id } })));
      expect(responses.map((r) => r.body)).toEqual(ids.map((id) => ({ result: { accepted: id } })));
      const spans = await waitForSpans(exporter, (all) => all.filter((span) => span.name === `process ${P.created}`).length === ids.length, 20000);
      const byId = new Map(spans.map((span) => [spanIdOf(span), span]));
      const children = new Map<string, FinishedSpan[]>();
      for (const span of spans) if (span.parentSpanId !== undefined) children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
      const traces = new Set<string>();
      for (const id of ids) {
        const nested = spans.find((span) => span.name === 'OrdersService.place' && span.attributes['order.id'] === id);
        expect(nested).toBeDefined();
        const serverSpan = byId.get(nested!.parentSpanId!)!;
        const clientSpan = byId.get(serverSpan.parentSpanId!)!;
        const root = byId.get(clientSpan.parentSpanId!)!;
        const producer = (children.get(spanIdOf(nested!)) ?? [])[0];
        const consumer = (children.get(spanIdOf(producer)) ?? [])[0];
        expect([root, clientSpan, serverSpan, nested!, producer, consumer].map((span) => span?.name)).toEqual([
          'POST /orders/:op',
          `send ${P.create}`,
          `process ${P.create}`,
          'OrdersService.place',
          `send ${P.created}`,
          `process ${P.created}`,
        ]);
        expectChain(root, clientSpan, serverSpan, nested!, producer, consumer);
        expect(root.parentSpanId).toBeUndefined();
        expect(traceOf(spans, traceIdOf(root))).toHaveLength(6);
        traces.add(traceIdOf(root));
      }
      expect(traces.size).toBe(ids.length);
    });

    function hasGetMetadata(): boolean {
      return typeof (microservices as unknown as Record<string, { prototype: object }>).TcpContext?.prototype === 'object' &&
        'getMetadata' in (microservices as unknown as Record<string, { prototype: object }>).TcpContext.prototype;
    }

    /** Sends `data` with `carrier` set by hand in the transport's headers (or packet metadata). */
    async function sendWithCarrier(client: ClientProxy, pattern: string, data: unknown, carrier: Record<string, string>): Promise<unknown> {
      if (spec.withHeaders !== undefined) {
        const payload = spec.withHeaders(client, data, carrier);
        if (payload !== undefined) return firstValueFrom(client.send(pattern, payload));
      }
      const target = client as unknown as Record<string, unknown>;
      if (typeof target.setOnDispatchHook === 'function') {
        (target.setOnDispatchHook as (hook: (packet: Record<string, unknown>) => void) => void)((packet) => {
          packet.metadata = { ...carrier };
        });
      } else {
        // NestJS 11 has no dispatch hook: set the metadata in a wrapper of `publish` that runs
        // before the instrumentation's own (installed by the first traced send).
        await gatewayTracer.startActiveSpan('warm-up', () => firstValueFrom(client.send(pattern, 'warm-up')));
        exporter.reset();
        received.length = 0;
        headersSeen.length = 0;
        const publish = target.publish as (packet: Record<string, unknown>, callback: unknown) => unknown;
        target.publish = function (this: unknown, packet: Record<string, unknown>, callback: unknown) {
          packet.metadata = { ...carrier };
          return publish.call(this, packet, callback);
        };
      }
      return firstValueFrom(client.send(pattern, data));
    }
  });
}

function idOf(order: unknown): string {
  return String((order as { id?: unknown } | null)?.id ?? '');
}
