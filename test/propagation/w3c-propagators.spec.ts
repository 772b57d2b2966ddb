import { Baggage } from '../../lib/core/baggage.js';
import { Context } from '../../lib/core/context.js';
import type { SpanContext } from '../../lib/core/types.js';
import {
  parseTraceState,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
  type W3CTraceState,
} from '../../lib/propagation/index.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;

function remoteContext(overrides: Partial<SpanContext> = {}): Context {
  return Context.ROOT.withRemote({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, ...overrides } as SpanContext);
}

describe('W3CTraceContextPropagator', () => {
  const propagator = new W3CTraceContextPropagator();

  it('declares its fields', () => {
    expect(propagator.fields()).toEqual(['traceparent', 'tracestate']);
  });

  it('extracts traceparent and tracestate into a remote parent (spec example)', () => {
    const ctx = propagator.extract(Context.ROOT, { traceparent: TRACEPARENT, tracestate: 'congo=t61rcWkgMzE' });
    const remote = ctx.remote!;
    expect(remote).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(remote.traceState?.get('congo')).toBe('t61rcWkgMzE');
    expect(ctx.parentContext()).toBe(remote);
  });

  it('reads differently-cased header names', () => {
    const ctx = propagator.extract(Context.ROOT, { TraceParent: TRACEPARENT, TraceState: 'a=1' });
    expect(ctx.remote?.traceState?.serialize()).toBe('a=1');
  });

  it('keeps the traceparent and drops an invalid tracestate: it reads as empty and is never re-sent (§3.3)', () => {
    for (const tracestate of ['BAD=1', 'a=1,a=2', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(','), 'ok=1,' + ' '.repeat(600) + 'Bad=2']) {
      const ctx = propagator.extract(Context.ROOT, { traceparent: TRACEPARENT, tracestate });
      expect(ctx.remote?.spanId).toBe(SPAN_ID);
      const state = ctx.remote?.traceState;
      expect(state?.serialize() ?? '').toBe('');
      expect(state?.get('ok')).toBeUndefined();
      const carrier: Record<string, string> = {};
      propagator.inject(ctx, carrier);
      expect(carrier).toEqual({ traceparent: TRACEPARENT });
    }
  });

  it('has no tracestate for an empty header', () => {
    expect(propagator.extract(Context.ROOT, { traceparent: TRACEPARENT, tracestate: '' }).remote?.traceState).toBeUndefined();
  });

  it('reads a received tracestate on first use, canonicalised, and can update it', () => {
    const ctx = propagator.extract(Context.ROOT, { traceparent: TRACEPARENT, tracestate: [' rojo=00f067aa0ba902b7 ', 'congo=t61rcWkgMzE'] });
    const state = ctx.remote!.traceState!;
    expect(state.get('congo')).toBe('t61rcWkgMzE');
    expect(state.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(state.set('rojo', 'x').serialize()).toBe('rojo=x,congo=t61rcWkgMzE');
    expect(state.unset('rojo').serialize()).toBe('congo=t61rcWkgMzE');
  });

  it('returns the context unchanged for an invalid or missing traceparent', () => {
    const start = Context.ROOT.withBaggage(Baggage.EMPTY.set('k', { value: 'v' }));
    for (const carrier of [
      {},
      { traceparent: TRACEPARENT.toUpperCase() },
      { traceparent: [TRACEPARENT, TRACEPARENT] },
      { traceparent: 12 },
      null,
      undefined,
      'traceparent',
      42,
    ]) {
      expect(propagator.extract(start, carrier)).toBe(start);
    }
  });

  it('returns the context unchanged when the carrier throws', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
      },
    );
    expect(propagator.extract(Context.ROOT, hostile)).toBe(Context.ROOT);
  });

  it('injects the parent context as version 00 with the tracestate', () => {
    const state = parseTraceState('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE') as W3CTraceState;
    const carrier: Record<string, string> = {};
    propagator.inject(remoteContext({ traceState: state, traceFlags: 3 }), carrier);
    expect(carrier).toEqual({
      traceparent: `00-${TRACE_ID}-${SPAN_ID}-03`,
      tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    });
  });

  it('replaces existing headers whatever their case and removes a stale tracestate', () => {
    const carrier: Record<string, string> = { Traceparent: 'old', TRACESTATE: 'old=1', accept: '*/*' };
    propagator.inject(remoteContext(), carrier);
    expect(carrier).toEqual({ traceparent: TRACEPARENT, accept: '*/*' });
  });

  it('injects nothing for invalid ids or no parent', () => {
    for (const ctx of [
      Context.ROOT,
      remoteContext({ traceId: '0'.repeat(32) as never }),
      remoteContext({ spanId: 'B7AD6B7169203331' as never }),
      remoteContext({ traceId: 'short' as never }),
    ]) {
      const carrier: Record<string, string> = {};
      propagator.inject(ctx, carrier);
      expect(carrier).toEqual({});
    }
  });

  it('does not send an empty tracestate', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(remoteContext({ traceState: parseTraceState('a=1')!.unset('a') }), carrier);
    expect(carrier).toEqual({ traceparent: TRACEPARENT });
  });

  it('validates the output of a foreign TraceState implementation', () => {
    const foreign = { get: () => undefined, set: () => foreign, unset: () => foreign, serialize: () => 'Bad Key=1' };
    const carrier: Record<string, string> = {};
    propagator.inject(remoteContext({ traceState: foreign }), carrier);
    expect(carrier).toEqual({ traceparent: TRACEPARENT });
  });

  // extract reads `carrier.traceparent` / `carrier.tracestate` directly when they are strings
  // and the default getter is in use; everything else must still go through the getter.
  it('reads a one-element array, bytes, a lowercase key next to other casings, and a null-prototype object', () => {
    const bytes = new TextEncoder().encode(TRACEPARENT);
    for (const carrier of [
      { traceparent: [TRACEPARENT], tracestate: ['a=1'] },
      { traceparent: bytes, tracestate: new TextEncoder().encode('a=1') },
      { traceparent: TRACEPARENT, TraceState: 'a=1' },
      { TRACEPARENT: TRACEPARENT, tracestate: 'a=1' },
      Object.assign(Object.create(null) as object, { traceparent: TRACEPARENT, tracestate: 'a=1' }),
    ]) {
      const remote = propagator.extract(Context.ROOT, carrier).remote;
      expect(remote).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
      expect(remote?.traceState?.serialize()).toBe('a=1');
    }
  });

  it('joins a tracestate split over several values, and rejects a traceparent repeated as Node joins it', () => {
    const ctx = propagator.extract(Context.ROOT, { traceparent: TRACEPARENT, tracestate: ['a=1', 'b=2'] });
    expect(ctx.remote?.traceState?.serialize()).toBe('a=1,b=2');
    expect(propagator.extract(Context.ROOT, { traceparent: `${TRACEPARENT}, ${TRACEPARENT}` })).toBe(Context.ROOT);
  });

  it('reads no tracestate when the traceparent is invalid (§3.3), whatever the carrier', () => {
    const read: string[] = [];
    const getter = { keys: () => [], get: (_c: unknown, k: string) => (read.push(k), k === 'traceparent' ? `${TRACEPARENT}x` : 'a=1') };
    expect(propagator.extract(Context.ROOT, {}, getter)).toBe(Context.ROOT);
    expect(read).toEqual(['traceparent']);
    const watched = new Proxy({ traceparent: TRACEPARENT.replace('0af', '0AF'), tracestate: 'a=1' }, {
      get: (target, k) => (read.push(String(k)), Reflect.get(target, k)),
    });
    read.length = 0;
    expect(propagator.extract(Context.ROOT, watched)).toBe(Context.ROOT);
    expect(read).not.toContain('tracestate');
  });

  it('uses a custom getter, not the carrier\'s own properties, when one is passed', () => {
    const other = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-00`;
    const carrier = { traceparent: TRACEPARENT, tracestate: 'a=1', upstream: other };
    const getter = { keys: () => [], get: (c: unknown, k: string) => (k === 'traceparent' ? (c as typeof carrier).upstream : undefined) };
    const remote = propagator.extract(Context.ROOT, carrier, getter).remote;
    expect(remote).toMatchObject({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 0 });
    expect(remote?.traceState).toBeUndefined();
  });

  it('writes through a custom setter and reads through a custom getter', () => {
    const written: string[] = [];
    propagator.inject(remoteContext(), null, { set: (_c, k, v) => written.push(`${k}:${v}`) });
    expect(written).toEqual([`traceparent:${TRACEPARENT}`]);
    const ctx = propagator.extract(Context.ROOT, null, { keys: () => [], get: (_c, k) => (k === 'traceparent' ? TRACEPARENT : undefined) });
    expect(ctx.remote?.traceId).toBe(TRACE_ID);
  });

  it('round-trips through a Map and Fetch Headers', () => {
    for (const carrier of [new Map<string, string>(), new Headers()]) {
      propagator.inject(remoteContext({ traceState: parseTraceState('a=1')! }), carrier);
      const ctx = propagator.extract(Context.ROOT, carrier);
      expect(ctx.remote).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
      expect(ctx.remote?.traceState?.serialize()).toBe('a=1');
    }
  });

  it('never throws from a throwing setter', () => {
    expect(() =>
      propagator.inject(remoteContext(), {}, {
        set() {
          throw new Error('boom');
        },
      }),
    ).not.toThrow();
  });
});

describe('W3CBaggagePropagator', () => {
  const propagator = new W3CBaggagePropagator();

  it('extracts baggage, replacing (not merging) the existing one', () => {
    const start = Context.ROOT.withBaggage(Baggage.EMPTY.set('old', { value: 'x' }));
    const ctx = propagator.extract(start, { baggage: 'userId=alice,serverNode=DF%2028' });
    expect(ctx.baggage.all()).toEqual([
      ['userId', { value: 'alice' }],
      ['serverNode', { value: 'DF 28' }],
    ]);
  });

  it('keeps the remote parent when extracting baggage', () => {
    const start = remoteContext();
    expect(propagator.extract(start, { baggage: 'a=1' }).remote).toBe(start.remote);
  });

  it('returns the context unchanged without a header or with nothing valid in it', () => {
    const start = Context.ROOT.withBaggage(Baggage.EMPTY.set('k', { value: 'v' }));
    for (const carrier of [{}, { baggage: 'no equals' }, { baggage: 5 }, null, 'x']) {
      expect(propagator.extract(start, carrier)).toBe(start);
    }
  });

  it('injects non-empty baggage, replacing a differently-cased header', () => {
    const carrier: Record<string, string> = { Baggage: 'stale=1' };
    propagator.inject(Context.ROOT.withBaggage(Baggage.from([['userId', { value: 'alice' }], ['node', { value: 'DF 28', metadata: 'p' }]])), carrier);
    expect(carrier).toEqual({ baggage: 'userId=alice,node=DF%2028;p' });
  });

  it('injects nothing for empty baggage', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(Context.ROOT, carrier);
    expect(carrier).toEqual({});
  });

  it('declares its field', () => {
    expect(propagator.fields()).toEqual(['baggage']);
  });
});
