import type { Context } from '../core/context.js';
import type { Propagator } from '../core/propagator.js';
import type { CarrierGetter, CarrierSetter } from '../core/types.js';
import { parseBaggage, serializeBaggage } from './baggage.codec.js';
import { defaultGetter, defaultSetter } from './carriers.js';

export const BAGGAGE_HEADER = 'baggage';
const FIELDS: readonly string[] = Object.freeze([BAGGAGE_HEADER]);

/**
 * W3C Baggage propagator (`baggage` header), on by default. `extract` replaces the context's
 * baggage with the incoming one (no merge) when the header holds at least one valid member,
 * else returns the context unchanged. `inject` writes the context's baggage when it is not
 * empty, replacing an existing `baggage` key whatever its case. Never throws.
 */
export class W3CBaggagePropagator implements Propagator {
  inject(context: Context, carrier: unknown, setter: CarrierSetter = defaultSetter): void {
    try {
      const baggage = context.baggage;
      if (baggage === undefined || baggage.size === 0) return;
      const header = serializeBaggage(baggage);
      if (header.length > 0) setter.set(carrier, BAGGAGE_HEADER, header);
    } catch {
      // never into the application
    }
  }

  extract(context: Context, carrier: unknown, getter: CarrierGetter = defaultGetter): Context {
    try {
      const value = getter.get(carrier, BAGGAGE_HEADER);
      if (value === undefined) return context;
      const baggage = parseBaggage(value);
      return baggage.size === 0 ? context : context.withBaggage(baggage);
    } catch {
      return context;
    }
  }

  fields(): readonly string[] {
    return FIELDS;
  }
}
