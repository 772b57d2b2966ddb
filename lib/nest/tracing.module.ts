import { Global, Inject, Module, Optional, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { TracingModuleOptions } from '../config/tracing-options.js';
import { installHttpServerHooks } from './http/http-server.instrumentation.js';
import { installExceptionCapture } from './http/exception-capture.js';
import { serverTracingFor } from './http/tracing.interceptor.js';
import { Tracer } from '../core/tracer.js';
import { TRACING_MODULE_OPTIONS, TRACING_SETUP } from './tracing.constants.js';
import type { TracingModuleAsyncOptions } from './tracing-module-options.interface.js';
import { asyncOptionsProviders, tracingProviders } from './tracing.providers.js';
import type { TracingSetup } from './tracing-setup.interface.js';

/**
 * Distributed tracing for a Nest app. Import `TracingModule.forRoot(options?)` (or
 * `forRootAsync`) once, in the root module: it is global, provides the injectable `Tracer`
 * and the options (`@InjectTracingOptions()`), traces every HTTP request with a SERVER span
 * (Express and Fastify), registers the tracing interceptor globally (opt out with
 * `globalInterceptor: false`), traces outgoing fetch / node:http calls, hooks the
 * microservice transports, and flushes the spans on shutdown. Options win over OTEL_*
 * variables, which win over defaults; `enabled: false` makes all of it a pass-through.
 */
@Global()
@Module({})
export class TracingModule implements NestModule {
  constructor(
    @Optional() private readonly adapterHost?: HttpAdapterHost,
    @Optional() @Inject(TRACING_SETUP) private readonly setup?: TracingSetup,
  ) {}

  static forRoot(options: TracingModuleOptions = {}): DynamicModule {
    // Disabled: no global interceptor at all, so Nest's interceptor pipeline is not engaged.
    const disabled = options.enabled === false || (options.enabled === undefined && process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true');
    return {
      module: TracingModule,
      global: true,
      providers: [{ provide: TRACING_MODULE_OPTIONS, useValue: options }, ...tracingProviders(options.globalInterceptor !== false && !disabled)],
      exports: [Tracer, TRACING_MODULE_OPTIONS, TRACING_SETUP],
    };
  }

  static forRootAsync(options: TracingModuleAsyncOptions): DynamicModule {
    return {
      module: TracingModule,
      global: true,
      imports: options.imports ?? [],
      providers: [...asyncOptionsProviders(options), ...tracingProviders(options.globalInterceptor !== false)],
      exports: [Tracer, TRACING_MODULE_OPTIONS, TRACING_SETUP],
    };
  }

  /** Runs before Nest registers middleware and routes: the place to hook the HTTP adapter. */
  configure(_consumer: MiddlewareConsumer): void {
    const setup = this.setup;
    if (setup === undefined || !setup.enabled) return;
    installHttpServerHooks(this.adapterHost?.httpAdapter as never, serverTracingFor(setup));
    installExceptionCapture();
  }
}
