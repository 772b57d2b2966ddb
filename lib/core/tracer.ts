import { Baggage } from './baggage.js';
import { Context, activeContext, processState, runInContext } from './context.js';
import { diag } from './diag.js';
import { SpanKind, TraceFlags } from './enums.js';
import { isValidSpanId, isValidTraceId, newSpanId, newTraceId } from './ids.js';
import { DEFAULT_SPAN_LIMITS, type ResolvedSpanLimits } from './limits.js';
import { NOOP_SPAN } from './noop-span.js';
import { NOOP_PROPAGATOR, type Propagator } from './propagator.js';
import { ParentBasedSampler, AlwaysOnSampler, SamplingDecision, type Sampler } from './sampler.js';
import { recordError, settle } from './settle.js';
import { RecordingSpan, type SpanOwner } from './span.js';
import type {
  Attributes,
  CarrierGetter,
  CarrierSetter,
  InstrumentationScope,
  Resource,
  Span,
  SpanContext,
  SpanOptions,
  SpanProcessor,
} from './types.js';
import { VERSION } from './version.js';

/** How a `Tracer` is built. Every field is optional. */
export interface TracerConfig {
  /** `service.name` of the resource (when `resource` does not set it). Default `unknown_service:node`. */
  serviceName?: string;
  /** Resource attributes. `service.name` and `telemetry.sdk.*` are added when missing. */
  resource?: Attributes;
  /** Default: parent-based, always on for roots. */
  sampler?: Sampler;
  /** Receives every span; default none (spans are recorded and dropped). */
  processor?: SpanProcessor;
  /** Default: propagates nothing (lib/propagation provides W3C). */
  propagator?: Propagator;
  /** Default OpenTelemetry's limits. */
  limits?: Partial<ResolvedSpanLimits>;
  /** `false` makes every span the NoOp span. Default true. */
  enabled?: boolean;
  /** Instrumentation scope on exported spans. Default `{ name: 'nestjs-tracing', version }`. */
  scope?: InstrumentationScope;
}

type ActiveFn<T> = (span: Span) => T;

/**
 * Creates spans, keeps the active one in the process-wide AsyncLocalStorage, and moves
 * trace context in and out of carriers. Each `TracingModule.forRoot()` owns one; spans
 * started under a parent belong to the parent's tracer, and `Tracer.active()` finds the
 * one that owns the current context (or the process default) outside DI.
 */
export class Tracer implements SpanOwner {
  readonly enabled: boolean;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly limits: ResolvedSpanLimits;
  private readonly sampler: Sampler;
  private readonly processor: SpanProcessor | undefined;
  private readonly propagator: Propagator;
  private shutdownPromise: Promise<void> | undefined;
  private stopped = false;

  constructor(config: TracerConfig = {}) {
    this.enabled = config.enabled !== false;
    const attributes: Attributes = {
      'service.name': config.serviceName ?? 'unknown_service:node',
      'telemetry.sdk.name': 'nestjs-tracing',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': VERSION,
      ...config.resource,
    };
    if (config.serviceName !== undefined) attributes['service.name'] = config.serviceName;
    this.resource = Object.freeze({ attributes: Object.freeze(attributes) });
    this.scope = Object.freeze(config.scope ?? { name: 'nestjs-tracing', version: VERSION });
    this.limits = Object.freeze({ ...DEFAULT_SPAN_LIMITS, ...stripUndefined(config.limits) });
    this.sampler = config.sampler ?? new ParentBasedSampler({ root: new AlwaysOnSampler() });
    this.processor = config.processor;
    this.propagator = config.propagator ?? NOOP_PROPAGATOR;
  }

  /** The tracer owning the active context, else the process default, else a disabled tracer. */
  static active(): Tracer {
    const owner = activeContext().owner ?? processState().defaultTracer;
    return (owner as Tracer | undefined) ?? DISABLED;
  }

  /** Makes this the process default: the owner of root spans started outside any context. */
  makeDefault(): this {
    processState().defaultTracer = this;
    return this;
  }

  /** True once `shutdown()` was called. */
  get isShutdown(): boolean {
    return this.stopped;
  }

  /** Starts a span (not made active). The NoOp span when disabled, suppressed or not sampled. */
  startSpan(name: string, options?: SpanOptions): Span {
    if (!this.enabled || this.stopped) return NOOP_SPAN;
    const context = activeContext();
    if (context.suppressed) return NOOP_SPAN;
    return this.createSpan(name, options, context);
  }

