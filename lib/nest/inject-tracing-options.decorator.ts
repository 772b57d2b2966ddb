import { Inject } from '@nestjs/common';
import { TRACING_MODULE_OPTIONS } from './tracing.constants.js';

/** Injects the `TracingModuleOptions` given to `forRoot()` / built by `forRootAsync()`. */
export function InjectTracingOptions(): PropertyDecorator & ParameterDecorator {
  return Inject(TRACING_MODULE_OPTIONS);
}
