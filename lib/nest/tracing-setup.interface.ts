import type { HttpTracingOptions } from '../config/tracing-options.js';
import type { Tracer } from '../core/tracer.js';

/** What one `TracingModule.forRoot()` resolved: its tracer and the Nest-side settings. Internal. */
export interface TracingSetup {
  readonly tracer: Tracer;
  readonly enabled: boolean;
  readonly http: HttpTracingOptions;
  readonly globalInterceptor: boolean;
  readonly shutdownTimeoutMillis: number;
}
