import { isObservable } from 'rxjs';
import { activeContext, runInContext, type Context } from '../../core/context.js';
import { diag } from '../../core/diag.js';
import { SpanKind } from '../../core/enums.js';
import { NOOP_SPAN } from '../../core/noop-span.js';
import type { Tracer } from '../../core/tracer.js';
import type { Attributes, Span } from '../../core/types.js';
import { traceObservable } from '../../core/settle.js';
import { recordHandlerError } from './handler-error.js';
import { readCarrier } from './message.carrier.js';
import {
  MESSAGING_DESTINATION_NAME,
  MESSAGING_DESTINATION_TEMPLATE,
  MESSAGING_OPERATION_NAME,
  MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
  OPERATION_PROCESS,
} from './messaging.attributes.js';
import type { MicroservicesExports } from './microservices.loader.js';
import { serverAdapterFor, type ServerLike, type TransportAdapter } from './transports/index.js';

type Handler = ((this: unknown, data: unknown, rpcContext: unknown, ...rest: unknown[]) => unknown) & {
  isEventHandler?: boolean;
  extras?: unknown;
  next?: unknown;
};

const INSTRUMENTED = Symbol.for('nestjs-tracing.server.instrumented');

// Contexts made by a NestJS 11 fallback entry point: the handler wrapper trusts only these
// (any other active context at that point is the transport's, not the sender's).
const FALLBACK_CONTEXTS = new WeakSet<Context>();

/**
 * Traces every message a microservice server handles: a SERVER span for `@MessagePattern`,
 * a CONSUMER span for `@EventPattern`, child of the sender's span when the message carries a
 * trace context (else a new root trace), active through guards, interceptors, pipes, the
 * handler and exception filters, ended when the handler's result settles, with errors
 * (RpcException or any throw) recorded and status ERROR.
 *
 * It wraps the handler the server looks up for each message (`getHandlerByPattern`), which
 * is what NestJS 11 and 12 both call for every transport but gRPC: one code path on both
 * versions, that also sees the event/request distinction, the handler's error and its end
 * (NestJS 12's processing hooks report neither the error nor the kind of message).
 * Returns false when the server is not one we know (a custom strategy).
 */
export function instrumentServer(mod: MicroservicesExports, server: ServerLike, tracer: Tracer): boolean {
  if (server[INSTRUMENTED] !== undefined) return true;
  const adapter = serverAdapterFor(mod, server);
  const getHandlerByPattern = server.getHandlerByPattern;
  if (adapter === undefined || typeof getHandlerByPattern !== 'function') return false;
  Object.defineProperty(server, INSTRUMENTED, { value: tracer, configurable: true });
  server.getHandlerByPattern = function (this: ServerLike, pattern: string) {
    const handler = getHandlerByPattern.call(this, pattern) as Handler | null | undefined;
    return typeof handler === 'function' ? cachedWrapper(this, tracer, adapter, handler, routeOf(this, pattern)) : handler;
  };
  if (adapter.installFallback !== undefined && !contextShowsMetadata(mod, adapter)) {
    adapter.installFallback(server, (carrier, fn) => {
      const found = readCarrier(carrier);
      if (found === undefined) return fn();
      const context = tracer.extractContext(found);
      FALLBACK_CONTEXTS.add(context);
      return runInContext(context, fn);
    });
  }
  return true;
}

/**
 * The pattern as the handler was registered: an object pattern arrives as the sender's JSON
 * (any key order) and Nest normalizes it (sorted keys) to find the handler; so do we.
 */
function routeOf(server: ServerLike, pattern: string): string {
  if (typeof pattern !== 'string' || pattern.charCodeAt(0) !== 0x7b /* { */) return pattern;
  try {
    const route = (server.getRouteFromPattern as ((p: string) => unknown) | undefined)?.call(server, pattern);
    return typeof route === 'string' ? route : pattern;
  } catch {
    return pattern;
  }
}

/** True when this NestJS version's RPC context exposes packet metadata (12: TcpContext/RedisContext#getMetadata). */
function contextShowsMetadata(mod: MicroservicesExports, adapter: TransportAdapter): boolean {
  const name = adapter.serverClass === 'ServerTCP' ? 'TcpContext' : adapter.serverClass === 'ServerRedis' ? 'RedisContext' : undefined;
  if (name === undefined) return true;
  const type = (mod as Record<string, unknown>)[name] as { prototype?: Record<string, unknown> } | undefined;
  return typeof type?.prototype?.getMetadata === 'function';
}

// One wrapper per handler and pattern, so a message allocates no closure. Bounded: a
// wildcard subscription (MQTT, RabbitMQ) can look a handler up under unboundedly many topics.
const WRAPPERS = new WeakMap<Handler, Map<string, Handler>>();
const MAX_PATTERNS_PER_HANDLER = 256;

