import http from 'node:http';
import { Controller, Get, Headers, Injectable, Module, type INestApplication } from '@nestjs/common';
import { MessagePattern, ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { firstValueFrom } from 'rxjs';
import {
  InjectTracingOptions,
  Span,
  SpanKind,
  SpanStatusCode,
  Tracer,
  TracingModule,
  type TracingModuleOptions,
  type TracingOptionsFactory,
} from 'nestjs-tracing';
import { InMemorySpanExporter, TracingTestingModule, createTracingTestingModule, waitForSpans } from 'nestjs-tracing/testing';
import { PLATFORMS, startHttpApp } from '../support/http-apps';
import { freePort } from '../support/free-port';
import { OrdersService, TestController } from '../support/traced-http-app';

const originalRequest = http.request;

@Injectable()
class Config {
  readonly serviceName = 'from-config';
}
@Module({ providers: [Config], exports: [Config] })
class ConfigModule {}

@Injectable()
class OptionsFactory implements TracingOptionsFactory {
  static exporter = new InMemorySpanExporter();
  createTracingOptions(): TracingModuleOptions {
    return { serviceName: 'from-class', exporter: OptionsFactory.exporter };
  }
}

@Injectable()
class OptionsReader {
  constructor(@InjectTracingOptions() readonly options: TracingModuleOptions, readonly tracer: Tracer) {}
}

@Injectable()
class Work {
  @Span()
  run(): number {
    return 1;
  }
}

describe('TracingModule', () => {
  it('forRootAsync({ imports, inject, useFactory }) builds the tracer from injected config', async () => {
    const exporter = new InMemorySpanExporter();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TracingModule.forRootAsync({
          imports: [ConfigModule],
          inject: [Config],
          useFactory: (config: Config) => ({ serviceName: config.serviceName, exporter }),
        }),
      ],
      providers: [OptionsReader, Work],
    }).compile();
    await moduleRef.init();
    moduleRef.get(Work).run();
    await moduleRef.close();
    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('Work.run');
    expect(span.resource.attributes['service.name']).toBe('from-config');
    expect(moduleRef.get(OptionsReader).options.serviceName).toBe('from-config');
  });

  it.each(['useClass', 'useExisting'] as const)('forRootAsync({ %s }) reads options from the factory class', async (kind) => {
    OptionsFactory.exporter.reset();
    const moduleRef = await Test.createTestingModule({
      imports:
        kind === 'useClass'
          ? [TracingModule.forRootAsync({ useClass: OptionsFactory })]
          : [TracingModule.forRootAsync({ imports: [{ module: class FactoryModule {}, providers: [OptionsFactory], exports: [OptionsFactory] }], useExisting: OptionsFactory })],
      providers: [Work, OptionsReader],
    }).compile();
    await moduleRef.init();
    moduleRef.get(Work).run();
    await moduleRef.close();
    expect(OptionsFactory.exporter.getFinishedSpans()[0].resource.attributes['service.name']).toBe('from-class');
  });

  it('forRootAsync() without a factory says what to do', () => {
    expect(() => TracingModule.forRootAsync({})).toThrow(/useFactory, useClass or useExisting/);
  });

  it('a second forRoot() import (feature module) does not create a second tracer', async () => {
    const first = new InMemorySpanExporter();
    const second = new InMemorySpanExporter();
    @Module({ imports: [TracingModule.forRoot({ serviceName: 'second', exporter: second })], providers: [OptionsReader], exports: [OptionsReader] })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [TracingModule.forRoot({ serviceName: 'first', exporter: first }), FeatureModule],
      providers: [Work],
    }).compile();
    await moduleRef.init();
    const fromFeature = moduleRef.get(OptionsReader).tracer;
    expect(fromFeature).toBe(moduleRef.get(Tracer));
    moduleRef.get(Work).run();
    await moduleRef.close();
    expect(first.getFinishedSpans().length + second.getFinishedSpans().length).toBe(1);
  });

  it('gives each app its own tracer; root spans outside any request go to the newest app, and a closed app stops tracing', async () => {
    const a = createTracingTestingModule({ providers: [Work] }, { serviceName: 'a' });
    const appA = await Test.createTestingModule(a.metadata).compile();
    await appA.init();
    const b = createTracingTestingModule({ providers: [Work] }, { serviceName: 'b' });
    const appB = await Test.createTestingModule(b.metadata).compile();
    await appB.init();
    appA.get(Work).run();
    expect(b.exporter.getFinishedSpans()).toHaveLength(1);
    expect(a.exporter.getFinishedSpans()).toHaveLength(0);
    // a span started under app A's tracer stays in A's trace and pipeline
    appA.get(Tracer).startActiveSpan('in-a', () => appB.get(Work).run());
    expect(a.exporter.getFinishedSpans().map((s) => s.name).sort()).toEqual(['Work.run', 'in-a']);
    await appB.close();
    await appA.close();
    const c = createTracingTestingModule({ providers: [Work] }, { serviceName: 'c' });
    const appC = await Test.createTestingModule(c.metadata).compile();
    await appC.init();
    appC.get(Work).run();
    expect(c.exporter.getFinishedSpans()[0].resource.attributes['service.name']).toBe('c');
    await appC.close();
  });

  it('removes its outgoing-HTTP hooks once the last app has shut down', () => {
    expect(http.request).toBe(originalRequest);
  });
});

