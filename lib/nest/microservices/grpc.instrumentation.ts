import { isObservable, Observable, type Subscription } from 'rxjs';
import { activeContext, isTracingSuppressed, runInContext, type Context } from '../../core/context.js';
import { diag } from '../../core/diag.js';
import { SpanKind } from '../../core/enums.js';
import { NOOP_SPAN } from '../../core/noop-span.js';
import { Tracer } from '../../core/tracer.js';
import type { Attributes, Span } from '../../core/types.js';
import { traceObservable } from '../../core/settle.js';
import { recordHandlerError } from './handler-error.js';
import { injectedCarrier, isReplacedKey, readCarrier } from './message.carrier.js';
import { RPC_GRPC_STATUS_CODE, RPC_METHOD, RPC_SERVICE, RPC_SYSTEM } from './messaging.attributes.js';
import { loadGrpcMetadata, type MicroservicesExports } from './microservices.loader.js';
import type { ServerLike } from './transports/index.js';

interface GrpcMetadata {
  set(key: string, value: string): void;
  remove(key: string): void;
  clone(): GrpcMetadata;
  getMap(): Record<string, unknown>;
}

type ServiceMethod = (...args: unknown[]) => unknown;

const PATCHED = Symbol.for('nestjs-tracing.grpc-client.patched');
const INSTRUMENTED = Symbol.for('nestjs-tracing.server.instrumented');

function isMetadata(value: unknown): value is GrpcMetadata {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as GrpcMetadata).getMap === 'function' &&
    typeof (value as GrpcMetadata).set === 'function' &&
    typeof (value as GrpcMetadata).clone === 'function'
  );
}

/** `/pkg.Service/Method` -> ['pkg.Service', 'Method']. */
function splitPath(path: unknown, fallbackService: string, fallbackMethod: string): [string, string] {
  if (typeof path === 'string') {
    const parts = path.split('/');
    if (parts.length === 3 && parts[1] !== '' && parts[2] !== '') return [parts[1], parts[2]];
  }
  return [fallbackService, fallbackMethod];
}

function rpcAttributes(service: string, method: string): Attributes {
  return { [RPC_SYSTEM]: 'grpc', [RPC_SERVICE]: service, [RPC_METHOD]: method };
}

function recordGrpcError(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') span.setAttribute(RPC_GRPC_STATUS_CODE, code);
  recordHandlerError(span, error);
}

/**
 * Traces gRPC calls made through `ClientGrpcProxy#getService()`: every call gets a CLIENT
 * span named `{package.Service}/{Method}` (RPC semantic conventions) and carries the W3C
 * context in the call's gRPC `Metadata`: a copy of the caller's metadata (if passed) with
 * stale trace entries replaced, or a new one. Works for unary and streaming calls, on
 * NestJS 11 and 12 (`createServiceMethod` is wrapped once per process). Idempotent.
 */
export function instrumentGrpcClient(mod: MicroservicesExports): void {
  const proto = (mod.ClientGrpcProxy as { prototype?: Record<string | symbol, unknown> } | undefined)?.prototype;
  if (proto === undefined || proto[PATCHED] === true || typeof proto.createServiceMethod !== 'function') return;
  const createServiceMethod = proto.createServiceMethod as (this: unknown, client: Record<string, unknown>, methodName: string) => ServiceMethod;
  Object.defineProperty(proto, PATCHED, { value: true, configurable: true });
  proto.createServiceMethod = function (this: unknown, client: Record<string, unknown>, methodName: string): ServiceMethod {
    const method = createServiceMethod.call(this, client, methodName);
    const definition = client?.[methodName] as { path?: unknown } | undefined;
    const [service, rpc] = splitPath(definition?.path, 'unknown', methodName);
    return function tracedGrpcMethod(this: unknown, ...args: unknown[]): unknown {
      return new Observable((subscriber) => {
        const tracer = Tracer.active();
        if (!tracer.enabled || isTracingSuppressed()) return (method.apply(this, args) as Observable<unknown>).subscribe(subscriber);
        const span = tracer.startSpan(`${service}/${rpc}`, { kind: SpanKind.CLIENT, attributes: rpcAttributes(service, rpc) });
        const current = activeContext();
        const context = span === NOOP_SPAN ? current : current.withSpan(span, tracer);
        let callArgs = args;
        try {
          callArgs = withMetadata(args, runInContext(context, () => injectedCarrier(tracer)));
        } catch (error) {
          diag.warnOnce('grpc-inject', `could not add the trace context to a gRPC call: ${String(error)}`);
        }
        let ended = false;
        const end = (error?: unknown, failed = false) => {
          if (ended) return;
          ended = true;
          if (failed) recordGrpcError(span, error);
          else span.setAttribute(RPC_GRPC_STATUS_CODE, 0);
          span.end();
        };
        // Responses are delivered in the caller's context, not the channel's.
        const subscription = runInContext(context, () =>
          (method.apply(this, callArgs) as Observable<unknown>).subscribe({
            next: (value) => runInContext(current, () => subscriber.next(value)),
            error: (error: unknown) => {
              end(error, true);
              runInContext(current, () => subscriber.error(error));
            },
            complete: () => {
              end();
              runInContext(current, () => subscriber.complete());
            },
          }),
        ) as Subscription;
        return () => {
          end();
          subscription.unsubscribe();
        };
      });
    };
  };
}

