import type { BaggageEntry } from './types.js';

/**
 * W3C Baggage: an immutable set of name/value entries that travels with the trace.
 * `set`/`delete` return a new Baggage; the empty baggage is a shared singleton.
 */
export class Baggage {
  static readonly EMPTY = new Baggage(new Map());

  private constructor(private readonly entries: ReadonlyMap<string, BaggageEntry>) {}

  static from(entries: Iterable<readonly [string, BaggageEntry]>): Baggage {
    const map = new Map(entries);
    return map.size === 0 ? Baggage.EMPTY : new Baggage(map);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): BaggageEntry | undefined {
    return this.entries.get(key);
  }

  set(key: string, entry: BaggageEntry): Baggage {
    const map = new Map(this.entries);
    map.set(key, entry);
    return new Baggage(map);
  }

  delete(key: string): Baggage {
    if (!this.entries.has(key)) return this;
    const map = new Map(this.entries);
    map.delete(key);
    return map.size === 0 ? Baggage.EMPTY : new Baggage(map);
  }

  all(): Array<[string, BaggageEntry]> {
    return [...this.entries];
  }
}
