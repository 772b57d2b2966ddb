import { activeContext } from '../../core/context.js';
import { isValidTraceId } from '../../core/ids.js';

/** The active trace's ids, or undefined outside a trace. */
export function activeTraceIds(): { traceId: string; spanId: string; traceFlags: number } | undefined {
  const sc = activeContext().parentContext();
  if (sc === undefined || !isValidTraceId(sc.traceId)) return undefined;
  return { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags };
}

/** `trace_id=… span_id=… ` for a log line, or '' outside a trace. */
export function traceLogPrefix(): string {
  const ids = activeTraceIds();
  return ids === undefined ? '' : `trace_id=${ids.traceId} span_id=${ids.spanId} `;
}
