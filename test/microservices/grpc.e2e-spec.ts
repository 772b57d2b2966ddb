// gRPC: an in-process @grpc/grpc-js server. The trace context travels in the call's Metadata.
import { Body, Controller, Inject, Injectable, Module, Param, Post, type INestApplication, type INestMicroservice, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, ClientsModule, GrpcMethod, GrpcStreamCall, GrpcStreamMethod, RpcException, Transport, type ClientGrpc } from '@nestjs/microservices';
import { Metadata } from '@grpc/grpc-js';
import { join } from 'node:path';
import { firstValueFrom, from, lastValueFrom, Observable, reduce, toArray } from 'rxjs';
import request from 'supertest';
import { Span, SpanKind, SpanStatusCode, suppressTracing, type FinishedSpan } from 'nestjs-tracing';
import { freePort } from './support/broker.js';
import { expectChain, spanIdOf, traceIdOf, waitForSpans } from './support/span-assertions.js';
import { InMemorySpanExporter, suiteTracing, Tracer } from './support/tracing-app.js';

interface OrderRequest {
  id?: string;
  items?: number[];
  nested?: { ok?: boolean; note?: string };
  total?: number;
}
interface OrderReply {
  id?: string;
  count?: number;
  seen?: string;
}
interface OrdersGrpc {
  create(request: OrderRequest, metadata?: Metadata): Observable<OrderReply>;
  reject(request: OrderRequest, metadata?: Metadata): Observable<OrderReply>;
  items(request: OrderRequest, metadata?: Metadata): Observable<OrderReply>;
  echo(request: OrderRequest, metadata?: Metadata): Observable<OrderRequest>;
  sum(requests: Observable<OrderReply>, metadata?: Metadata): Observable<OrderReply>;
  collect(requests: Observable<OrderReply>, metadata?: Metadata): Observable<OrderReply>;
}

const protoPath = join(__dirname, 'fixtures', 'orders.proto');
const CREATE = 'orders.OrdersService/Create';
const ITEMS = 'orders.OrdersService/Items';
const ECHO = 'orders.OrdersService/Echo';
const REJECT = 'orders.OrdersService/Reject';

const exporter = new InMemorySpanExporter();
const received: OrderRequest[] = [];
const seenUser: string[] = [];
const untracedReceived: OrderRequest[] = [];

@Injectable()
class OrdersService implements OnModuleInit {
  private orders!: OrdersGrpc;
  constructor(@Inject('SELF') private readonly self: ClientGrpc) {}
  onModuleInit(): void {
    this.orders = this.self.getService<OrdersGrpc>('OrdersService');
  }
  @Span({ args: (order: OrderRequest) => ({ 'order.id': order.id ?? '' }) })
  async place(order: OrderRequest): Promise<number> {
    const replies = await lastValueFrom(this.orders.items({ id: order.id, items: order.items }).pipe(toArray()));
    return replies.length;
  }
}

@Controller()
class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @GrpcMethod('OrdersService', 'Create')
  async create(order: OrderRequest): Promise<OrderReply> {
    return { id: order.id, count: await this.orders.place(order) };
  }

  @GrpcMethod('OrdersService', 'Items')
  items(order: OrderRequest): Observable<OrderReply> {
    return new Observable<OrderReply>((subscriber) => {
      for (const item of order.items ?? []) subscriber.next({ id: order.id, count: item });
      subscriber.complete();
    });
  }

  @GrpcMethod('OrdersService', 'Echo')
  echo(order: OrderRequest, metadata: Metadata): OrderRequest {
    received.push(order);
    seenUser.push(String(metadata.get('x-user')[0] ?? ''));
    return order;
  }

  @GrpcStreamMethod('OrdersService', 'Sum')
  sum(requests: Observable<OrderReply>): Observable<OrderReply> {
    return requests.pipe(reduce((acc, item) => ({ count: (acc.count ?? 0) + (item.count ?? 0) }), { count: 0 } as OrderReply));
  }

  @GrpcStreamCall('OrdersService', 'Collect')
  collect(call: { on(event: string, fn: (value?: OrderReply) => void): void }, callback: (error: unknown, reply: OrderReply) => void): void {
    let count = 0;
    call.on('data', (item) => (count += item?.count ?? 0));
    call.on('end', () => callback(null, { count }));
  }

  @GrpcMethod('OrdersService', 'Reject')
  reject(): never {
    throw new RpcException({ code: 5, message: 'no such order' });
  }
}

