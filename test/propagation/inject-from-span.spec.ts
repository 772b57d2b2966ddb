import { activeContext, Context } from '../../lib/core/context.js';
import type { SpanContext } from '../../lib/core/types.js';
import { Tracer } from '../../lib/core/tracer.js';
import { B3Propagator, createPropagator, parseTraceState, W3CTraceContextPropagator } from '../../lib/propagation/index.js';

describe('inject from a real span and the id checks behind it', () => {
  const w3c = new W3CTraceContextPropagator();

  it('injects the active span of a real Tracer, child of the extracted remote parent', () => {
    const tracer = new Tracer({ serviceName: 'propagation-spec' });
    const incoming = {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'congo=t61rcWkgMzE',
    };
    const remote = w3c.extract(Context.ROOT, incoming);
    const outgoing: Record<string, string> = {};
    const span = tracer.withContext(remote, () =>
      tracer.startActiveSpan('client', (s) => {
        w3c.inject(activeContext(), outgoing);
        return s;
      }),
    );
    const sc = span.spanContext();
    expect(sc.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(outgoing.traceparent).toBe(`00-${sc.traceId}-${sc.spanId}-01`);
    expect(outgoing.tracestate).toBe('congo=t61rcWkgMzE');
    expect(sc.spanId).not.toBe('b7ad6b7169203331');
  });

  it('does not trust a memo of the last valid ids for a context that differs from them', () => {
    const good = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 } as SpanContext;
    const carrier: Record<string, string> = {};
    w3c.inject(Context.ROOT.withRemote(good), carrier);
    expect(carrier.traceparent).toBeDefined();
    for (const bad of [
      { ...good, spanId: 'B7AD6B7169203331' },
      { ...good, traceId: '0AF7651916CD43DD8448EB211C80319C' },
      { ...good, traceId: undefined },
      { ...good, spanId: '' },
    ]) {
      const c: Record<string, string> = {};
      w3c.inject(Context.ROOT.withRemote(bad as unknown as SpanContext), c);
      expect(c).toEqual({});
      new B3Propagator().inject(Context.ROOT.withRemote(bad as unknown as SpanContext), c);
      expect(c).toEqual({});
    }
  });

  it('a composite of tracecontext+baggage round-trips a real span context across a "hop"', () => {
    const tracer = new Tracer({ serviceName: 'hop' });
    const propagator = createPropagator(['tracecontext', 'baggage']);
    const headers: Record<string, string> = {};
    tracer.startActiveSpan('producer', () => {
      const ctx = activeContext().withBaggage(activeContext().baggage.set('tenant', { value: 'acme corp' }));
      propagator.inject(ctx, headers);
    });
    expect(headers.baggage).toBe('tenant=acme%20corp');
    const received = propagator.extract(Context.ROOT, headers);
    expect(received.remote?.traceId).toBe(headers.traceparent.slice(3, 35));
    expect(received.baggage.get('tenant')?.value).toBe('acme corp');
    expect(parseTraceState(headers.tracestate ?? '')).toBeUndefined();
  });
});
