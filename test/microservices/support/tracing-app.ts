// The tracing setup of each app in the transport suites: the real TracingModule, exporting
// to a shared in-memory exporter (spans exported as they end), one tracer per app.
import type { DynamicModule } from '@nestjs/common';
import { TracingModule, Tracer } from 'nestjs-tracing';
import { InMemorySpanExporter } from 'nestjs-tracing/testing';

/** `TracingModule.forRoot()` for an app named `serviceName`, exporting to `exporter`. */
export function suiteTracing(serviceName: string, exporter: InMemorySpanExporter): DynamicModule {
  return TracingModule.forRoot({ serviceName, exporter });
}

export { InMemorySpanExporter, Tracer };
