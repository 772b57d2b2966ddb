// The tracing setup of each app in the transport suites. Until TracingModule lands this
// builds the same pieces by hand: a Tracer (W3C propagation, in-memory export) and the
// MicroservicesInstrumentation provider, in a global module.
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Tracer } from '../../../lib/core/tracer.js';
import { InMemorySpanExporter } from '../../../lib/export/in-memory-span.exporter.js';
import { SimpleSpanProcessor } from '../../../lib/export/simple-span.processor.js';
import { MicroservicesInstrumentation } from '../../../lib/nest/microservices/microservices.instrumentation.js';
import { createPropagator } from '../../../lib/propagation/create-propagator.js';

@Global()
@Module({})
class SuiteTracingModule {}

/** A global module that traces the app it is imported into as `serviceName`. */
export function suiteTracing(serviceName: string, exporter: InMemorySpanExporter): DynamicModule {
  const tracer = new Tracer({
    serviceName,
    processor: new SimpleSpanProcessor(exporter),
    propagator: createPropagator(['tracecontext', 'baggage']),
  }).makeDefault();
  return {
    module: SuiteTracingModule,
    providers: [{ provide: Tracer, useValue: tracer }, MicroservicesInstrumentation],
    exports: [Tracer],
  };
}

export { InMemorySpanExporter, Tracer };
