import type { Span as CoreSpan } from '../../core/types.js';
import { createTracedMethod, isTracedWrapper } from './traced-method.js';
import type { SpanDecoratorOptions } from './span-options.interface.js';

/** The `design:returntype` TypeScript emitted for a method (with emitDecoratorMetadata), if any. */
export function declaredReturnType(target: object, key: string | symbol): unknown {
  const getMetadata = (Reflect as unknown as { getMetadata?: (k: string, t: object, p: string | symbol) => unknown }).getMetadata;
  return typeof getMetadata === 'function' ? getMetadata('design:returntype', target, key) : undefined;
}

/** The class name a method decorator sees (`target` is the prototype, or the class for statics). */
export function classNameOf(target: object): string {
  return typeof target === 'function' ? (target as Function).name : (target.constructor?.name ?? 'Anonymous');
}

/**
 * Traces every call of a method with a span, active while the method runs and ended when
 * its result settles (value, Promise, lazy thenable, or each Observable subscription). Name
 * default `ClassName.methodName`; `@Span('name')` or `@Span({ name, kind, attributes, args, root })`
 * override it. Keeps every other decorator's metadata, in either order, and the method's
 * `name` and `length`. Exceptions are recorded (status ERROR) and rethrown unchanged. When
 * tracing is disabled the call goes straight to the method.
 */
export function Span(nameOrOptions?: string | SpanDecoratorOptions): MethodDecorator {
  const options: SpanDecoratorOptions =
    typeof nameOrOptions === 'string' ? { name: nameOrOptions } : { ...(nameOrOptions ?? {}) };
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    const original = descriptor?.value;
    if (typeof original !== 'function') {
      throw new TypeError(
        `@Span() can only decorate methods, but ${classNameOf(target)}.${String(key)} is not one ` +
          '(getters, setters and properties cannot be traced): move the logic into a method and decorate that.',
      );
    }
    if (isTracedWrapper(original)) return descriptor;
    const name = options.name ?? `${classNameOf(target)}.${String(key)}`;
    descriptor.value = createTracedMethod(original, name, options, declaredReturnType(target, key));
    return descriptor;
  };
}

/** The span interface (`Span` is both this type and the decorator, so `import { Span }` gives both). */
export type Span = CoreSpan;
