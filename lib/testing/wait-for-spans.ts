import type { FinishedSpan } from '../core/types.js';
import type { InMemorySpanExporter } from '../export/in-memory-span.exporter.js';

/**
 * Waits until the exporter holds spans satisfying `until` (a count, or a predicate over all
 * finished spans), polling every 5 ms, and returns them. A server span ends when the
 * response finishes, which may be just after the client saw it: assert through this.
 * Rejects after `timeoutMillis` (default 2000) with what it had, so a failing test says why.
 */
export async function waitForSpans(
  exporter: InMemorySpanExporter,
  until: number | ((spans: FinishedSpan[]) => boolean),
  timeoutMillis = 2000,
): Promise<FinishedSpan[]> {
  const done = typeof until === 'number' ? (spans: FinishedSpan[]) => spans.length >= until : until;
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const spans = exporter.getFinishedSpans();
    if (done(spans)) return spans;
    if (Date.now() > deadline) {
      throw new Error(
        `waitForSpans: condition not met within ${timeoutMillis} ms; finished spans: ${JSON.stringify(spans.map((s) => s.name))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
