import { AsyncLocalStorage, executionAsyncResource } from 'node:async_hooks';
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

// Fast access to the store. On Node versions whose AsyncLocalStorage keeps the store as a
// property of the current async resource (Node 20 and 22: `getStore()` is
// `executionAsyncResource()[this.kResourceStore]`), we read and write that property ourselves.
// Same semantics as getStore/run, but from call sites of our own with one constant key: inside
// the shared `getStore`/`run` builtins the key differs per AsyncLocalStorage instance, so as
// soon as a process has two (OpenTelemetry, nestjs-cls, an APM agent...) those property
// accesses go megamorphic (core bench, Node 20: currentSpan 24-48 ns before, 17-18 after;
// bench/RESULTS.md). Where the layout is not the expected one (Node 24's AsyncContextFrame has
// no such key), the public API is used. The layout is checked from the builtins' source once,
// then confirmed by the first real `run`.
let resourceKey: symbol | undefined = detectResourceKey(state.storage);

function detectResourceKey(storage: AsyncLocalStorage<Context>): symbol | undefined {
  const key = (storage as unknown as { kResourceStore?: unknown }).kResourceStore;
  if (typeof key !== 'symbol') return undefined;
  try {
    const source = (fn: unknown) => Function.prototype.toString.call(fn).replace(/\s+/g, ' ');
    const getStore = source(AsyncLocalStorage.prototype.getStore);
    const run = source(AsyncLocalStorage.prototype.run);
    const expected =
      /const resource = executionAsyncResource\(\); return resource\[this\.kResourceStore\];/.test(getStore) &&
      /const resource = executionAsyncResource\(\); const oldStore = resource\[this\.kResourceStore\]; resource\[this\.kResourceStore\] = store;/.test(run) &&
      /finally \{ resource\[this\.kResourceStore\] = oldStore; \}/.test(run);
    return expected ? key : undefined;
  } catch {
    return undefined;
  }
}

type Resource = Record<symbol, Context | undefined>;

/** The active context, or Context.ROOT outside any. */
export function activeContext(): Context {
  const key = resourceKey;
  if (key === undefined) return state.storage.getStore() ?? Context.ROOT;
  // No `enabled` check needed: the storage is ours alone and never disabled, and before its
  // first run no resource carries the key.
  return (executionAsyncResource() as Resource)[key] ?? Context.ROOT;
}

/** Runs `fn` with `context` active (what AsyncLocalStorage.run does, without its rest-args and megamorphic accesses). */
export function runInContext<T>(context: Context, fn: () => T): T {
  const key = resourceKey;
  if (key === undefined) return state.storage.run(context, fn);
  if (!(state.storage as unknown as { enabled: boolean }).enabled) return firstRun(context, fn);
  const resource = executionAsyncResource() as Resource;
  const previous = resource[key];
  if (previous === context) return fn();
  resource[key] = context;
  try {
    return fn();
  } finally {
    resource[key] = previous;
  }
}

/** The first run goes through the public API (which enables the storage) and confirms the layout. */
function firstRun<T>(context: Context, fn: () => T): T {
  return state.storage.run(context, () => {
    const key = resourceKey;
    if (key !== undefined && (executionAsyncResource() as Resource)[key] !== context) resourceKey = undefined;
    return fn();
  });
}

/** @internal For tests: whether the fast path is in use. */
export function usesResourceKey(): boolean {
  return resourceKey !== undefined;
}

/** Runs `fn` with tracing suppressed: the exporters' own I/O is never traced. */
export function suppressTracing<T>(fn: () => T): T {
  return runInContext(SUPPRESSED, fn);
}

/** True when the active context suppresses tracing. */
export function isTracingSuppressed(): boolean {
  return activeContext().suppressed;
}
