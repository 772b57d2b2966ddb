import { ConsoleLogger } from '@nestjs/common';
import { activeTraceIds, traceLogPrefix } from './trace-log-fields.js';

/**
 * Nest's `ConsoleLogger` with log correlation: inside a trace each line carries
 * `trace_id=<32 hex> span_id=<16 hex>` before the context (in JSON mode, `trace_id`,
 * `span_id` and `trace_flags` fields). Outside a trace the output is ConsoleLogger's own.
 * Use it as the app logger: `NestFactory.create(AppModule, { logger: new TracingLogger() })`
 * or `app.useLogger(new TracingLogger())`.
 */
export class TracingLogger extends ConsoleLogger {
  protected override formatPid(pid: number): string {
    return super.formatPid(pid) + traceLogPrefix();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  protected override getJsonLogObject(message: unknown, options: any): any {
    const object = super.getJsonLogObject(message, options) as Record<string, unknown>;
    const ids = activeTraceIds();
    if (ids !== undefined) {
      object.trace_id = ids.traceId;
      object.span_id = ids.spanId;
      object.trace_flags = (ids.traceFlags & 0xff).toString(16).padStart(2, '0');
    }
    return object;
  }
}
