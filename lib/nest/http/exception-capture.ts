import { diag } from '../../core/diag.js';
import { loader } from '../app-require.js';
import { requestState } from './server-request-state.js';

interface ExceptionsHandlerPrototype {
  next?: (this: unknown, exception: unknown, host: unknown) => unknown;
  [PATCHED]?: true;
}

// Symbol.for: the CJS and ESM copies of this package patch Nest once between them.
const PATCHED = Symbol.for('nestjs-tracing.exceptions-handler');

/**
 * Lets the HTTP SERVER span record the exception object of a failed request, whatever threw
 * it: a guard, a pipe, an interceptor or the handler, with or without the global tracing
 * interceptor. Nest routes every exception of an HTTP route through
 * `ExceptionsHandler#next(exception, host)` before any exception filter runs; we note the
 * exception on the request's tracing state there (the span records it if the response is a
 * 5xx) and call the original. Nothing runs on requests that do not fail. If this Nest has no
 * such class (a future layout), only the interceptor sees exceptions, as before.
 */
export function installExceptionCapture(): void {
  let proto: ExceptionsHandlerPrototype | undefined;
  try {
    const mod = loader()('@nestjs/core/exceptions/exceptions-handler.js') as { ExceptionsHandler?: { prototype?: ExceptionsHandlerPrototype } };
    proto = mod?.ExceptionsHandler?.prototype;
  } catch (error) {
    diag.debug(`@nestjs/core ExceptionsHandler not found; exceptions are seen by the interceptor only: ${String(error)}`);
    return;
  }
  if (proto === undefined || typeof proto.next !== 'function' || proto[PATCHED] === true) return;
  const original = proto.next;
  const next = function next(this: unknown, exception: unknown, host: unknown): unknown {
    noteException(exception, host);
    return original.call(this, exception, host);
  };
  Object.defineProperty(next, 'length', { value: original.length });
  proto.next = next;
  Object.defineProperty(proto, PATCHED, { value: true, configurable: true });
}

function noteException(exception: unknown, host: unknown): void {
  try {
    const getArg = (host as { getArgByIndex?: (index: number) => unknown } | null)?.getArgByIndex;
    if (typeof getArg !== 'function') return;
    const request = getArg.call(host, 0) as { raw?: unknown } | null | undefined;
    if (request === null || typeof request !== 'object') return;
    const state = requestState(request.raw ?? request);
    // The interceptor may have noted the same exception already; the first one wins.
    if (state !== undefined && state.error === undefined) state.error = exception;
  } catch {
    // Never let tracing change how Nest handles the exception.
  }
}
