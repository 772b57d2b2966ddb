import { activeTraceIds } from './trace-log-fields.js';

/** The fields `pinoTraceMixin()` adds to a log record inside a trace. */
export interface TraceLogFields {
  trace_id: string;
  span_id: string;
  /** Two lowercase hex digits, as in traceparent (`01` = sampled). */
  trace_flags: string;
}

/**
 * A pino `mixin`: `{ trace_id, span_id, trace_flags }` of the active span, `{}` outside a
 * trace. With nestjs-pino: `LoggerModule.forRoot({ pinoHttp: { mixin: pinoTraceMixin } })`;
 * with pino: `pino({ mixin: pinoTraceMixin })`. Field names follow the OpenTelemetry log data model.
 */
export function pinoTraceMixin(): TraceLogFields | Record<string, never> {
  const ids = activeTraceIds();
  if (ids === undefined) return {};
  return { trace_id: ids.traceId, span_id: ids.spanId, trace_flags: (ids.traceFlags & 0xff).toString(16).padStart(2, '0') };
}
