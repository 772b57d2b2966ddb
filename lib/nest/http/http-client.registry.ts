import type { Tracer } from '../../core/tracer.js';

/** Process-wide state of outgoing-HTTP tracing (shared by the CJS and ESM copies). */
export interface HttpClientRegistry {
  /** Tracers whose contexts get CLIENT spans on outgoing calls. */
  readonly tracers: Set<Tracer>;
  /** Undoes the subscriptions and wrappers; set while installed. */
  uninstall: (() => void) | undefined;
}

const KEY = Symbol.for('nestjs-tracing.http-client');
const holder = globalThis as unknown as Record<symbol, HttpClientRegistry | undefined>;

export function httpClientRegistry(): HttpClientRegistry {
  return (holder[KEY] ??= { tracers: new Set(), uninstall: undefined });
}

/** True when `tracer` traces outgoing calls (its app is running with `http.outgoing` on). */
export function isHttpClientTracer(tracer: Tracer): boolean {
  return httpClientRegistry().tracers.has(tracer);
}
