import type { FinishedSpan, SpanExporter } from 'nestjs-tracing';

/**
 * Sends every batch to several exporters (here OTLP and the console tree), so the sample
 * still prints its traces while it exports them. A user-side SpanExporter: the module takes
 * any object with `export`, `forceFlush` and `shutdown`.
 */
export class TeeSpanExporter implements SpanExporter {
  constructor(private readonly exporters: SpanExporter[]) {}

  async export(spans: readonly FinishedSpan[]): Promise<void> {
    const results = await Promise.allSettled(this.exporters.map((e) => e.export(spans)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async forceFlush(): Promise<void> {
    await Promise.allSettled(this.exporters.map((e) => e.forceFlush?.()));
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled(this.exporters.map((e) => e.shutdown?.()));
  }
}
