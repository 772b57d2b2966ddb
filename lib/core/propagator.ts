import type { Context } from './context.js';
import type { CarrierGetter, CarrierSetter } from './types.js';

/**
 * Moves a trace context in and out of a carrier (HTTP headers, message metadata).
 * `extract` never throws: on invalid input it returns `context` unchanged, so a new trace
 * starts. `inject` never writes an invalid header. Implemented in lib/propagation.
 */
export interface Propagator {
  inject(context: Context, carrier: unknown, setter?: CarrierSetter): void;
  extract(context: Context, carrier: unknown, getter?: CarrierGetter): Context;
  /** The carrier keys this propagator reads and writes, lowercase. */
  fields(): readonly string[];
}

/** Propagates nothing. */
export const NOOP_PROPAGATOR: Propagator = Object.freeze({
  inject() {},
  extract: (context: Context) => context,
  fields: () => [] as readonly string[],
});
