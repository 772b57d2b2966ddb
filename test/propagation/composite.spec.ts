import { Baggage } from '../../lib/core/baggage.js';
import { Context } from '../../lib/core/context.js';
import { diag, DiagLogLevel } from '../../lib/core/diag.js';
import { NOOP_PROPAGATOR, type Propagator } from '../../lib/core/propagator.js';
import type { SpanContext } from '../../lib/core/types.js';
import {
  B3Propagator,
  CompositePropagator,
  createPropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '../../lib/propagation/index.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

const context = Context.ROOT.withRemote({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 } as SpanContext).withBaggage(
  Baggage.from([['userId', { value: 'alice' }]]),
);

describe('CompositePropagator', () => {
  const composite = new CompositePropagator([new W3CTraceContextPropagator(), new W3CBaggagePropagator(), new B3Propagator()]);

  it('injects every format in order', () => {
    const carrier: Record<string, string> = {};
    composite.inject(context, carrier);
    expect(carrier).toEqual({
      traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`,
      baggage: 'userId=alice',
      b3: `${TRACE_ID}-${SPAN_ID}-1`,
    });
  });

  it('extracts trace context and baggage together', () => {
    const ctx = composite.extract(Context.ROOT, { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, baggage: 'userId=alice' });
    expect(ctx.remote?.traceId).toBe(TRACE_ID);
    expect(ctx.baggage.get('userId')?.value).toBe('alice');
  });

  it('lets a later propagator override the remote parent when both headers are valid', () => {
    const b3Trace = 'f'.repeat(32);
    const ctx = composite.extract(Context.ROOT, { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, b3: `${b3Trace}-${SPAN_ID}-0` });
    expect(ctx.remote?.traceId).toBe(b3Trace);
    // and B3 alone works through the composite
    expect(composite.extract(Context.ROOT, { b3: `${b3Trace}-${SPAN_ID}-1` }).remote?.traceId).toBe(b3Trace);
  });

  it('unions the fields', () => {
    expect(composite.fields()).toEqual(['traceparent', 'tracestate', 'baggage', 'b3']);
  });

  it('keeps going when one propagator throws', () => {
    const broken: Propagator = {
      inject() {
        throw new Error('boom');
      },
      extract() {
        throw new Error('boom');
      },
      fields() {
        throw new Error('boom');
      },
    };
    const c = new CompositePropagator([broken, new W3CTraceContextPropagator()]);
    const carrier: Record<string, string> = {};
    c.inject(context, carrier);
    expect(carrier.traceparent).toBeDefined();
    expect(c.extract(Context.ROOT, carrier).remote?.spanId).toBe(SPAN_ID);
    expect(c.fields()).toEqual(['traceparent', 'tracestate']);
  });
});

describe('createPropagator', () => {
  const warnings: string[] = [];
  beforeEach(() => {
    warnings.length = 0;
    diag.setSink({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {} });
  });
  afterEach(() => {
    diag.setSink(undefined);
    diag.setLevel(DiagLogLevel.WARN);
  });

  it('builds the default tracecontext,baggage pair', () => {
    const p = createPropagator(['tracecontext', 'baggage']);
    expect(p).toBeInstanceOf(CompositePropagator);
    expect(p.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
  });

  it('returns a single propagator as itself', () => {
    expect(createPropagator(['tracecontext'])).toBeInstanceOf(W3CTraceContextPropagator);
    expect(createPropagator(['b3']).fields()).toEqual(['b3']);
    expect(createPropagator(['b3multi']).fields()).toEqual(['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-flags']);
  });

  it('trims, ignores case and repeats', () => {
    expect(createPropagator([' TraceContext ', 'tracecontext', '']).fields()).toEqual(['traceparent', 'tracestate']);
    expect(warnings).toEqual([]);
  });

  it('accepts an entry that is a comma-separated list, as OTEL_PROPAGATORS is', () => {
    expect(createPropagator(['tracecontext, baggage,b3']).fields()).toEqual(['traceparent', 'tracestate', 'baggage', 'b3']);
  });

  it('warns once per unknown name even when repeated', () => {
    createPropagator(['jaeger', 'JAEGER', 'tracecontext']);
    expect(warnings).toHaveLength(1);
  });

  it('gives the no-op propagator for none or an empty list', () => {
    expect(createPropagator(['none'])).toBe(NOOP_PROPAGATOR);
    expect(createPropagator([])).toBe(NOOP_PROPAGATOR);
  });

  it('skips an unknown name with one warning naming it', () => {
    const p = createPropagator(['tracecontext', 'xray']);
    expect(p).toBeInstanceOf(W3CTraceContextPropagator);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"xray"');
    expect(warnings[0]).toContain('tracecontext, baggage, b3, b3multi, none');
  });
});
