import { Context } from '../../lib/core/context.js';
import type { SpanContext } from '../../lib/core/types.js';
import { B3Propagator, parseB3Single } from '../../lib/propagation/index.js';

const TRACE_ID = '80f198ee56343ba864fe8b2a57d3eff7';
const SPAN_ID = 'e457b5a2e4d86bd1';
const PARENT_ID = '05e3ac9a4f6e3b90';

function remoteContext(traceFlags = 1): Context {
  return Context.ROOT.withRemote({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags } as SpanContext);
}

describe('B3 single header', () => {
  const propagator = new B3Propagator();

  it('extracts the example from the B3 spec: {traceid}-{spanid}-{sampled}-{parentspanid}', () => {
    const ctx = propagator.extract(Context.ROOT, { b3: `${TRACE_ID}-${SPAN_ID}-1-${PARENT_ID}` });
    expect(ctx.remote).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
  });

  it('reads not sampled, debug and deferred decisions', () => {
    expect(parseB3Single(`${TRACE_ID}-${SPAN_ID}-0`)?.traceFlags).toBe(0);
    expect(parseB3Single(`${TRACE_ID}-${SPAN_ID}-d`)?.traceFlags).toBe(1);
    expect(parseB3Single(`${TRACE_ID}-${SPAN_ID}`)?.traceFlags).toBe(0);
  });

  it('left-pads a 64-bit trace id to 128 bits', () => {
    expect(parseB3Single(`64fe8b2a57d3eff7-${SPAN_ID}-1`)?.traceId).toBe('000000000000000064fe8b2a57d3eff7');
  });

  it('leaves the context unchanged for a decision without ids (b3: 0 deny)', () => {
    for (const b3 of ['0', '1', 'd']) expect(propagator.extract(Context.ROOT, { b3 })).toBe(Context.ROOT);
  });

  it.each([
    ['uppercase ids', `${TRACE_ID.toUpperCase()}-${SPAN_ID}-1`],
    ['a zero trace id', `${'0'.repeat(32)}-${SPAN_ID}-1`],
    ['a zero span id', `${TRACE_ID}-${'0'.repeat(16)}-1`],
    ['a 20-digit trace id', `${TRACE_ID.slice(0, 20)}-${SPAN_ID}-1`],
    ['a bad sampling state', `${TRACE_ID}-${SPAN_ID}-x`],
    ['a bad parent id', `${TRACE_ID}-${SPAN_ID}-1-123`],
    ['a parent without a sampling state', `${TRACE_ID}-${SPAN_ID}-${PARENT_ID}`],
    ['trailing garbage', `${TRACE_ID}-${SPAN_ID}-1-${PARENT_ID}-x`],
    ['two values', [`${TRACE_ID}-${SPAN_ID}-1`, `${TRACE_ID}-${SPAN_ID}-1`]],
  ])('rejects %s', (_name, b3) => {
    expect(propagator.extract(Context.ROOT, { b3 })).toBe(Context.ROOT);
  });

  it('injects {traceid}-{spanid}-{1|0}', () => {
    const sampled: Record<string, string> = {};
    propagator.inject(remoteContext(1), sampled);
    expect(sampled).toEqual({ b3: `${TRACE_ID}-${SPAN_ID}-1` });
    const notSampled: Record<string, string> = { B3: 'stale' };
    propagator.inject(remoteContext(0), notSampled);
    expect(notSampled).toEqual({ b3: `${TRACE_ID}-${SPAN_ID}-0` });
  });

  it('round-trips', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(remoteContext(1), carrier);
    expect(propagator.extract(Context.ROOT, carrier).remote).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
  });
});

describe('B3 multi header', () => {
  const propagator = new B3Propagator({ injectEncoding: 'multi' });

  it('extracts X-B3-* headers whatever their case', () => {
    const ctx = propagator.extract(Context.ROOT, {
      'X-B3-TraceId': TRACE_ID,
      'X-B3-SpanId': SPAN_ID,
      'X-B3-ParentSpanId': PARENT_ID,
      'X-B3-Sampled': '1',
    });
    expect(ctx.remote).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
  });

  it('treats X-B3-Flags: 1 (debug) as sampled and a missing X-B3-Sampled as not sampled', () => {
    expect(propagator.extract(Context.ROOT, { 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID, 'x-b3-flags': '1' }).remote?.traceFlags).toBe(1);
    expect(propagator.extract(Context.ROOT, { 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID }).remote?.traceFlags).toBe(0);
    expect(propagator.extract(Context.ROOT, { 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID, 'x-b3-sampled': '0' }).remote?.traceFlags).toBe(0);
  });

  it('left-pads a 64-bit trace id', () => {
    const ctx = propagator.extract(Context.ROOT, { 'x-b3-traceid': '64fe8b2a57d3eff7', 'x-b3-spanid': SPAN_ID, 'x-b3-sampled': '1' });
    expect(ctx.remote?.traceId).toBe('000000000000000064fe8b2a57d3eff7');
  });

  it('leaves the context unchanged when an id is missing or invalid', () => {
    for (const carrier of [
      { 'x-b3-traceid': TRACE_ID },
      { 'x-b3-spanid': SPAN_ID },
      { 'x-b3-traceid': 'xyz', 'x-b3-spanid': SPAN_ID },
      { 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': '0'.repeat(16) },
      { 'x-b3-sampled': '0' },
    ]) {
      expect(propagator.extract(Context.ROOT, carrier)).toBe(Context.ROOT);
    }
  });

  it('injects the three headers, lowercase', () => {
    const carrier: Record<string, string> = { 'X-B3-TraceId': 'stale', 'X-B3-Flags': '1', 'x-b3-parentspanid': 'stale' };
    propagator.inject(remoteContext(0), carrier);
    expect(carrier).toEqual({ 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID, 'x-b3-sampled': '0' });
    expect(propagator.extract(Context.ROOT, carrier).remote).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 });
  });

  it('declares fields per encoding', () => {
    expect(new B3Propagator().fields()).toEqual(['b3']);
    expect(propagator.fields()).toEqual(['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-flags']);
  });

  it('extracts the single header too (single wins over multi)', () => {
    const other = 'a'.repeat(32);
    const ctx = propagator.extract(Context.ROOT, { b3: `${TRACE_ID}-${SPAN_ID}-1`, 'x-b3-traceid': other, 'x-b3-spanid': SPAN_ID });
    expect(ctx.remote?.traceId).toBe(TRACE_ID);
  });
});
