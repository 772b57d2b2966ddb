import { NO_SPAN_KEY } from './no-span.decorator.js';
import { declaredReturnType } from './span.decorator.js';
import type { TracedOptions } from './span-options.interface.js';
import { createTracedMethod, isTracedWrapper } from './traced-method.js';

/**
 * Traces every own prototype method of a class as `@Span()` would (name `ClassName.method`,
 * or `${prefix}.method`). Getters, setters, the constructor, inherited and static methods
 * are left alone, as are methods marked `@NoSpan()`, listed in `exclude`, missing from
 * `include` (when given), or already decorated with `@Span()`. Default: every method.
 */
export function Traced(options: TracedOptions = {}): ClassDecorator {
  return (target: Function) => {
    if (typeof target !== 'function' || target.prototype === undefined) {
      throw new TypeError('@Traced() can only decorate classes; use @Span() on a single method.');
    }
    const prototype = target.prototype as Record<string, unknown>;
    const prefix = options.prefix ?? target.name;
    const include = options.include !== undefined ? new Set(options.include) : undefined;
    const exclude = new Set(options.exclude ?? []);
    for (const key of Object.getOwnPropertyNames(prototype)) {
      if (key === 'constructor' || exclude.has(key) || (include !== undefined && !include.has(key))) continue;
      const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
      if (descriptor === undefined || typeof descriptor.value !== 'function') continue;
      const method = descriptor.value as Function & Record<symbol, unknown>;
      if (method[NO_SPAN_KEY] === true || isTracedWrapper(method)) continue;
      const wrapped = createTracedMethod(
        method as never,
        `${prefix}.${key}`,
        { kind: options.kind, attributes: options.attributes },
        declaredReturnType(prototype, key),
      );
      Object.defineProperty(prototype, key, { ...descriptor, value: wrapped });
    }
  };
}