  private createSpan(name: string, options: SpanOptions | undefined, context: Context): Span {
    let parent: SpanContext | undefined;
    let kind = SpanKind.INTERNAL;
    let attributes = context.attributes;
    // A parent that is one of our own recording spans has ids we generated: valid by
    // construction, so only other parents (remote, explicit, foreign spans) are checked.
    let trusted = false;
    if (options !== undefined && (options.root === true || options.parent !== undefined)) {
      parent = options.root === true ? undefined : options.parent;
    } else if (context.span !== undefined) {
      parent = context.span.spanContext();
      trusted = context.span instanceof RecordingSpan;
    } else {
      parent = context.remote;
    }
    if (options !== undefined) {
      if (options.kind !== undefined) kind = options.kind;
      if (options.attributes !== undefined)
        attributes = attributes === undefined ? options.attributes : { ...attributes, ...options.attributes };
    }
    if (parent !== undefined && !trusted && !isValidSpanContext(parent)) parent = undefined;
    const traceId = parent === undefined ? newTraceId() : parent.traceId;
    const result = this.sampler.shouldSample(parent, traceId, name, kind, attributes, options?.links);
    if (result.decision === SamplingDecision.NOT_RECORD) return NOOP_SPAN;
    const flags =
      (result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE) |
      (parent === undefined ? TraceFlags.NONE : parent.traceFlags & TraceFlags.RANDOM);
    const spanContext: SpanContext = {
      traceId,
      spanId: newSpanId(),
      traceFlags: flags,
      traceState: result.traceState ?? parent?.traceState,
    };
    const span = new RecordingSpan(this, name, kind, spanContext, parent?.spanId, options?.startTime, parent?.isRemote === true);
    if (attributes !== undefined) span.setAttributes(attributes);
    if (result.attributes !== undefined) span.setAttributes(result.attributes);
    if (options?.links !== undefined) for (const link of options.links) span.addLink(link.context, link.attributes);
    if (this.processor !== undefined) {
      try {
        this.processor.onStart(span, parent);
      } catch (error) {
        reportProcessorError('onStart', error);
      }
    }
    return span;
  }

  /** @internal Called by a span of this tracer when it ends. */
  onSpanEnd(span: RecordingSpan): void {
    if (this.processor === undefined) return;
    try {
      this.processor.onEnd(span);
    } catch (error) {
      reportProcessorError('onEnd', error);
    }
  }

  /**
   * Starts a span, makes it active inside `fn`, and ends it when `fn`'s result settles
   * (a value now; a Promise when it settles; an rxjs Observable on complete, error or
   * unsubscribe). A throw or rejection is recorded (status ERROR) and passed on unchanged.
   */
  startActiveSpan<T>(name: string, fn: ActiveFn<T>): T;
  startActiveSpan<T>(name: string, options: SpanOptions | undefined, fn: ActiveFn<T>): T;
  startActiveSpan<T>(name: string, optionsOrFn: SpanOptions | ActiveFn<T> | undefined, maybeFn?: ActiveFn<T>): T {
    const fn = (typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn) as ActiveFn<T>;
    const options = typeof optionsOrFn === 'function' ? undefined : optionsOrFn;
    if (!this.enabled || this.stopped) return fn(NOOP_SPAN);
    // One context lookup for both the parent and the context the span runs in.
    const parentContext = activeContext();
    if (parentContext.suppressed) return fn(NOOP_SPAN);
    const span = this.createSpan(name, options, parentContext);
    if (span === NOOP_SPAN) return fn(span);
    const context = parentContext.withSpan(span, this);
    return runInContext(context, () => {
      let result: T;
      try {
        result = fn(span);
      } catch (error) {
        recordError(span, error);
        span.end();
        throw error;
      }
      return settle(span, result, context);
    });
  }

  /** Runs `fn` with `span` active. The NoOp span leaves the current context as it is. */
  withSpan<T>(span: Span, fn: () => T): T {
    if (span === NOOP_SPAN || span === undefined || span === null) return fn();
    return runInContext(activeContext().withSpan(span, this), fn);
  }

  /** Runs `fn` with `context` active (e.g. one returned by `extractContext`). */
  withContext<T>(context: Context, fn: () => T): T {
    return runInContext(context.owner === undefined ? context.withOwner(this) : context, fn);
  }

  /** The active span, if any (a remote parent extracted but not yet replaced is not a span). */
  currentSpan(): Span | undefined {
    return activeContext().span;
  }

