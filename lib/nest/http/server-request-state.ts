import type { IncomingMessage } from 'node:http';
import type { Context } from '../../core/context.js';
import type { Span } from '../../core/types.js';
import type { HttpServerTracing } from './http-server.tracing.js';

/** Per-request tracing state, kept on the raw Node request under a symbol. Internal. */
export interface ServerRequestState {
  readonly span: Span;
  /** The context the request runs in (the SERVER span, or the extracted parent when unsampled). */
  readonly context: Context;
  readonly method: string;
  /** The framework's request object (Fastify request) when it is not the raw one; for the route. */
  frameworkRequest: unknown;
  route: string | undefined;
  /** The exception the request failed with, as the interceptor or Nest's ExceptionsHandler saw it. */
  error: unknown;
  ended: boolean;
  /** The raw request, and the tracing that ends the span (for the response's shared end listener). */
  readonly raw: IncomingMessage;
  readonly tracing: HttpServerTracing;
}

// Symbol.for: shared by the CJS and ESM copies of the package.
export const SERVER_REQUEST_STATE = Symbol.for('nestjs-tracing.server-request');

/** The state of a raw request, if tracing started for it. */
export function requestState(rawRequest: unknown): ServerRequestState | undefined {
  if (rawRequest === null || typeof rawRequest !== 'object') return undefined;
  // null marks an ignored request
  return (rawRequest as Record<symbol, ServerRequestState | null | undefined>)[SERVER_REQUEST_STATE] ?? undefined;
}
