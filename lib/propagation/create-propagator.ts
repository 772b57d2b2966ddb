import { diag } from '../core/diag.js';
import { NOOP_PROPAGATOR, type Propagator } from '../core/propagator.js';
import { B3Propagator } from './b3.propagator.js';
import { CompositePropagator } from './composite.propagator.js';
import { W3CBaggagePropagator } from './w3c-baggage.propagator.js';
import { W3CTraceContextPropagator } from './w3c-trace-context.propagator.js';

/** The OTEL_PROPAGATORS names this library supports. */
export const KNOWN_PROPAGATORS = Object.freeze(['tracecontext', 'baggage', 'b3', 'b3multi', 'none'] as const);

const FACTORIES: Record<string, () => Propagator> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
  b3: () => new B3Propagator({ injectEncoding: 'single' }),
  b3multi: () => new B3Propagator({ injectEncoding: 'multi' }),
};

/**
 * Builds the propagator for a list of OTEL_PROPAGATORS names (default of the option:
 * `['tracecontext', 'baggage']`): `tracecontext`, `baggage`, `b3` (single header), `b3multi`,
 * `none`. Names are trimmed and case-insensitive, an entry may be a comma-separated list;
 * repeats count once; `none` adds nothing. An unknown name is skipped with one warning naming it. One name gives that propagator,
 * several a `CompositePropagator` in the given order, none the no-op propagator.
 */
export function createPropagator(names: readonly string[]): Propagator {
  const seen = new Set<string>();
  const propagators: Propagator[] = [];
  // An entry may itself be a comma-separated list, as the variable is.
  const list = (Array.isArray(names) ? names : []).flatMap((raw) => String(raw).split(','));
  for (const raw of list) {
    const name = raw.trim().toLowerCase();
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    if (name === 'none') continue;
    const factory = Object.hasOwn(FACTORIES, name) ? FACTORIES[name] : undefined;
    if (factory === undefined) {
      diag.warn(
        `OTEL_PROPAGATORS / propagators: unsupported propagator ${JSON.stringify(raw.trim())} ignored; ` +
          `use one or more of ${KNOWN_PROPAGATORS.join(', ')}.`,
      );
      continue;
    }
    propagators.push(factory());
  }
  if (propagators.length === 0) return NOOP_PROPAGATOR;
  return propagators.length === 1 ? propagators[0] : new CompositePropagator(propagators);
}