  /** Writes the active trace context (traceparent/tracestate/baggage) into `carrier`, replacing what is there. */
  inject(carrier: Record<string, unknown> | object, setter?: CarrierSetter): void {
    if (!this.enabled || carrier === null || typeof carrier !== 'object') return;
    try {
      this.propagator.inject(activeContext(), carrier, setter);
    } catch (error) {
      diag.warnOnce('inject-failed', `could not inject trace context: ${String(error)}`);
    }
  }

  /** Reads and validates a trace context from `carrier`; undefined when there is none or it is invalid. */
  extract(carrier: unknown, getter?: CarrierGetter): SpanContext | undefined {
    return this.extractContext(carrier, getter).remote;
  }

  /** The context a server should run a request in: `Context.ROOT` plus what `carrier` carries, owned by this tracer. */
  extractContext(carrier: unknown, getter?: CarrierGetter): Context {
    // A new context object per call: a request's setBaggage() changes its own context only.
    const base = new Context(undefined, undefined, Baggage.EMPTY, undefined, this);
    if (!this.enabled || carrier === null || carrier === undefined) return base;
    try {
      return this.propagator.extract(base, carrier, getter);
    } catch (error) {
      diag.warnOnce('extract-failed', `could not extract trace context: ${String(error)}`);
      return base;
    }
  }

  /** `${traceId:8}-${spanId:8}` of the active span, or '' outside a trace. */
  correlationId(): string {
    const sc = activeContext().parentContext();
    if (sc === undefined || !isValidTraceId(sc.traceId)) return '';
    return `${sc.traceId.substring(0, 8)}-${sc.spanId.substring(0, 8)}`;
  }

  /** A baggage value in the active context. */
  getBaggage(key: string): string | undefined {
    return activeContext().baggage.get(key)?.value;
  }

  /**
   * Sets a baggage entry for the rest of the active context (e.g. a guard setting a tenant
   * id for the whole request) and everything it starts afterwards. Outside any context it
   * cannot be kept: use `withBaggage` to scope one.
   */
  setBaggage(key: string, value: string, metadata?: string): void {
    const context = activeContext();
    if (context === Context.ROOT || context.suppressed) {
      diag.warnOnce('baggage-no-context', 'setBaggage() outside a traced context is ignored; use tracer.withBaggage(entries, fn)');
      return;
    }
    context.baggage = context.baggage.set(String(key), { value: String(value), metadata });
  }

  /** Runs `fn` with extra baggage entries active. */
  withBaggage<T>(entries: Record<string, string>, fn: () => T): T {
    const context = activeContext();
    let baggage = context.baggage;
    for (const key of Object.keys(entries)) baggage = baggage.set(key, { value: String(entries[key]) });
    return runInContext(context.withBaggage(baggage).withOwner(context.owner ?? this), fn);
  }

  /** Runs `fn` so that every span started inside it, at any depth, gets `attributes`. */
  withAttributes<T>(attributes: Attributes, fn: () => T): T {
    const context = activeContext();
    return runInContext(context.withAttributes(attributes).withOwner(context.owner ?? this), fn);
  }

  /** Exports everything finished so far. Never rejects. */
  async forceFlush(): Promise<void> {
    if (this.processor === undefined) return;
    try {
      await this.processor.forceFlush();
    } catch (error) {
      reportProcessorError('forceFlush', error);
    }
  }

  /**
   * Flushes and stops the pipeline; runs once (a second call returns the same promise).
   * After it, new spans are the NoOp span, and this tracer stops being the process default.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.stopped = true;
      const state = processState();
      if (state.defaultTracer === this) state.defaultTracer = undefined;
      if (this.processor === undefined) return;
      try {
        await this.processor.shutdown();
      } catch (error) {
        reportProcessorError('shutdown', error);
      }
    })();
    return this.shutdownPromise;
  }
}

function isValidSpanContext(sc: SpanContext): boolean {
  return isValidTraceId(sc.traceId) && isValidSpanId(sc.spanId);
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  if (value === undefined) return out;
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

function reportProcessorError(phase: string, error: unknown): void {
  diag.warnOnce(`processor-${phase}`, `a span processor threw in ${phase}; the application is not affected: ${String(error)}`);
}

const DISABLED = new Tracer({ enabled: false });

/** The tracer for the active context (see `Tracer.active()`). */
export function getTracer(): Tracer {
  return Tracer.active();
}
