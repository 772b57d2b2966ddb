import { Controller, Get, Injectable, Param } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Span, TracingModule } from 'nestjs-tracing';
import { OtlpReceiver } from '../support/otlp-receiver.js';

@Injectable()
class OrdersService {
  @Span()
  async find(id: string): Promise<{ id: string }> {
    await new Promise((r) => setImmediate(r));
    return { id };
  }
}

@Controller('orders')
class OrdersController {
  constructor(private readonly orders: OrdersService) {}
  @Get(':id')
  get(@Param('id') id: string) {
    return this.orders.find(id);
  }
}

async function boot(rx: OtlpReceiver, extra: Record<string, unknown> = {}) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      TracingModule.forRoot({
        serviceName: 'orders-api',
        exporter: 'otlp',
        otlp: { endpoint: rx.url },
        processor: { scheduledDelayMillis: 60_000 }, // nothing leaves before app.close()
        ...extra,
      }),
    ],
    controllers: [OrdersController],
    providers: [OrdersService],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
}

describe('app.close() with the OTLP exporter and a real collector', () => {
  let rx: OtlpReceiver;
  beforeEach(async () => {
    rx = await OtlpReceiver.start();
  });
  afterEach(() => rx.close());

  it('delivers every finished span to the collector before it resolves', async () => {
    const { app, url } = await boot(rx);
    for (let i = 0; i < 7; i++) await request(url).get(`/orders/${i}`).expect(200);
    expect(rx.requests).toHaveLength(0);
    await app.close();
    const spans = rx.spans(); // no waiting: close() has resolved, so they are there
    expect(spans.filter((s) => s.name === 'GET /orders/:id')).toHaveLength(7);
    expect(spans.filter((s) => s.name === 'OrdersService.find')).toHaveLength(7);
    // nothing else: the exporter's own POSTs to the collector were not traced
    expect(spans).toHaveLength(14);
    expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(['orders-api']));
    for (const child of spans.filter((s) => s.name === 'OrdersService.find')) {
      const parent = spans.find((s) => s.spanId === child.parentSpanId)!;
      expect(parent.name).toBe('GET /orders/:id');
      expect(parent.traceId).toBe(child.traceId);
    }
  });

  it('never traces its own exports, even those started inside a request', async () => {
    // Outgoing node:http tracing is installed when the first app boots. A module loaded after
    // that sees the wrapped http.request (a CJS namespace copy is taken at load time), so the
    // exporter is loaded fresh here: without suppressTracing its POSTs would be traced.
    const first = await boot(rx);
    let Fresh!: typeof import('../../lib/export/otlp/otlp-http.exporter.js').OtlpHttpSpanExporter;
    jest.isolateModules(() => {
      Fresh = require('../../lib/export/otlp/otlp-http.exporter.js').OtlpHttpSpanExporter;
    });
    // batches of one: each span.end() inside the request schedules an export from the
    // request's async context, where an untraced POST would become a CLIENT child span
    const { app, url } = await boot(rx, { exporter: new Fresh({ endpoint: rx.url }), processor: { maxExportBatchSize: 1, scheduledDelayMillis: 10 } });
    for (let i = 0; i < 3; i++) await request(url).get(`/orders/${i}`).expect(200);
    await app.close();
    await first.app.close();
    expect(rx.requests.length).toBeGreaterThanOrEqual(6);
    expect(rx.spans().map((s) => s.name).sort()).toEqual([...Array(3).fill('GET /orders/:id'), ...Array(3).fill('OrdersService.find')]);
  });

  it('still delivers everything when the collector answers 503 twice during the final flush', async () => {
    rx.respondWith([503, 503]);
    const { app, url } = await boot(rx);
    for (let i = 0; i < 3; i++) await request(url).get(`/orders/${i}`).expect(200);
    // default backoff is ~1 s, then ~1.5 s: within the 5 s shutdown deadline
    await app.close();
    expect(rx.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(rx.spans()).toHaveLength(6);
  });

  it('keeps serving while the collector hangs, and app.close() gives up at the shutdown deadline', async () => {
    rx.respondWith(Array(50).fill('hang'));
    const { app, url } = await boot(rx, {
      shutdownTimeoutMillis: 300,
      processor: { scheduledDelayMillis: 10, maxExportBatchSize: 2 },
      otlp: { endpoint: rx.url, timeoutMillis: 20_000 },
    });
    await request(url).get('/orders/1').expect(200); // its 2 spans leave and hang
    await rx.waitForRequests(1);
    for (let i = 0; i < 10; i++) await request(url).get(`/orders/${i}`).expect(200).expect({ id: String(i) });
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise((r) => (timer = setTimeout(() => r('still closing'), 10_000)));
    const outcome = await Promise.race([app.close().then(() => 'closed'), hung]);
    clearTimeout(timer);
    expect(outcome).toBe('closed');
    expect(rx.spans()).toHaveLength(0);
  });
});