describe.each(PLATFORMS)('global interceptor and disabled mode (%s)', (platform) => {
  const metadata = (options: Parameters<typeof TracingTestingModule.forRoot>[0]) => ({
    imports: [TracingTestingModule.forRoot(options)],
    controllers: [TestController],
    providers: [OrdersService],
  });

  it('globalInterceptor: false still traces requests, names them by route and records handler and guard exceptions', async () => {
    const exporter = new InMemorySpanExporter();
    const { app, url } = await startHttpApp(platform, metadata({ exporter, globalInterceptor: false }));
    try {
      for (const [path, headers, message] of [
        ['/boom', {}, 'handler exploded'],
        ['/admin', { 'x-guard-explode': '1' }, 'guard exploded'],
      ] as const) {
        exporter.reset();
        await request(url).get(path).set(headers).expect(500);
        const [span] = await waitForSpans(exporter, (all) => all.some((s) => s.kind === SpanKind.SERVER));
        expect(span.name).toBe(`GET ${path}`);
        expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message });
        expect(span.attributes['error.type']).toBe('Error');
        expect(span.events.map((e) => [e.name, e.attributes['exception.message']])).toEqual([['exception', message]]);
      }
      exporter.reset();
      await request(url).get('/orders/5').expect(200);
      const spans = await waitForSpans(exporter, 2);
      const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
      expect(server.name).toBe('GET /orders/:id');
      expect(spans.find((s) => s.name === 'OrdersService.find')?.parentSpanId).toBe(server.spanContext().spanId);
    } finally {
      await app.close();
    }
  });

  it('forRootAsync whose factory returns globalInterceptor: false turns the global interceptor into a pass-through', async () => {
    const exporter = new InMemorySpanExporter();
    const { app, url } = await startHttpApp(platform, {
      imports: [TracingModule.forRootAsync({ useFactory: () => ({ exporter, globalInterceptor: false }) })],
      controllers: [TestController],
      providers: [OrdersService],
    });
    try {
      await request(url).get('/boom').expect(500);
      const [span] = await waitForSpans(exporter, (all) => all.some((s) => s.kind === SpanKind.SERVER));
      // The exception still reaches the span: Nest's ExceptionsHandler, not the interceptor, hands it over.
      expect(span.attributes['error.type']).toBe('Error');
      expect(span.events.map((e) => e.attributes['exception.message'])).toEqual(['handler exploded']);
    } finally {
      await app.close();
    }
  });

  it('http.outgoing: false leaves outgoing calls untraced and unpropagated', async () => {
    const exporter = new InMemorySpanExporter();
    let base = '';
    @Controller()
    class SelfCaller {
      @Get('outer')
      async outer() {
        return (await fetch(`${base}/inner`)).json();
      }
      @Get('inner')
      inner(@Headers('traceparent') traceparent?: string) {
        return { traceparent: traceparent ?? null };
      }
    }
    const { app, url } = await startHttpApp(platform, {
      imports: [TracingTestingModule.forRoot({ exporter, http: { outgoing: false } })],
      controllers: [SelfCaller],
    });
    base = url;
    try {
      await request(url).get('/outer').expect(200, { traceparent: null });
      const spans = await waitForSpans(exporter, 2);
      expect(spans.filter((s) => s.kind === SpanKind.CLIENT)).toHaveLength(0);
      expect(spans.every((s) => s.parentSpanId === undefined)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('enabled: false (and OTEL_SDK_DISABLED=true) leaves the app answering identically, with no spans', async () => {
    const paths = ['/orders/5', '/admin', '/boom', '/teapot', '/filtered', '/no/where', '/stream'];
    const answers = async (url: string) =>
      Promise.all(
        paths.map(async (path) => {
          const r = await request(url).get(path).set('x-role', 'guest').set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
          return { path, status: r.status, message: r.body?.message ?? r.body?.id };
        }),
      );
    const enabledExporter = new InMemorySpanExporter();
    const traced = await startHttpApp(platform, metadata({ exporter: enabledExporter }));
    const expected = await answers(traced.url);
    await traced.app.close();

    const exporter = new InMemorySpanExporter();
    const disabled = await startHttpApp(platform, metadata({ exporter, enabled: false }));
    expect(await answers(disabled.url)).toEqual(expected);
    await disabled.app.close();

    process.env.OTEL_SDK_DISABLED = 'true';
    try {
      const fromEnv = await startHttpApp(platform, metadata({ exporter }));
      expect(await answers(fromEnv.url)).toEqual(expected);
      expect(fromEnv.app.get(Tracer).enabled).toBe(false);
      await fromEnv.app.close();
    } finally {
      delete process.env.OTEL_SDK_DISABLED;
    }
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(enabledExporter.getFinishedSpans().length).toBeGreaterThan(paths.length);
  });
});

@Controller()
class HybridController {
  @MessagePattern('ping')
  ping(data: string): string {
    return `pong:${data}`;
  }
  @Get('hello')
  hello() {
    return { hello: 'world' };
  }
}

describe.each([true, false])('hybrid app (HTTP + TCP microservice, inheritAppConfig %s)', (inheritAppConfig) => {
  it('serves both transports with the global interceptor registered, and traces HTTP', async () => {
    const exporter = new InMemorySpanExporter();
    const port = await freePort();
    const moduleRef = await Test.createTestingModule({
      imports: [TracingTestingModule.forRoot({ exporter })],
      controllers: [HybridController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.connectMicroservice({ transport: Transport.TCP, options: { host: '127.0.0.1', port } }, { inheritAppConfig });
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    const client: ClientProxy = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
    try {
      expect(await firstValueFrom(client.send('ping', 'x'))).toBe('pong:x');
      await request(app.getHttpServer()).get('/hello').expect(200, { hello: 'world' });
      const spans = await waitForSpans(exporter, (all) => all.some((s) => s.name === 'GET /hello'));
      expect(spans.find((s) => s.name === 'GET /hello')!.kind).toBe(SpanKind.SERVER);
    } finally {
      await client.close();
      await app.close();
    }
  });
});
