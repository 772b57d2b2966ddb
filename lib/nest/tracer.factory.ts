import { resolveTracingOptions } from '../config/resolve-tracing-options.js';
import type { TracingModuleOptions } from '../config/tracing-options.js';
import { Tracer } from '../core/tracer.js';
import type { SpanExporter, SpanProcessor } from '../core/types.js';
import { BufferedSpanProcessor } from '../export/buffered-span.processor.js';
import { createExporter } from '../export/create-exporter.js';
import { InMemorySpanExporter } from '../export/in-memory-span.exporter.js';
import { SimpleSpanProcessor } from '../export/simple-span.processor.js';
import { createPropagator } from '../propagation/create-propagator.js';
import type { TracingSetup } from './tracing-setup.interface.js';

type Env = Readonly<Record<string, string | undefined>>;

/** An InMemorySpanExporter (from either package copy): its spans should be visible as soon as they end. */
function isInMemory(exporter: SpanExporter): boolean {
  return exporter instanceof InMemorySpanExporter || exporter.constructor?.name === 'InMemorySpanExporter';
}

/**
 * Builds the `Tracer` of one `TracingModule.forRoot()` (and the settings the Nest
 * integration needs) from its options and the environment: options win over OTEL_*
 * variables, which win over defaults. Pipeline: the resolved exporter (the user's
 * SpanExporter, OTLP by default, console, none) behind a `BufferedSpanProcessor`, except an
 * `InMemorySpanExporter`, which gets a `SimpleSpanProcessor` so tests see spans as they end.
 * Disabled (`enabled: false`, OTEL_SDK_DISABLED=true): no exporter is built at all. The tracer
 * is made the process default, so root spans outside any request use the newest app's tracer.
 */
export function createTracingSetup(options: TracingModuleOptions = {}, env: Env = process.env): TracingSetup {
  const resolved = resolveTracingOptions(options, env);
  let processor: SpanProcessor | undefined;
  if (resolved.enabled) {
    const exporter = createExporter(resolved);
    processor = isInMemory(exporter)
      ? new SimpleSpanProcessor(exporter)
      : new BufferedSpanProcessor(exporter, { ...resolved.processor, shutdownTimeoutMillis: resolved.shutdownTimeoutMillis });
  }
  const tracer = new Tracer({
    enabled: resolved.enabled,
    serviceName: resolved.serviceName,
    resource: { ...resolved.resource },
    sampler: resolved.sampler,
    processor,
    propagator: createPropagator(resolved.propagators),
    limits: resolved.limits,
  });
  if (resolved.enabled) tracer.makeDefault();
  return {
    tracer,
    enabled: resolved.enabled,
    http: resolved.http,
    globalInterceptor: resolved.globalInterceptor,
    shutdownTimeoutMillis: resolved.shutdownTimeoutMillis,
  };
}
