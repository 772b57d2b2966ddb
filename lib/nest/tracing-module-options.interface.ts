import type { ModuleMetadata, Type } from '@nestjs/common';
import type { TracingModuleOptions } from '../config/tracing-options.js';

/** A class that builds the options (`forRootAsync({ useClass | useExisting })`). */
export interface TracingOptionsFactory {
  createTracingOptions(): TracingModuleOptions | Promise<TracingModuleOptions>;
}

/** Options of `TracingModule.forRootAsync()`: exactly one of useFactory, useClass, useExisting. */
export interface TracingModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory?: (...args: any[]) => TracingModuleOptions | Promise<TracingModuleOptions>;
  /** Tokens passed to `useFactory`, in order. */
  inject?: any[];
  useClass?: Type<TracingOptionsFactory>;
  useExisting?: Type<TracingOptionsFactory>;
  /**
   * Register the tracing interceptor globally. The async options cannot decide this before
   * the module is built, so it is read here; `globalInterceptor: false` returned by the
   * factory also turns the registered interceptor into a pass-through. Default true.
   */
  globalInterceptor?: boolean;
}
