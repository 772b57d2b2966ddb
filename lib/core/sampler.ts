import { SpanKind, TraceFlags } from './enums.js';
import type { TraceId } from './ids.js';
import type { Attributes, Link, SpanContext, TraceState } from './types.js';

/** What a sampler decided for a new span (OpenTelemetry numbering). */
export enum SamplingDecision {
  /** Not recorded, not sampled: the span is the NoOp span. */
  NOT_RECORD = 0,
  /** Recorded (processors see it) but not exported by default, not sampled downstream. */
  RECORD = 1,
  RECORD_AND_SAMPLED = 2,
}

export interface SamplingResult {
  readonly decision: SamplingDecision;
  readonly attributes?: Attributes;
  readonly traceState?: TraceState;
}

/** Decides whether a new span is recorded and sampled. Must be fast and must not throw. */
export interface Sampler {
  shouldSample(
    parent: SpanContext | undefined,
    traceId: TraceId,
    name: string,
    kind: SpanKind,
    attributes: Attributes | undefined,
    links: readonly Link[] | undefined,
  ): SamplingResult;
  toString(): string;
}

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const DROPPED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

/** Samples every span. */
export class AlwaysOnSampler implements Sampler {
  shouldSample(): SamplingResult {
    return SAMPLED;
  }
  toString(): string {
    return 'AlwaysOnSampler';
  }
}

/** Samples no span. */
export class AlwaysOffSampler implements Sampler {
  shouldSample(): SamplingResult {
    return DROPPED;
  }
  toString(): string {
    return 'AlwaysOffSampler';
  }
}

/**
 * Samples a fixed ratio of traces, decided on the trace id alone so that every service
 * makes the same choice for the same trace. The lower 56 bits of the trace id (the part
 * W3C Level 2 calls random) are compared with ratio * 2^56.
 */
export class TraceIdRatioSampler implements Sampler {
  private readonly threshold: number;
  readonly ratio: number;

  constructor(ratio: number) {
    this.ratio = Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 0;
    this.threshold = this.ratio * 2 ** 56;
  }

  shouldSample(_parent: SpanContext | undefined, traceId: TraceId): SamplingResult {
    if (this.ratio >= 1) return SAMPLED;
    if (this.ratio <= 0) return DROPPED;
    // 14 hex chars = 56 bits; exact in a double up to 2^53, close enough above for a ratio.
    const value = parseInt(traceId.substring(18, 32), 16);
    return value < this.threshold ? SAMPLED : DROPPED;
  }

  toString(): string {
    return `TraceIdRatioBased{${this.ratio}}`;
  }
}

export interface ParentBasedOptions {
  /** Used for spans without a parent. */
  root: Sampler;
  /** Default AlwaysOn. */
  remoteParentSampled?: Sampler;
  /** Default AlwaysOff. */
  remoteParentNotSampled?: Sampler;
  /** Default AlwaysOn. */
  localParentSampled?: Sampler;
  /** Default AlwaysOff. */
  localParentNotSampled?: Sampler;
}

/** Follows the parent's sampled flag; delegates to `root` for root spans (the OpenTelemetry default composite). */
export class ParentBasedSampler implements Sampler {
  private readonly root: Sampler;
  private readonly remoteSampled: Sampler;
  private readonly remoteNotSampled: Sampler;
  private readonly localSampled: Sampler;
  private readonly localNotSampled: Sampler;

  constructor(options: ParentBasedOptions) {
    this.root = options.root;
    this.remoteSampled = options.remoteParentSampled ?? new AlwaysOnSampler();
    this.remoteNotSampled = options.remoteParentNotSampled ?? new AlwaysOffSampler();
    this.localSampled = options.localParentSampled ?? new AlwaysOnSampler();
    this.localNotSampled = options.localParentNotSampled ?? new AlwaysOffSampler();
  }

  shouldSample(
    parent: SpanContext | undefined,
    traceId: TraceId,
    name: string,
    kind: SpanKind,
    attributes: Attributes | undefined,
    links: readonly Link[] | undefined,
  ): SamplingResult {
    let delegate: Sampler;
    if (parent === undefined) delegate = this.root;
    else if (parent.isRemote === true)
      delegate = parent.traceFlags & TraceFlags.SAMPLED ? this.remoteSampled : this.remoteNotSampled;
    else delegate = parent.traceFlags & TraceFlags.SAMPLED ? this.localSampled : this.localNotSampled;
    return delegate.shouldSample(parent, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `ParentBased{root=${this.root}}`;
  }
}

/**
 * A sampler by its OTEL_TRACES_SAMPLER name, or undefined for an unknown name.
 * `arg` is the ratio for the traceidratio samplers (default 1).
 */
export function samplerFromName(name: string, arg = 1): Sampler | undefined {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioSampler(arg);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioSampler(arg) });
    default:
      return undefined;
  }
}

export { SpanKind };
