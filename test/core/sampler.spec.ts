import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  SpanKind,
  TraceIdRatioSampler,
  newSpanId,
  newTraceId,
  samplerFromName,
  type SpanContext,
  type TraceId,
} from '../../lib/core/index.js';

const decide = (sampler: { shouldSample: Function }, parent: SpanContext | undefined, traceId = newTraceId()) =>
  sampler.shouldSample(parent, traceId, 'op', SpanKind.INTERNAL, undefined, undefined).decision;

const parent = (sampled: boolean, isRemote: boolean): SpanContext => ({
  traceId: newTraceId(),
  spanId: newSpanId(),
  traceFlags: sampled ? 1 : 0,
  isRemote,
});

describe('samplers', () => {
  it('always_on and always_off decide the same for every trace', () => {
    expect(decide(new AlwaysOnSampler(), undefined)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(new AlwaysOffSampler(), undefined)).toBe(SamplingDecision.NOT_RECORD);
  });

  it('traceidratio decides on the trace id alone, so every service agrees', () => {
    const a = new TraceIdRatioSampler(0.5);
    const b = new TraceIdRatioSampler(0.5);
    for (let i = 0; i < 200; i++) {
      const id = newTraceId();
      expect(decide(a, undefined, id)).toBe(decide(b, parent(false, true), id));
    }
  });

  it('traceidratio samples about the configured share', () => {
    const sampler = new TraceIdRatioSampler(0.25);
    let sampled = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) if (decide(sampler, undefined) === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
    expect(sampled / n).toBeGreaterThan(0.22);
    expect(sampled / n).toBeLessThan(0.28);
  });

  it('traceidratio uses the low 56 bits: low random part 0 is always sampled, all-f never at ratio < 1', () => {
    const sampler = new TraceIdRatioSampler(0.1);
    expect(decide(sampler, undefined, 'ffffffffffffffffff00000000000000' as TraceId)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(sampler, undefined, '000000000000000000ffffffffffffff' as TraceId)).toBe(SamplingDecision.NOT_RECORD);
  });

  it('clamps bad ratios into [0, 1]', () => {
    expect(new TraceIdRatioSampler(7).ratio).toBe(1);
    expect(new TraceIdRatioSampler(-1).ratio).toBe(0);
    expect(new TraceIdRatioSampler(NaN).ratio).toBe(0);
  });

  it('parent-based follows the parent flag, with configurable local and remote delegates', () => {
    const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler() });
    expect(decide(sampler, undefined)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(sampler, parent(true, true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(sampler, parent(false, true))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(sampler, parent(true, false))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    const custom = new ParentBasedSampler({
      root: new AlwaysOnSampler(),
      remoteParentNotSampled: new AlwaysOnSampler(),
      localParentSampled: new AlwaysOffSampler(),
    });
    expect(decide(custom, parent(false, true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(custom, parent(true, false))).toBe(SamplingDecision.NOT_RECORD);
  });

  it('builds samplers from OTEL_TRACES_SAMPLER names and rejects unknown ones', () => {
    expect(String(samplerFromName('parentbased_traceidratio', 0.3))).toBe('ParentBased{root=TraceIdRatioBased{0.3}}');
    expect(String(samplerFromName('always_on'))).toBe('AlwaysOnSampler');
    expect(samplerFromName('sometimes')).toBeUndefined();
  });
});
