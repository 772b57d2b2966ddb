import { SpanKind, SpanStatusCode } from '../../lib/core/enums.js';
import { Tracer } from '../../lib/core/tracer.js';
import type { SpanContext } from '../../lib/core/types.js';
import { ConsoleSpanExporter } from '../../lib/export/console-span.exporter.js';
import { SimpleSpanProcessor } from '../../lib/export/simple-span.processor.js';

function setup(settleMillis = 1000) {
  const out: string[] = [];
  const exporter = new ConsoleSpanExporter({ stream: { write: (t: string) => out.push(t) }, settleMillis });
  const tracer = new Tracer({ serviceName: 'orders', processor: new SimpleSpanProcessor(exporter) });
  return { out, exporter, tracer };
}

describe('ConsoleSpanExporter', () => {
  it('prints a trace as an indented tree once its root ends, with kind, duration, status and key attributes', async () => {
    const { out, tracer } = setup();
    await tracer.startActiveSpan('GET /orders/:id', { kind: SpanKind.SERVER, attributes: { 'http.route': '/orders/:id' } }, async (server) => {
      await tracer.startActiveSpan('OrdersService.find', async () => {
        const rpc = tracer.startSpan('orders.get', { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'nestjs-tcp', 'rpc.method': 'get' } });
        rpc.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
        rpc.end();
      });
      server.setAttribute('http.response.status_code', 200);
      expect(out).toEqual([]); // children wait for their root
    });
    await tracer.forceFlush();
    expect(out).toHaveLength(1);
    const lines = out[0]!.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^trace [0-9a-f]{32} \(orders\)$/);
    expect(lines[1]).toMatch(/^  GET \/orders\/:id  SERVER  \d+\.\d+ ms  http.route=\/orders\/:id http.response.status_code=200$/);
    expect(lines[2]).toMatch(/^    OrdersService\.find  INTERNAL  \d+\.\d+ ms$/);
    expect(lines[3]).toMatch(/^      orders\.get  CLIENT  \d+\.\d+ ms  ERROR\(timeout\)  rpc.system=nestjs-tcp rpc.method=get$/);
    await tracer.shutdown();
  });

  it('prints a trace whose root is remote after a quiet spell, children under their local parent', async () => {
    const { out, tracer } = setup(30);
    const remote: SpanContext = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736' as SpanContext['traceId'],
      spanId: '00f067aa0ba902b7' as SpanContext['spanId'],
      traceFlags: 1,
      isRemote: true,
    };
    const handler = tracer.startSpan('orders.created', { kind: SpanKind.CONSUMER, parent: remote, attributes: { 'messaging.system': 'rabbitmq' } });
    tracer.withSpan(handler, () => tracer.startSpan('save').end());
    await new Promise((r) => setImmediate(r));
    expect(out).toEqual([]); // its parent is still running
    handler.end();
    await new Promise((r) => setTimeout(r, 80));
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('(parent 00f067aa0ba902b7 not here)');
    expect(out[0]).toMatch(/\n    orders\.created  CONSUMER .*messaging.system=rabbitmq\n      save  INTERNAL/);
    await tracer.shutdown();
  });

  it('prints what is still held on shutdown', async () => {
    const { out, tracer, exporter } = setup(60000);
    const root = tracer.startSpan('long-running');
    tracer.withSpan(root, () => tracer.startSpan('child').end());
    await new Promise((r) => setImmediate(r));
    expect(out).toEqual([]);
    await exporter.shutdown();
    expect(out.join('')).toContain('child');
    root.end();
    await tracer.shutdown();
  });
});
