import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import type { TracingModuleOptions } from '../config/tracing-options.js';
import { InMemorySpanExporter } from '../export/in-memory-span.exporter.js';
import { TracingModule } from '../nest/tracing.module.js';

/** Options of `TracingTestingModule.forRoot()`: TracingModuleOptions, with the exporter to use. */
export interface TracingTestingOptions extends Omit<TracingModuleOptions, 'exporter'> {
  /** Default a new InMemorySpanExporter, provided under the `InMemorySpanExporter` token. */
  exporter?: InMemorySpanExporter;
}

/**
 * `TracingModule.forRoot()` for tests: spans go to an `InMemorySpanExporter` as soon as they
 * end (no batching), the service name defaults to `test`, and the exporter is injectable
 * (`moduleRef.get(InMemorySpanExporter)`). Sampling is the default (parent-based, always on
 * for new traces), as in production. Other options pass through.
 */
@Module({})
export class TracingTestingModule {
  static forRoot(options: TracingTestingOptions = {}): DynamicModule {
    const exporter = options.exporter ?? new InMemorySpanExporter();
    const root = TracingModule.forRoot({ serviceName: 'test', ...options, exporter });
    return {
      module: TracingTestingModule,
      global: true,
      imports: [root],
      providers: [{ provide: InMemorySpanExporter, useValue: exporter }],
      exports: [root, InMemorySpanExporter],
    };
  }
}

/**
 * Module metadata for `Test.createTestingModule()` with tracing to memory added:
 * ```ts
 * const { metadata, exporter } = createTracingTestingModule({ controllers: [OrdersController] });
 * const app = (await Test.createTestingModule(metadata).compile()).createNestApplication();
 * ```
 */
export function createTracingTestingModule(
  metadata: ModuleMetadata = {},
  options: TracingTestingOptions = {},
): { metadata: ModuleMetadata; exporter: InMemorySpanExporter } {
  const exporter = options.exporter ?? new InMemorySpanExporter();
  return {
    metadata: { ...metadata, imports: [...(metadata.imports ?? []), TracingTestingModule.forRoot({ ...options, exporter })] },
    exporter,
  };
}
