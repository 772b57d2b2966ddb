import type { CallHandler, ExecutionContext, NestInterceptor, Provider } from '@nestjs/common';
import { APP_INTERCEPTOR, ModulesContainer } from '@nestjs/core';
import type { TracingModuleOptions } from '../config/tracing-options.js';
import { diag } from '../core/diag.js';
import { Tracer } from '../core/tracer.js';
import { TracingInterceptor } from './http/tracing.interceptor.js';
import { MicroservicesInstrumentation } from './microservices/microservices.instrumentation.js';
import { createTracingSetup } from './tracer.factory.js';
import { TRACING_MODULE_OPTIONS, TRACING_SETUP } from './tracing.constants.js';
import { TracingLifecycle } from './tracing.lifecycle.js';
import type { TracingModuleAsyncOptions, TracingOptionsFactory } from './tracing-module-options.interface.js';
import type { TracingSetup } from './tracing-setup.interface.js';

const PASS_THROUGH: NestInterceptor = { intercept: (_context: ExecutionContext, next: CallHandler) => next.handle() };

// One setup per Nest application (its ModulesContainer): a second TracingModule.forRoot()
// in the same app reuses the first one's tracer instead of building another pipeline.
const SETUP_BY_APP = new WeakMap<object, TracingSetup>();

function setupFor(options: TracingModuleOptions | undefined, app: object | undefined): TracingSetup {
  const existing = app !== undefined ? SETUP_BY_APP.get(app) : undefined;
  if (existing !== undefined) {
    diag.warnOnce(
      'tracing-module-twice',
      'TracingModule.forRoot() is imported more than once in one application; the first import\'s tracer is used. Import it once, in the root module.',
    );
    return existing;
  }
  const setup = createTracingSetup(options ?? {});
  if (app !== undefined) SETUP_BY_APP.set(app, setup);
  return setup;
}

/** The providers every form of the module shares, given a provider of TRACING_MODULE_OPTIONS. */
export function tracingProviders(globalInterceptor: boolean): Provider[] {
  const providers: Provider[] = [
    {
      provide: TRACING_SETUP,
      useFactory: (options: TracingModuleOptions | undefined, app: object | undefined) => setupFor(options, app),
      inject: [TRACING_MODULE_OPTIONS, ModulesContainer],
    },
    { provide: Tracer, useFactory: (setup: TracingSetup) => setup.tracer, inject: [TRACING_SETUP] },
    TracingInterceptor,
    TracingLifecycle,
    MicroservicesInstrumentation,
  ];
  if (globalInterceptor) {
    providers.push({
      provide: APP_INTERCEPTOR,
      // forRootAsync: the factory's `globalInterceptor: false` turns the global one into a pass-through.
      useFactory: (interceptor: TracingInterceptor, setup: TracingSetup) => (setup.globalInterceptor ? interceptor : PASS_THROUGH),
      inject: [TracingInterceptor, TRACING_SETUP],
    });
  }
  return providers;
}

/** The TRACING_MODULE_OPTIONS provider of `forRootAsync()`. */
export function asyncOptionsProviders(options: TracingModuleAsyncOptions): Provider[] {
  if (options.useFactory !== undefined) {
    return [{ provide: TRACING_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }];
  }
  const factoryClass = options.useClass ?? options.useExisting;
  if (factoryClass === undefined) {
    throw new TypeError(
      'TracingModule.forRootAsync() needs one of useFactory, useClass or useExisting; for static options use TracingModule.forRoot(options).',
    );
  }
  const providers: Provider[] = [
    {
      provide: TRACING_MODULE_OPTIONS,
      useFactory: (factory: TracingOptionsFactory) => factory.createTracingOptions(),
      inject: [factoryClass],
    },
  ];
  if (options.useClass !== undefined) providers.push(options.useClass);
  return providers;
}
