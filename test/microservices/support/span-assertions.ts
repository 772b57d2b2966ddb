import type { FinishedSpan } from 'nestjs-tracing';
import type { InMemorySpanExporter } from 'nestjs-tracing/testing';

/** Polls the exporter until `predicate` holds (or fails the test after `timeoutMs`). */
export async function waitForSpans(
  exporter: InMemorySpanExporter,
  predicate: (spans: FinishedSpan[]) => boolean,
  timeoutMs = 10000,
): Promise<FinishedSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = exporter.getFinishedSpans();
    if (predicate(spans)) return spans;
    if (Date.now() > deadline) {
      throw new Error(`spans did not arrive in ${timeoutMs} ms; have:\n${spans.map(describe).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function describe(span: FinishedSpan): string {
  const sc = span.spanContext();
  return `${span.name} kind=${span.kind} trace=${sc.traceId} span=${sc.spanId} parent=${span.parentSpanId ?? '-'} service=${String(span.resource.attributes['service.name'])}`;
}

/** The one span named `name` in `spans` (fails when there is none or several). */
export function only(spans: readonly FinishedSpan[], name: string): FinishedSpan {
  const found = spans.filter((span) => span.name === name);
  if (found.length !== 1) throw new Error(`expected one span "${name}", found ${found.length}:\n${spans.map(describe).join('\n')}`);
  return found[0];
}

export const traceIdOf = (span: FinishedSpan): string => span.spanContext().traceId;
export const spanIdOf = (span: FinishedSpan): string => span.spanContext().spanId;

/** Asserts that each span is the parent of the next, all in one trace. */
export function expectChain(...chain: FinishedSpan[]): void {
  const traceId = traceIdOf(chain[0]);
  for (let i = 0; i < chain.length; i++) {
    expect({ name: chain[i].name, traceId: traceIdOf(chain[i]) }).toEqual({ name: chain[i].name, traceId });
    if (i > 0) {
      expect({ name: chain[i].name, parent: chain[i].parentSpanId }).toEqual({ name: chain[i].name, parent: spanIdOf(chain[i - 1]) });
    }
  }
}
