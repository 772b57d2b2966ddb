import type { LoggerService, LogLevel } from '@nestjs/common';
import { traceLogPrefix } from './trace-log-fields.js';

type Method = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

/**
 * Wraps any Nest `LoggerService` so that, inside a trace, string messages are prefixed with
 * `trace_id=… span_id=… ` (other messages pass unchanged). `new TracingLoggerService(inner)`;
 * outside a trace it forwards everything as is.
 */
export class TracingLoggerService implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  private forward(method: Method, message: unknown, rest: unknown[]): void {
    const target = this.inner[method];
    if (typeof target !== 'function') return;
    const prefix = traceLogPrefix();
    const value = prefix !== '' && typeof message === 'string' ? prefix + message : message;
    target.call(this.inner, value, ...rest);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.forward('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.forward('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.forward('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.forward('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.forward('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.forward('fatal', message, rest);
  }
  setLogLevels(levels: LogLevel[]): void {
    this.inner.setLogLevels?.(levels);
  }
}
