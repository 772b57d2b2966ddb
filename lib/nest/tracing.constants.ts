/** DI token of the resolved `TracingModuleOptions` (inject with `@InjectTracingOptions()`). */
export const TRACING_MODULE_OPTIONS = 'TRACING:MODULE_OPTIONS';

/** Metadata key written by `@NoSpan()` on a method: `@Traced()` leaves it unwrapped. */
export const NO_SPAN_METADATA = 'TRACING:NO_SPAN';

/** DI token of the resolved module setup (tracer + Nest-side settings). Internal. */
export const TRACING_SETUP = 'TRACING:SETUP';
