import type { Context } from '../core/context.js';
import type { Propagator } from '../core/propagator.js';
import type { CarrierGetter, CarrierSetter } from '../core/types.js';

/**
 * Runs several propagators in order. `inject` calls each one; `extract` passes the context
 * returned by one to the next, so for the same concern (the remote parent) the last one
 * that finds a valid header wins, and concerns that differ (trace context, baggage) combine.
 * A propagator that throws is skipped. `fields()` is the union of all fields.
 */
export class CompositePropagator implements Propagator {
  private readonly propagators: readonly Propagator[];
  private readonly allFields: readonly string[];

  constructor(propagators: readonly Propagator[]) {
    this.propagators = propagators.slice();
    const fields = new Set<string>();
    for (const p of this.propagators) {
      try {
        for (const f of p.fields()) fields.add(f);
      } catch {
        // a broken propagator contributes no fields
      }
    }
    this.allFields = Object.freeze([...fields]);
  }

  inject(context: Context, carrier: unknown, setter?: CarrierSetter): void {
    const propagators = this.propagators;
    for (let i = 0; i < propagators.length; i++) {
      try {
        propagators[i].inject(context, carrier, setter);
      } catch {
        // one propagator failing must not stop the others
      }
    }
  }

  extract(context: Context, carrier: unknown, getter?: CarrierGetter): Context {
    const propagators = this.propagators;
    let result = context;
    for (let i = 0; i < propagators.length; i++) {
      try {
        result = propagators[i].extract(result, carrier, getter);
      } catch {
        // keep what the previous ones produced
      }
    }
    return result;
  }

  fields(): readonly string[] {
    return this.allFields;
  }
}
