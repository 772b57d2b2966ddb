import { SpanStatusCode } from './enums.js';
import { runInContext, type Context } from './context.js';
import type { Span } from './types.js';

/** Records a thrown or rejected error on a span: an `exception` event and status ERROR. */
export function recordError(span: Span, error: unknown): void {
  span.recordException(error);
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : undefined;
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

interface ObservableLike {
  subscribe: (...args: unknown[]) => unknown;
  lift: (operator: unknown) => unknown;
}

interface SubscriberLike {
  next(value: unknown): void;
  error(error: unknown): void;
  complete(): void;
}

/** True for an rxjs-style Observable (has `subscribe` and `lift`); core does not import rxjs. */
export function isObservableLike(value: unknown): value is ObservableLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as ObservableLike).subscribe === 'function' &&
    typeof (value as ObservableLike).lift === 'function'
  );
}

/** True for a thenable that is not a native Promise (e.g. a lazy query builder). */
function isForeignThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function' &&
    !(value instanceof Promise)
  );
}

/**
 * Wraps an rxjs Observable so that each subscription gets its own span from `begin`, active
 * while the source is subscribed, ended on complete, error or unsubscribe. `onError`
 * (default `recordError`) records an error; `onEnd` runs before a span ends without one. Uses the
 * Observable's own `lift`, so the result is the same kind of Observable and no rxjs import
 * is needed here. Nothing starts until something subscribes.
 */
export function traceObservable<T>(
  source: T,
  begin: () => [Span, Context],
  onError: (span: Span, error: unknown) => void = recordError,
  onEnd?: (span: Span) => void,
): T {
  const operator = function (this: SubscriberLike & { add?(teardown: () => void): void }, inner: ObservableLike) {
    const subscriber = this;
    const [span, context] = begin();
    let done = false;
    const finish = (error?: unknown, failed?: boolean) => {
      if (done) return;
      done = true;
      if (failed) onError(span, error);
      else if (onEnd !== undefined) onEnd(span);
      span.end();
    };
    const subscription = runInContext(context, () =>
      inner.subscribe({
        next: (value: unknown) => subscriber.next(value),
        error: (error: unknown) => {
          finish(error, true);
          subscriber.error(error);
        },
        complete: () => {
          finish();
          subscriber.complete();
        },
      }),
    ) as { unsubscribe?: () => void } | undefined;
    return () => {
      finish();
      subscription?.unsubscribe?.();
    };
  };
  return (source as unknown as ObservableLike).lift(operator) as T;
}

/**
 * Ends `span` when `result` settles and returns what the caller should get:
 * - a native Promise: a Promise that resolves/rejects the same way, after ending the span;
 * - another thenable (lazy, e.g. a query builder): a Proxy whose `then` is called exactly
 *   when and as often as the caller calls it, inside the span's context;
 * - an rxjs Observable: the span ends on the first subscription's end (see `traceObservable`
 *   for one span per subscription);
 * - anything else: the span ends now.
 */
export function settle<T>(span: Span, result: T, context: Context): T {
  if (result instanceof Promise) {
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        recordError(span, error);
        span.end();
        throw error;
      },
    ) as T;
  }
  if (isForeignThenable(result)) return traceThenable(span, result, context) as T;
  if (isObservableLike(result)) return traceObservable(result, () => [span, context]);
  span.end();
  return result;
}

function traceThenable<T extends object>(span: Span, thenable: T, context: Context): T {
  return new Proxy(thenable, {
    get(target, property, receiver) {
      if (property !== 'then') return Reflect.get(target, property, receiver);
      const then = Reflect.get(target, property, receiver) as PromiseLike<unknown>['then'];
      return function tracedThen(this: unknown, onFulfilled?: (v: unknown) => unknown, onRejected?: (e: unknown) => unknown) {
        return runInContext(context, () =>
          then.call(
            target,
            (value: unknown) => {
              span.end();
              return onFulfilled ? onFulfilled(value) : value;
            },
            (error: unknown) => {
              recordError(span, error);
              span.end();
              if (onRejected) return onRejected(error);
              throw error;
            },
          ),
        );
      };
    },
  });
}
