// Server discovery beyond NestFactory.createMicroservice: hybrid apps (app.connectMicroservice,
// before and after init) and clients created before any TracingModule exists.
import { Controller, Module, type INestApplication, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, EventPattern, MessagePattern, Payload, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { SpanKind, SpanStatusCode, TracingModule } from 'nestjs-tracing';
import { freePort } from './support/broker.js';
import { expectChain, only, spanIdOf, waitForSpans } from './support/span-assertions.js';
import { InMemorySpanExporter, suiteTracing, Tracer } from './support/tracing-app.js';

// Made at load time, before any Nest app or TracingModule: the prototype patch covers it.
let earlyClient: ClientProxy;
const events: unknown[] = [];

@Controller()
class HybridController {
  @MessagePattern('hybrid.double')
  double(@Payload() n: unknown): number {
    return (n as number) * 2;
  }

  @EventPattern('hybrid.noted')
  noted(@Payload() event: unknown): void {
    events.push(event);
  }
}

describe('hybrid application (app.connectMicroservice)', () => {
  const exporter = new InMemorySpanExporter();
  let app: INestApplication;
  let firstPort: number;
  let latePort: number;
  let lateClient: ClientProxy;

  beforeAll(async () => {
    firstPort = await freePort();
    latePort = await freePort();
    earlyClient = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: firstPort } }) as unknown as ClientProxy;

    @Module({ imports: [suiteTracing('hybrid', exporter)], controllers: [HybridController] })
    class HybridModule {}

    app = await NestFactory.create(HybridModule, { logger: false });
    app.connectMicroservice({ transport: Transport.TCP, options: { host: '127.0.0.1', port: firstPort } });
    await app.init();
    // Connected after the app (and TracingModule) initialised.
    app.connectMicroservice({ transport: Transport.TCP, options: { host: '127.0.0.1', port: latePort } });
    await app.startAllMicroservices();
    lateClient = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: latePort } }) as unknown as ClientProxy;
  });

  afterAll(async () => {
    await earlyClient?.close();
    await lateClient?.close();
    await app?.close();
  });

  beforeEach(() => {
    exporter.reset();
    events.length = 0;
  });

  it('records a request that cannot reach its server as an ERROR CLIENT span', async () => {
    const client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: await freePort() } }) as unknown as ClientProxy;
    try {
      const tracer = app.get(Tracer);
      await expect(tracer.startActiveSpan('caller', () => firstValueFrom(client.send('hybrid.double', 1)))).rejects.toThrow(/ECONNREFUSED/);
      const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'caller'));
      const clientSpan = only(spans, 'send hybrid.double');
      expect(clientSpan.kind).toBe(SpanKind.CLIENT);
      expect(clientSpan.status.code).toBe(SpanStatusCode.ERROR);
      expect(clientSpan.status.message).toMatch(/ECONNREFUSED/);
    } finally {
      await client.close();
    }
  });

  it.each([
    ['connected before init, client made before any app', () => earlyClient],
    ['connected after init, client made after', () => lateClient],
  ])('traces a microservice %s', async (_label, client) => {
    const tracer = app.get(Tracer);
    const result = await tracer.startActiveSpan('caller', () => firstValueFrom(client().send('hybrid.double', 21)));
    expect(result).toBe(42);
    await tracer.startActiveSpan('emitter', () => lastValueFrom(client().emit('hybrid.noted', { n: 1 }), { defaultValue: undefined }));
    const spans = await waitForSpans(exporter, (all) => all.some((span) => span.name === 'process hybrid.noted'));
    expectChain(only(spans, 'caller'), only(spans, 'send hybrid.double'), only(spans, 'process hybrid.double'));
    expectChain(only(spans, 'emitter'), only(spans, 'send hybrid.noted'), only(spans, 'process hybrid.noted'));
    expect(only(spans, 'process hybrid.double').kind).toBe(SpanKind.SERVER);
    expect(only(spans, 'process hybrid.noted').parentSpanId).toBe(spanIdOf(only(spans, 'send hybrid.noted')));
    expect(events).toEqual([{ n: 1 }]);
  });
});

describe('TracingModule.forRoot({ enabled: false })', () => {
  it('leaves microservice servers and payloads alone and records nothing', async () => {
    const exporter = new InMemorySpanExporter();
    const port = await freePort();
    @Module({ imports: [TracingModule.forRoot({ enabled: false, exporter })], controllers: [HybridController] })
    class DisabledModule {}
    const service: INestMicroservice = await NestFactory.createMicroservice(DisabledModule, {
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
      logger: false,
    });
    await service.listen();
    const client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } }) as unknown as ClientProxy;
    try {
      expect(await firstValueFrom(client.send('hybrid.double', 4))).toBe(8);
      const server = (service as unknown as { serverInstance: object }).serverInstance;
      expect(Object.getOwnPropertySymbols(server).map(String)).not.toContain('Symbol(nestjs-tracing.server.instrumented)');
      expect(exporter.getFinishedSpans()).toEqual([]);
    } finally {
      await client.close();
      await service.close();
    }
  });
});