function cachedWrapper(server: ServerLike, tracer: Tracer, adapter: TransportAdapter, handler: Handler, pattern: string): Handler {
  let byPattern = WRAPPERS.get(handler);
  const cached = byPattern?.get(pattern);
  if (cached !== undefined) return cached;
  const wrapped = wrapHandler(tracer, adapter, handler, pattern, templateOf(server, pattern, handler));
  if (byPattern === undefined) WRAPPERS.set(handler, (byPattern = new Map()));
  if (byPattern.size < MAX_PATTERNS_PER_HANDLER) byPattern.set(pattern, wrapped);
  return wrapped;
}

/**
 * The wildcard pattern a handler was registered under when `pattern` (the concrete topic or
 * routing key) reached it through a wildcard (MQTT `+`/`#`, RabbitMQ `*`/`#`); undefined for
 * an exact match. Spans are named after it, so span names stay low-cardinality.
 */
function templateOf(server: ServerLike, pattern: string, handler: Handler): string | undefined {
  const exact = server.messageHandlers as Map<string, unknown> | undefined;
  if (!(exact instanceof Map) || exact.get(pattern) === handler) return undefined;
  for (const source of [exact, server.wildcardHandlers]) {
    if (!(source instanceof Map)) continue;
    for (const [key, value] of source as Map<unknown, unknown>) {
      if (value !== handler || typeof key !== 'string' || key === pattern) continue;
      const strip = server.removeHandlerKeySharedPrefix;
      return typeof strip === 'function' ? String((strip as (k: string) => unknown).call(server, key)) : key;
    }
  }
  return undefined;
}

function wrapHandler(tracer: Tracer, adapter: TransportAdapter, handler: Handler, pattern: string, template: string | undefined): Handler {
  const wrapped = function (this: unknown, data: unknown, rpcContext: unknown, ...rest: unknown[]): unknown {
    if (!tracer.enabled) return handler.call(this, data, rpcContext, ...rest);
    let span: Span = NOOP_SPAN;
    let context: Context | undefined;
    try {
      [span, context] = startServerSpan(tracer, adapter, handler, pattern, template, rpcContext);
    } catch (error) {
      diag.warnOnce('server-start', `could not trace a microservice message; it is handled untraced: ${String(error)}`);
    }
    if (context === undefined) return handler.call(this, data, rpcContext, ...rest);
    let result: unknown;
    try {
      result = runInContext(context, () => handler.call(this, data, rpcContext, ...rest));
    } catch (error) {
      recordHandlerError(span, error);
      span.end();
      throw error;
    }
    return settleHandler(span, context, result);
  } as Handler;
  // Nest reads these off the handler it looks up (and chains event handlers through `next`).
  for (const key of ['isEventHandler', 'extras', 'next'] as const) {
    Object.defineProperty(wrapped, key, {
      get: () => handler[key],
      set: (value: unknown) => {
        (handler as unknown as Record<string, unknown>)[key] = value;
      },
      configurable: true,
    });
  }
  return wrapped;
}

function startServerSpan(
  tracer: Tracer,
  adapter: TransportAdapter,
  handler: Handler,
  pattern: string,
  template: string | undefined,
  rpcContext: unknown,
): [Span, Context] {
  const carrier = adapter.serverCarrier(rpcContext);
  let parent: Context;
  if (carrier !== undefined) parent = tracer.extractContext(carrier);
  else {
    const active = activeContext();
    parent = FALLBACK_CONTEXTS.has(active) ? active : tracer.extractContext(undefined);
  }
  const isEvent = handler.isEventHandler === true;
  const attributes: Attributes = {
    [MESSAGING_SYSTEM]: adapter.system,
    [MESSAGING_DESTINATION_NAME]: pattern,
    [MESSAGING_OPERATION_TYPE]: OPERATION_PROCESS,
    [MESSAGING_OPERATION_NAME]: OPERATION_PROCESS,
  };
  if (template !== undefined) attributes[MESSAGING_DESTINATION_TEMPLATE] = template;
  const extra = adapter.serverAttributes?.(rpcContext);
  if (extra !== undefined) Object.assign(attributes, extra);
  const span = runInContext(parent, () =>
    tracer.startSpan(`${OPERATION_PROCESS} ${template ?? pattern}`, { kind: isEvent ? SpanKind.CONSUMER : SpanKind.SERVER, attributes }),
  );
  return [span, span === NOOP_SPAN ? parent : parent.withSpan(span, tracer)];
}

/**
 * Ends the span when the handler's result settles. Nest's handler proxies are async and
 * resolve to an Observable (the interceptor chain, with exception filters applied) or a
 * value; the Observable is subscribed in the span's context and the span ends on complete,
 * error or unsubscribe.
 */
function settleHandler(span: Span, context: Context, result: unknown): unknown {
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => settleValue(span, context, value),
      (error: unknown) => {
        recordHandlerError(span, error);
        span.end();
        throw error;
      },
    );
  }
  return settleValue(span, context, result);
}

function settleValue(span: Span, context: Context, value: unknown): unknown {
  if (!isObservable(value)) {
    span.end();
    return value;
  }
  return traceObservable(value, () => [span, context], recordHandlerError);
}
