import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { SpanKind, SpanStatusCode, type FinishedSpan } from 'nestjs-tracing';
import { InMemorySpanExporter, TracingTestingModule, waitForSpans } from 'nestjs-tracing/testing';
import { PLATFORMS, REMOTE_SPAN_ID, REMOTE_TRACEPARENT, REMOTE_TRACE_ID, named, one, startHttpApp } from '../support/http-apps';
import { OrdersService, TestAppModule, TestController } from '../support/traced-http-app';

const serverSpans = (spans: FinishedSpan[]) => spans.filter((s) => s.kind === SpanKind.SERVER);

describe.each(PLATFORMS)('HTTP server spans (%s)', (platform) => {
  let app: INestApplication;
  let url: string;
  const exporter = new InMemorySpanExporter();

  beforeAll(async () => {
    ({ app, url } = await startHttpApp(platform, {
      imports: [
        TracingTestingModule.forRoot({
          exporter,
          serviceName: `http-${platform}`,
          http: {
            ignore: ['/health'],
            captureHeaders: { request: ['x-tenant'], response: ['content-type'] },
            traceResponseHeader: true,
            captureQuery: true,
          },
        }),
        TestAppModule,
      ],
    }));
  });
  afterAll(() => app.close());
  beforeEach(() => exporter.reset());

  async function serverSpan(): Promise<FinishedSpan> {
    const spans = await waitForSpans(exporter, (all) => serverSpans(all).length > 0);
    return serverSpans(spans)[0];
  }

  it('names the SERVER span METHOD /route/:template and records the stable HTTP attributes', async () => {
    const response = await request(url).get('/orders/7?verbose=1').set('user-agent', 'jest-agent').set('x-tenant', 'acme').expect(200);
    expect(response.body.id).toBe(7);
    const span = await serverSpan();
    expect(span.name).toBe('GET /orders/:id');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'http.response.status_code': 200,
      'url.path': '/orders/7',
      'url.scheme': 'http',
      'url.query': 'verbose=1',
      'server.address': '127.0.0.1',
      'user_agent.original': 'jest-agent',
      'network.protocol.version': '1.1',
      'http.request.header.x-tenant': ['acme'],
    });
    expect(typeof span.attributes['server.port']).toBe('number');
    expect(span.attributes['client.address']).toMatch(/127\.0\.0\.1/);
    expect(String(span.attributes['http.response.header.content-type'])).toContain('application/json');
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.resource.attributes['service.name']).toBe(`http-${platform}`);
  });

  it('continues the trace of an incoming traceparent and parents the handler spans on the SERVER span', async () => {
    const response = await request(url).get('/orders/1').set('traceparent', REMOTE_TRACEPARENT).expect(200);
    const spans = await waitForSpans(exporter, 2);
    const server = one(spans, 'GET /orders/:id');
    const child = one(spans, 'OrdersService.find');
    expect(server.spanContext().traceId).toBe(REMOTE_TRACE_ID);
    expect(server.parentSpanId).toBe(REMOTE_SPAN_ID);
    expect(child.parentSpanId).toBe(server.spanContext().spanId);
    expect(response.body.seen).toBe(`${REMOTE_TRACE_ID}-${child.spanContext().spanId}`);
  });

  it('adds the traceresponse header for the SERVER span', async () => {
    const response = await request(url).get('/orders/2').expect(200);
    const span = await serverSpan();
    const sc = span.spanContext();
    expect(response.headers['traceresponse']).toBe(`00-${sc.traceId}-${sc.spanId}-01`);
  });

  it('runs Nest middleware, guards, pipes and the handler inside the SERVER span', async () => {
    const response = await request(url).get('/context/abc').expect(200);
    const span = await serverSpan();
    const ids = `${span.spanContext().traceId}-${span.spanContext().spanId}`;
    expect(response.body).toEqual({ middleware: ids, guard: ids, pipe: ids, handler: ids });
  });

  it('keeps the context after the request body was parsed', async () => {
    const response = await request(url).post('/echo').send({ a: 1 }).expect(201);
    const span = await serverSpan();
    expect(span.name).toBe('POST /echo');
    expect(response.body).toEqual({ body: { a: 1 }, handler: `${span.spanContext().traceId}-${span.spanContext().spanId}` });
  });

  it('traces a handler returning an Observable', async () => {
    const response = await request(url).get('/stream').expect(200);
    const span = await serverSpan();
    expect(span.name).toBe('GET /stream');
    expect(response.body.handler).toBe(`${span.spanContext().traceId}-${span.spanContext().spanId}`);
  });

  it('gives a 404 a SERVER span named by the method alone, not an error', async () => {
    await request(url).get('/no/such/route').expect(404);
    const span = await serverSpan();
    expect(span.name).toBe('GET');
    expect(span.attributes['http.route']).toBeUndefined();
    expect(span.attributes['http.response.status_code']).toBe(404);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('records a guard rejection as 403 without error status', async () => {
    await request(url).get('/admin').set('x-role', 'guest').expect(403);
    const span = await serverSpan();
    expect(span.name).toBe('GET /admin');
    expect(span.attributes['http.response.status_code']).toBe(403);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['error.type']).toBeUndefined();
  });

  it.each([
    ['/admin-traced', 'AdminHandler'],
    ['/admin-traced-other-order', 'AdminHandlerOtherOrder'],
  ])('lets the guard read @Roles through Reflector when @Span wraps the handler (%s)', async (path, spanName) => {
    await request(url).get(path).set('x-role', 'guest').expect(403);
    await request(url).get(path).set('x-role', 'admin').expect(200);
    const spans = await waitForSpans(exporter, (all) => serverSpans(all).length === 2 && named(all, spanName).length === 1);
    expect(serverSpans(spans).map((s) => s.attributes['http.response.status_code']).sort()).toEqual([200, 403]);
    expect(named(spans, spanName)[0].parentSpanId).toBe(serverSpans(spans).find((s) => s.attributes['http.response.status_code'] === 200)!.spanContext().spanId);
  });

  it('marks a thrown exception mapped to 500 as ERROR and records it', async () => {
    await request(url).get('/boom').expect(500);
    const span = await serverSpan();
    expect(span.name).toBe('GET /boom');
    expect(span.attributes['http.response.status_code']).toBe(500);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('Error');
    const exception = span.events.find((e) => e.name === 'exception');
    expect(exception?.attributes['exception.message']).toBe('handler exploded');
  });

  it('records an exception thrown by a guard (before any interceptor runs) on the 500 span', async () => {
    await request(url).get('/admin').set('x-guard-explode', '1').expect(500);
    const span = await serverSpan();
    expect(span.name).toBe('GET /admin');
    expect(span.attributes['http.response.status_code']).toBe(500);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'guard exploded' });
    expect(span.attributes['error.type']).toBe('Error');
    const exceptions = span.events.filter((e) => e.name === 'exception');
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0].attributes['exception.message']).toBe('guard exploded');
    expect(String(exceptions[0].attributes['exception.stacktrace'])).toContain('RolesGuard');
  });

  it('does not mark a 4xx HttpException as an error', async () => {
    await request(url).get('/teapot').expect(418);
    const span = await serverSpan();
    expect(span.attributes['http.response.status_code']).toBe(418);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('records the status an exception filter produced, with the context active in the filter', async () => {
    const response = await request(url).get('/filtered').expect(503);
    const span = await serverSpan();
    expect(span.attributes['http.response.status_code']).toBe(503);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(response.body.filter).toBe(`${span.spanContext().traceId}-${span.spanContext().spanId}`);
    exporter.reset();
    await request(url).get('/filtered-context').expect(409);
    const conflict = await serverSpan();
    expect(conflict.attributes['http.response.status_code']).toBe(409);
    expect(conflict.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('does not trace ignored routes', async () => {
    await request(url).get('/health').expect(200);
    await request(url).get('/orders/3').expect(200);
    const spans = await waitForSpans(exporter, (all) => serverSpans(all).length === 1);
    expect(serverSpans(spans)[0].name).toBe('GET /orders/:id');
  });

  it('never mixes contexts of 100 interleaved requests', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => (i + 1).toString(16).padStart(32, 'a'));
    const responses = await Promise.all(
      ids.map((traceId, i) =>
        request(url)
          .get(`/slow/${(i * 7) % 13}`)
          .set('traceparent', `00-${traceId}-${REMOTE_SPAN_ID}-01`)
          .expect(200),
      ),
    );
    responses.forEach((response, i) => expect(response.body.traceId).toBe(ids[i]));
    const spans = await waitForSpans(exporter, (all) => serverSpans(all).length === 100);
    const byTrace = new Map(serverSpans(spans).map((s) => [s.spanContext().traceId, s]));
    expect(new Set(byTrace.keys())).toEqual(new Set(ids));
    for (const child of named(spans, 'OrdersService.slow')) {
      expect(child.parentSpanId).toBe(byTrace.get(child.spanContext().traceId)!.spanContext().spanId);
    }
  });
});

describe.each(PLATFORMS)('HTTP server spans with a global prefix (%s)', (platform) => {
  it('uses the full route template, prefix included', async () => {
    const exporter = new InMemorySpanExporter();
    const { app, url } = await startHttpApp(
      platform,
      { imports: [TracingTestingModule.forRoot({ exporter })], controllers: [TestController], providers: [OrdersService] },
      (a) => {
        a.setGlobalPrefix('api');
      },
    );
    try {
      await request(url).get('/api/orders/9').expect(200);
      await request(url).get('/outside/prefix').expect(404);
      const spans = await waitForSpans(exporter, (all) => serverSpans(all).length === 2);
      const byPath = new Map(serverSpans(spans).map((s) => [s.attributes['url.path'], [s.name, s.attributes['http.route']]]));
      expect(byPath.get('/api/orders/9')).toEqual(['GET /api/orders/:id', '/api/orders/:id']);
      expect(byPath.get('/outside/prefix')).toEqual(['GET', undefined]);
    } finally {
      await app.close();
    }
  });
});
