import { activeContext, runInContext, type Context } from '../../core/context.js';
import { diag } from '../../core/diag.js';
import { NOOP_SPAN } from '../../core/noop-span.js';
import { isObservableLike, recordError, settle, traceObservable } from '../../core/settle.js';
import { Tracer } from '../../core/tracer.js';
import type { Span, SpanOptions } from '../../core/types.js';
import { copyMethodMetadata } from './copy-method-metadata.js';
import type { SpanDecoratorOptions } from './span-options.interface.js';

/** Marks a function as our wrapper, so `@Traced()` never wraps a `@Span()` method twice. */
export const TRACED_WRAPPER = Symbol.for('nestjs-tracing.traced-wrapper');

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

/** True when `type` (from `design:returntype`) is an rxjs-style Observable class. */
function isObservableClass(type: unknown): boolean {
  if (typeof type !== 'function') return false;
  const proto = (type as { prototype?: { subscribe?: unknown; lift?: unknown } }).prototype;
  return proto !== undefined && typeof proto.subscribe === 'function' && typeof proto.lift === 'function';
}

/**
 * Builds the function that replaces a decorated method. It finds its tracer at call time
 * (`Tracer.active()`: the owner of the active context, else the process default), so one
 * decorated class works under any app, and it is a plain pass-through when that tracer is
 * disabled. The span is active while the method runs and ends when its result settles;
 * Observables get one span per subscription, started at subscription.
 */
export function createTracedMethod(
  original: AnyFn,
  spanName: string,
  options: SpanDecoratorOptions,
  declaredReturnType: unknown,
): AnyFn {
  const staticOptions: SpanOptions = {};
  if (options.kind !== undefined) staticOptions.kind = options.kind;
  if (options.attributes !== undefined) staticOptions.attributes = options.attributes;
  if (options.root === true) staticOptions.root = true;
  const argsToAttributes = options.args;
  const lazyObservable = isObservableClass(declaredReturnType);

  const optionsFor = (args: ArrayLike<unknown>): SpanOptions => {
    if (argsToAttributes === undefined) return staticOptions;
    try {
      const computed = argsToAttributes(...Array.from(args));
      return { ...staticOptions, attributes: { ...staticOptions.attributes, ...computed } };
    } catch (error) {
      diag.warnOnce(`span-args:${spanName}`, `@Span({ args }) of "${spanName}" threw; its attributes are skipped: ${String(error)}`);
      return staticOptions;
    }
  };

  // Starts a span for one Observable subscription, under the context of the original call.
  const subscriptionSpan = (tracer: Tracer, callContext: Context, spanOptions: SpanOptions): [Span, Context] => {
    const span = runInContext(callContext, () => tracer.startSpan(spanName, spanOptions));
    return [span, span === NOOP_SPAN ? callContext : callContext.withSpan(span, tracer)];
  };

  const traced = function (this: unknown): unknown {
    const tracer = Tracer.active();
    // eslint-disable-next-line prefer-rest-params
    const args = arguments as unknown as unknown[];
    if (!tracer.enabled) return original.apply(this, args);
    const callContext = activeContext();
    if (callContext.suppressed) return original.apply(this, args);
    const spanOptions = optionsFor(args);

    if (lazyObservable) {
      const result = original.apply(this, args);
      if (!isObservableLike(result)) return result;
      return traceObservable(result, () => subscriptionSpan(tracer, callContext, spanOptions));
    }

    const span = tracer.startSpan(spanName, spanOptions);
    if (span === NOOP_SPAN) return original.apply(this, args);
    const spanContext = callContext.withSpan(span, tracer);
    let result: unknown;
    try {
      result = runInContext(spanContext, () => original.apply(this, args));
    } catch (error) {
      recordError(span, error);
      span.end();
      throw error;
    }
    if (isObservableLike(result)) {
      // The method was not declared as returning an Observable, so its span started at the
      // call: the first subscription uses it, later subscriptions get their own.
      let first = true;
      return traceObservable(result, () => {
        if (first) {
          first = false;
          return [span, spanContext];
        }
        return subscriptionSpan(tracer, callContext, spanOptions);
      });
    }
    return settle(span, result, spanContext);
  } as AnyFn;

  copyMethodMetadata(original, traced);
  Object.defineProperty(traced, TRACED_WRAPPER, { value: original });
  return traced;
}

/** True when `fn` is already one of our wrappers. */
export function isTracedWrapper(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[TRACED_WRAPPER] !== undefined;
}
