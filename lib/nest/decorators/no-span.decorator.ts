import { NO_SPAN_METADATA } from '../tracing.constants.js';

/** Opts a method out of `@Traced()` on its class. Has no effect on `@Span()`. */
export function NoSpan(): MethodDecorator {
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    if (typeof descriptor?.value === 'function') {
      Reflect.defineProperty(descriptor.value, NO_SPAN_KEY, { value: true, configurable: true });
      (Reflect as unknown as { defineMetadata?: (k: string, v: unknown, t: object) => void }).defineMetadata?.(
        NO_SPAN_METADATA,
        true,
        descriptor.value,
      );
    }
    return descriptor;
  };
}

/** Property mark that survives on the function even without reflect-metadata. */
export const NO_SPAN_KEY = Symbol.for('nestjs-tracing.no-span');