/** The call's arguments with the trace context in its metadata (the second argument). */
function withMetadata(args: unknown[], carrier: Record<string, string> | undefined): unknown[] {
  if (carrier === undefined) return args;
  const given = args[1];
  let metadata: GrpcMetadata;
  if (isMetadata(given)) {
    metadata = given.clone();
    for (const key of Object.keys(metadata.getMap())) if (isReplacedKey(key, carrier)) metadata.remove(key);
  } else {
    const Metadata = loadGrpcMetadata();
    if (Metadata === undefined) return args;
    metadata = new Metadata() as GrpcMetadata;
  }
  for (const key of Object.keys(carrier)) metadata.set(key, carrier[key]);
  const out = args.slice();
  if (isMetadata(given)) out[1] = metadata;
  else out.splice(1, 0, metadata);
  return out;
}

/**
 * Traces a gRPC server (`ServerGrpc`): each call to a `@GrpcMethod`/`@GrpcStreamMethod`/
 * `@GrpcStreamCall` handler gets a SERVER span `{package.Service}/{Method}`, child of the
 * caller's span from the call's `Metadata`, active in guards, interceptors, pipes, the
 * handler and filters; errors are recorded with `rpc.grpc.status_code`. Wraps the handlers
 * `ServerGrpc#getMessageHandler` hands to the service it builds at `listen()`.
 */
export function instrumentGrpcServer(mod: MicroservicesExports, server: ServerLike, tracer: Tracer): boolean {
  const type = mod.ServerGrpc;
  if (typeof type !== 'function' || !(server instanceof type)) return false;
  if (server[INSTRUMENTED] !== undefined) return true;
  const getMessageHandler = server.getMessageHandler;
  if (typeof getMessageHandler !== 'function') return false;
  Object.defineProperty(server, INSTRUMENTED, { value: tracer, configurable: true });
  server.getMessageHandler = function (this: unknown, serviceName: string, methodName: string, streaming: unknown, grpcMethod: { path?: unknown } | undefined) {
    const handler = getMessageHandler.call(this, serviceName, methodName, streaming, grpcMethod) as ServiceMethod | undefined;
    if (typeof handler !== 'function') return handler;
    const [service, rpc] = splitPath(grpcMethod?.path, serviceName, methodName);
    return wrapGrpcHandler(tracer, handler, service, rpc);
  };
  return true;
}

function wrapGrpcHandler(tracer: Tracer, handler: ServiceMethod, service: string, rpc: string): ServiceMethod {
  return function (this: unknown, data: unknown, metadata: unknown, ...rest: unknown[]): unknown {
    if (!tracer.enabled) return handler.call(this, data, metadata, ...rest);
    let span: Span = NOOP_SPAN;
    let context: Context | undefined;
    try {
      // `@GrpcStreamCall` handlers get the call itself first, which holds the metadata.
      const source = isMetadata(metadata) ? metadata : (data as { metadata?: unknown } | null | undefined)?.metadata;
      const parent = tracer.extractContext(isMetadata(source) ? readCarrier(source.getMap()) : undefined);
      span = runInContext(parent, () => tracer.startSpan(`${service}/${rpc}`, { kind: SpanKind.SERVER, attributes: rpcAttributes(service, rpc) }));
      context = span === NOOP_SPAN ? parent : parent.withSpan(span, tracer);
    } catch (error) {
      diag.warnOnce('grpc-server-start', `could not trace a gRPC call; it is handled untraced: ${String(error)}`);
    }
    if (context === undefined) return handler.call(this, data, metadata, ...rest);
    const ctx = context;
    let result: unknown;
    try {
      result = runInContext(ctx, () => handler.call(this, data, metadata, ...rest));
    } catch (error) {
      recordGrpcError(span, error);
      span.end();
      throw error;
    }
    const settle = (value: unknown): unknown => {
      if (!isObservable(value)) {
        span.setAttribute(RPC_GRPC_STATUS_CODE, 0);
        span.end();
        return value;
      }
      return traceObservable(value, () => [span, ctx], recordGrpcError, (s) => s.setAttribute(RPC_GRPC_STATUS_CODE, 0));
    };
    if (result instanceof Promise) {
      return result.then(settle, (error: unknown) => {
        recordGrpcError(span, error);
        span.end();
        throw error;
      });
    }
    return settle(result);
  };
}
