import type { SpanKind } from '../../core/enums.js';
import type { Attributes } from '../../core/types.js';

/** Options of `@Span()`. Every field optional. */
export interface SpanDecoratorOptions {
  /** Span name. Default `ClassName.methodName`. */
  name?: string;
  /** Default `SpanKind.INTERNAL`. */
  kind?: SpanKind;
  /** Attributes set on every span of this method. Default none. */
  attributes?: Attributes;
  /**
   * Attributes computed from the call's arguments (called once per call, before the method).
   * Never record secrets or whole payloads here. A throw is ignored (reported once). Default none.
   */
  args?: (...args: any[]) => Attributes;
  /** Start a new trace even when a span is active. Default false. */
  root?: boolean;
}

/** Options of `@Traced()`. Every field optional. */
export interface TracedOptions {
  /** Span name prefix: spans are named `${prefix}.${method}`. Default the class name. */
  prefix?: string;
  /** Only these methods are wrapped. Default every own prototype method. */
  include?: string[];
  /** These methods are not wrapped (as with `@NoSpan()`). Default none. */
  exclude?: string[];
  /** Default `SpanKind.INTERNAL`. */
  kind?: SpanKind;
  /** Attributes set on every span of the class. Default none. */
  attributes?: Attributes;
}