@Controller()
class UntracedController {
  @GrpcMethod('OrdersService', 'Echo')
  echo(order: OrderRequest): OrderRequest {
    untracedReceived.push(order);
    return order;
  }
}

@Controller('grpc')
class GatewayController implements OnModuleInit {
  private orders!: OrdersGrpc;
  constructor(@Inject('ORDERS') private readonly client: ClientGrpc) {}
  onModuleInit(): void {
    this.orders = this.client.getService<OrdersGrpc>('OrdersService');
  }
  // The gateway's HTTP SERVER span (`POST /grpc/:op`) comes from TracingModule.
  @Post(':op')
  async call(@Param('op') op: 'create' | 'reject' | 'echo', @Body() body: OrderRequest): Promise<unknown> {
    try {
      return { result: await firstValueFrom(this.orders[op](body)) };
    } catch (error) {
      return { error: { code: (error as { code?: number }).code, details: (error as { details?: string }).details } };
    }
  }
}

describe('gRPC transport', () => {
  let url: string;
  let untracedUrl: string;
  let gateway: INestApplication;
  let service: INestMicroservice;
  let untraced: INestMicroservice;
  let gatewayTracer: Tracer;
  const closers: Array<() => unknown> = [];

  const grpcOptions = (target: string) => ({ package: 'orders', protoPath, url: target });
  const find = (spans: FinishedSpan[], name: string, kind: SpanKind) => {
    const found = spans.filter((span) => span.name === name && span.kind === kind);
    expect({ name, kind, count: found.length }).toEqual({ name, kind, count: 1 });
    return found[0];
  };

  beforeAll(async () => {
    url = `127.0.0.1:${await freePort()}`;
    untracedUrl = `127.0.0.1:${await freePort()}`;

    @Module({
      imports: [
        suiteTracing('orders-service', exporter),
        ClientsModule.registerAsync([{ name: 'SELF', useFactory: () => ({ transport: Transport.GRPC, options: grpcOptions(url) }) }]),
      ],
      controllers: [OrdersController],
      providers: [OrdersService],
    })
    class ServiceModule {}

    @Module({ controllers: [UntracedController] })
    class UntracedModule {}

    @Module({
      imports: [suiteTracing('gateway', exporter), ClientsModule.register([{ name: 'ORDERS', transport: Transport.GRPC, options: grpcOptions(url) }])],
      controllers: [GatewayController],
    })
    class GatewayModule {}

    service = await NestFactory.createMicroservice(ServiceModule, { transport: Transport.GRPC, options: grpcOptions(url), logger: false });
    await service.listen();
    untraced = await NestFactory.createMicroservice(UntracedModule, { transport: Transport.GRPC, options: grpcOptions(untracedUrl), logger: false });
    await untraced.listen();
    gateway = await NestFactory.create(GatewayModule, { logger: false });
    await gateway.init();
    gatewayTracer = gateway.get(Tracer);
  });

  afterAll(async () => {
    for (const close of closers) await close();
    await gateway?.close();
    await service?.close();
    await untraced?.close();
  });

  beforeEach(() => {
    exporter.reset();
    received.length = 0;
    seenUser.length = 0;
    untracedReceived.length = 0;
  });

  const directClient = (target: string): OrdersGrpc => {
    const client = ClientProxyFactory.create({ transport: Transport.GRPC, options: grpcOptions(target) }) as unknown as ClientGrpc & { close(): void };
    closers.push(() => client.close());
    return client.getService<OrdersGrpc>('OrdersService');
  };

  it('makes one trace of gateway -> unary call -> handler -> nested span -> streaming call -> handler', async () => {
    const response = await request(gateway.getHttpServer()).post('/grpc/create').send({ id: 'g-1', items: [1, 2, 3] });
    expect(response.body).toEqual({ result: { id: 'g-1', count: 3 } });
    const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'POST /grpc/:op'));
    expect(spans).toHaveLength(6);
    const root = spans.find((span) => span.name === 'POST /grpc/:op')!;
    const client = find(spans, CREATE, SpanKind.CLIENT);
    const server = find(spans, CREATE, SpanKind.SERVER);
    const nested = spans.find((span) => span.name === 'OrdersService.place')!;
    const streamClient = find(spans, ITEMS, SpanKind.CLIENT);
    const streamServer = find(spans, ITEMS, SpanKind.SERVER);
    expectChain(root, client, server, nested, streamClient, streamServer);
    expect(root.parentSpanId).toBeUndefined();
    expect(client.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.service': 'orders.OrdersService', 'rpc.method': 'Create', 'rpc.grpc.status_code': 0 });
    expect(server.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.service': 'orders.OrdersService', 'rpc.method': 'Create', 'rpc.grpc.status_code': 0 });
    expect(server.resource.attributes['service.name']).toBe('orders-service');
    for (const span of [client, server, streamClient, streamServer]) expect(span.status.code).toBe(SpanStatusCode.UNSET);
    // the streaming handler returns an Observable: its span ends on complete, with status OK (0)
    expect(streamServer.attributes['rpc.grpc.status_code']).toBe(0);
    expect(streamServer.endTime >= streamServer.startTime).toBe(true);
  });

  // proto3 with proto-loader's defaults: fields at their default value are not sent.
  it.each<[string, OrderRequest, OrderRequest]>([
    ['full message', { id: 'p-1', items: [1, 2], nested: { ok: true, note: 'n' }, total: 12.5 }, { id: 'p-1', items: [1, 2], nested: { ok: true, note: 'n' }, total: 12.5 }],
    ['empty message', {}, {}],
    ['message with an empty repeated field', { id: 'p-2', items: [] }, { id: 'p-2' }],
  ])('delivers a %s unchanged', async (_label, message, expected) => {
    const response = await request(gateway.getHttpServer()).post('/grpc/echo').send(message);
    expect(response.body).toEqual({ result: expected });
    expect(received).toEqual([expected]);
  });

  it('records a failed call (RpcException with a gRPC code) on both sides', async () => {
    const response = await request(gateway.getHttpServer()).post('/grpc/reject').send({ id: 'r-1' });
    expect(response.body).toEqual({ error: { code: 5, details: 'no such order' } });
    const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'POST /grpc/:op'));
    const client = find(spans, REJECT, SpanKind.CLIENT);
    const server = find(spans, REJECT, SpanKind.SERVER);
    expect(server.parentSpanId).toBe(spanIdOf(client));
    expect(client.status.code).toBe(SpanStatusCode.ERROR);
    expect(client.attributes['rpc.grpc.status_code']).toBe(5);
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("merges the caller's metadata and replaces a stale traceparent whatever its case", async () => {
    const orders = directClient(url);
    const metadata = new Metadata();
    metadata.set('x-user', 'alice');
    metadata.set('TraceParent', '00-11111111111111111111111111111111-2222222222222222-01');
    const result = await gatewayTracer.startActiveSpan('caller', () => firstValueFrom(orders.echo({ id: 'h-1' }, metadata)));
    expect(result).toMatchObject({ id: 'h-1' });
    expect(seenUser).toEqual(['alice']);
    // The caller's own Metadata object is not modified.
    expect(metadata.get('traceparent')).toEqual(['00-11111111111111111111111111111111-2222222222222222-01']);
    const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'caller'));
    expectChain(spans.find((span) => span.name === 'caller')!, find(spans, ECHO, SpanKind.CLIENT), find(spans, ECHO, SpanKind.SERVER));
  });

  it('handles calls from an untraced caller, or with malformed metadata, as new root traces', async () => {
    const orders = directClient(url);
    await suppressTracing(() => firstValueFrom(orders.echo({ id: 'u-1' })));
    const bad = new Metadata();
    bad.set('traceparent', '00-not-a-trace-context');
    await suppressTracing(() => firstValueFrom(orders.echo({ id: 'u-2' }, bad)));
    expect(received.map((r) => r.id)).toEqual(['u-1', 'u-2']);
    const spans = await waitForSpans(exporter, (all) => all.filter((span) => span.name === ECHO).length === 2);
    expect(spans.filter((span) => span.kind === SpanKind.CLIENT)).toEqual([]);
    for (const span of spans) expect(span.parentSpanId).toBeUndefined();
    expect(traceIdOf(spans[0])).not.toBe(traceIdOf(spans[1]));
  });

  it('lets a traced caller talk to an untraced server', async () => {
    const orders = directClient(untracedUrl);
    const result = await gatewayTracer.startActiveSpan('caller', () => firstValueFrom(orders.echo({ id: 'x-1', items: [7] })));
    expect(result).toMatchObject({ id: 'x-1', items: [7] });
    expect(untracedReceived).toMatchObject([{ id: 'x-1', items: [7] }]);
    const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'caller'));
    expect(spans.filter((span) => span.kind === SpanKind.SERVER)).toEqual([]);
    find(spans, ECHO, SpanKind.CLIENT);
  });

  it.each([
    ['@GrpcStreamMethod (Rx request stream)', 'sum', 'orders.OrdersService/Sum'],
    ['@GrpcStreamCall (pass-through request stream)', 'collect', 'orders.OrdersService/Collect'],
  ] as const)('traces a client-streaming call handled by %s', async (_label, method, name) => {
    const orders = directClient(url);
    const result = await gatewayTracer.startActiveSpan('caller', () =>
      firstValueFrom(orders[method](from([{ count: 1 }, { count: 2 }, { count: 3 }]))),
    );
    expect(result).toEqual({ count: 6 });
    const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'caller') && all.some((span) => span.name === name && span.kind === SpanKind.SERVER));
    expectChain(spans.find((span) => span.name === 'caller')!, find(spans, name, SpanKind.CLIENT), find(spans, name, SpanKind.SERVER));
  });

  it('keeps 100 interleaved calls in their own traces', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `c-${i}`);
    const server = gateway.getHttpServer();
    const responses = await Promise.all(ids.map((id) => request(server).post('/grpc/create').send({ id, items: [1, 2] })));
    expect(responses.map((r) => r.body)).toEqual(ids.map((id) => ({ result: { id, count: 2 } })));
    const spans = await waitForSpans(exporter, (all) => all.filter((span) => span.name === 'POST /grpc/:op').length === ids.length, 20000);
    const byId = new Map(spans.map((span) => [spanIdOf(span), span]));
    const traces = new Set<string>();
    for (const id of ids) {
      const nested = spans.find((span) => span.name === 'OrdersService.place' && span.attributes['order.id'] === id)!;
      const serverSpan = byId.get(nested.parentSpanId!)!;
      const clientSpan = byId.get(serverSpan.parentSpanId!)!;
      const root = byId.get(clientSpan.parentSpanId!)!;
      expect([root.name, clientSpan.kind, serverSpan.kind]).toEqual(['POST /grpc/:op', SpanKind.CLIENT, SpanKind.SERVER]);
      const inTrace = spans.filter((span) => traceIdOf(span) === traceIdOf(root));
      expect(inTrace).toHaveLength(6);
      traces.add(traceIdOf(root));
    }
    expect(traces.size).toBe(ids.length);
  });
});
