import type { FinishedSpan, SpanProcessor } from '../../lib/core/index.js';

/** A processor that keeps every ended span, for core tests that run without the export pipeline. */
export class CollectingProcessor implements SpanProcessor {
  readonly spans: FinishedSpan[] = [];
  started = 0;
  onStart(): void {
    this.started++;
  }
  onEnd(span: FinishedSpan): void {
    this.spans.push(span);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
  byName(name: string): FinishedSpan {
    const span = this.spans.find((s) => s.name === name);
    if (!span) throw new Error(`no span named ${name}; have ${this.spans.map((s) => s.name).join(', ')}`);
    return span;
  }
}
