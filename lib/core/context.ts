import { AsyncLocalStorage } from 'node:async_hooks';
import { Baggage } from './baggage.js';
import type { Attributes, Span, SpanContext } from './types.js';

/**
 * What is active at a point of execution: the span, the remote parent extracted from a
 * carrier (until a local span replaces it), baggage, context attributes and the tracer that
 * owns them. Immutable except for `baggage`, which `Tracer.setBaggage` replaces in place so
 * that an entry set by a guard is seen by everything later in the same request.
 */
export class Context {
  static readonly ROOT: Context = new Context(undefined, undefined, Baggage.EMPTY, undefined, undefined);

  constructor(
    readonly span: Span | undefined,
    readonly remote: SpanContext | undefined,
    public baggage: Baggage,
    readonly attributes: Attributes | undefined,
    /** The tracer that owns spans started here (typed loosely: core/tracer imports this file). */
    readonly owner: object | undefined,
    /** True inside `suppressTracing()`: instrumentations start no span here (used by exporters). */
    readonly suppressed = false,
  ) {}

  /** The span context a child started here would have as its parent. */
  parentContext(): SpanContext | undefined {
    return this.span !== undefined ? this.span.spanContext() : this.remote;
  }

  withSpan(span: Span, owner?: object): Context {
    return new Context(span, undefined, this.baggage, this.attributes, owner ?? this.owner, this.suppressed);
  }

  withRemote(remote: SpanContext | undefined): Context {
    return new Context(undefined, remote, this.baggage, this.attributes, this.owner, this.suppressed);
  }

  withBaggage(baggage: Baggage): Context {
    return new Context(this.span, this.remote, baggage, this.attributes, this.owner, this.suppressed);
  }

  withAttributes(attributes: Attributes): Context {
    const merged = this.attributes === undefined ? { ...attributes } : { ...this.attributes, ...attributes };
    return new Context(this.span, this.remote, this.baggage, merged, this.owner, this.suppressed);
  }

  withOwner(owner: object): Context {
    return new Context(this.span, this.remote, this.baggage, this.attributes, owner, this.suppressed);
  }
}

/** A context in which no instrumentation records anything. */
const SUPPRESSED = new Context(undefined, undefined, Baggage.EMPTY, undefined, undefined, true);

interface ProcessState {
  readonly storage: AsyncLocalStorage<Context>;
  /** The most recently started tracer: owner of root spans started outside any context. */
  defaultTracer: object | undefined;
}

// One AsyncLocalStorage per process, shared by the CJS and ESM copies of this package
// (the dual-package hazard: each copy has its own module state, globalThis is shared).
const KEY = Symbol.for('nestjs-tracing.process-state');
const holder = globalThis as unknown as Record<symbol, ProcessState | undefined>;
const state: ProcessState = (holder[KEY] ??= { storage: new AsyncLocalStorage<Context>(), defaultTracer: undefined });

/** The process-wide state: the AsyncLocalStorage and the default tracer. */
export function processState(): ProcessState {
  return state;
}

/** The active context, or Context.ROOT outside any. */
export function activeContext(): Context {
  return state.storage.getStore() ?? Context.ROOT;
}

/** Runs `fn` with `context` active (one AsyncLocalStorage.run). */
export function runInContext<T>(context: Context, fn: () => T): T {
  return state.storage.run(context, fn);
}

/** Runs `fn` with tracing suppressed: the exporters' own I/O is never traced. */
export function suppressTracing<T>(fn: () => T): T {
  return state.storage.run(SUPPRESSED, fn);
}

/** True when the active context suppresses tracing. */
export function isTracingSuppressed(): boolean {
  return activeContext().suppressed;
}
