import { SpanKind, SpanStatusCode } from '../core/enums.js';
import type { FinishedSpan, SpanExporter } from '../core/types.js';

/** Options of `ConsoleSpanExporter`. */
export interface ConsoleSpanExporterOptions {
  /** Where the trees go. Default `process.stdout`. */
  stream?: { write(text: string): unknown };
  /**
   * How long to wait for more spans of a trace whose local root has not been seen (its
   * parent is remote, or it is still running) before printing what arrived. Default 1000.
   */
  settleMillis?: number;
}

/** Attributes worth a glance, printed after the span when present. */
const KEY_ATTRIBUTES = [
  'http.route',
  'http.response.status_code',
  'url.full',
  'server.address',
  'rpc.system',
  'rpc.service',
  'rpc.method',
  'messaging.system',
  'messaging.destination.name',
  'messaging.operation.type',
  'db.system',
  'error.type',
];

interface PendingTrace {
  spans: FinishedSpan[];
  timer: NodeJS.Timeout | undefined;
}

/**
 * Prints each trace as a readable tree: one line per span, indented under its parent,
 * with the duration in ms, the kind, the status and a few key attributes (route, status
 * code, rpc and messaging names). Spans are held per trace until the trace's root (a span
 * without a parent) ends, or for `settleMillis` after the last span of a trace whose root
 * lives in another process; spans whose parent never arrived print at top level.
 * Writes to process.stdout; the sample app's default when no OTLP endpoint is set.
 */
export class ConsoleSpanExporter implements SpanExporter {
  private readonly pending = new Map<string, PendingTrace>();
  private readonly stream: { write(text: string): unknown };
  private readonly settleMillis: number;

  constructor(options: ConsoleSpanExporterOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.settleMillis = options.settleMillis ?? 1000;
  }

  export(spans: readonly FinishedSpan[]): Promise<void> {
    for (const span of spans) {
      const traceId = span.spanContext().traceId;
      let trace = this.pending.get(traceId);
      if (trace === undefined) this.pending.set(traceId, (trace = { spans: [], timer: undefined }));
      trace.spans.push(span);
      if (span.parentSpanId === undefined) {
        this.print(traceId);
        continue;
      }
      if (trace.timer !== undefined) clearTimeout(trace.timer);
      trace.timer = setTimeout(() => this.print(traceId), this.settleMillis);
      trace.timer.unref?.();
    }
    return Promise.resolve();
  }

  /** Prints every trace still held. */
  forceFlush(): Promise<void> {
    for (const traceId of [...this.pending.keys()]) this.print(traceId);
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }

  private print(traceId: string): void {
    const trace = this.pending.get(traceId);
    if (trace === undefined) return;
    this.pending.delete(traceId);
    if (trace.timer !== undefined) clearTimeout(trace.timer);
    try {
      this.stream.write(formatTrace(traceId, trace.spans));
    } catch {
      // a closed stdout must not reach the application
    }
  }
}

/** The text of one trace tree (exported for tests and custom sinks). */
export function formatTrace(traceId: string, spans: readonly FinishedSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanContext().spanId as string));
  const children = new Map<string, FinishedSpan[]>();
  const roots: FinishedSpan[] = [];
  for (const span of spans) {
    const parent = span.parentSpanId;
    if (parent !== undefined && ids.has(parent)) {
      let list = children.get(parent);
      if (list === undefined) children.set(parent, (list = []));
      list.push(span);
    } else roots.push(span);
  }
  const byStart = (a: FinishedSpan, b: FinishedSpan): number => (a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : 0);
  const service = spans[0]?.resource.attributes['service.name'];
  const lines = [`trace ${traceId}${typeof service === 'string' ? ` (${service})` : ''}`];
  const walk = (span: FinishedSpan, depth: number): void => {
    lines.push(`${'  '.repeat(depth + 1)}${describe(span)}`);
    for (const child of (children.get(span.spanContext().spanId) ?? []).sort(byStart)) walk(child, depth + 1);
  };
  for (const root of roots.sort(byStart)) {
    if (root.parentSpanId !== undefined) lines.push(`  (parent ${root.parentSpanId} not here)`);
    walk(root, root.parentSpanId !== undefined ? 1 : 0);
  }
  return lines.join('\n') + '\n';
}

function describe(span: FinishedSpan): string {
  const ms = Number(span.endTime - span.startTime) / 1e6;
  const parts = [span.name, SpanKind[span.kind] ?? String(span.kind), `${ms.toFixed(ms < 10 ? 2 : 1)} ms`];
  if (span.status.code !== SpanStatusCode.UNSET)
    parts.push(SpanStatusCode[span.status.code] + (span.status.message ? `(${span.status.message})` : ''));
  const attrs: string[] = [];
  for (const key of KEY_ATTRIBUTES) {
    const value = span.attributes[key];
    if (value !== undefined) attrs.push(`${key}=${Array.isArray(value) ? value.join(',') : String(value)}`);
  }
  const exception = span.events.find((e) => e.name === 'exception');
  if (exception !== undefined && typeof exception.attributes['exception.message'] === 'string')
    attrs.push(`exception=${JSON.stringify(exception.attributes['exception.message'])}`);
  return parts.join('  ') + (attrs.length > 0 ? `  ${attrs.join(' ')}` : '');
}
