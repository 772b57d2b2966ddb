import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable, type Observer, type Subscriber } from 'rxjs';
import { activeContext, runInContext } from '../../core/context.js';
import { TRACING_SETUP } from '../tracing.constants.js';
import type { TracingSetup } from '../tracing-setup.interface.js';
import { HttpServerTracing } from './http-server.tracing.js';
import { requestState, type ServerRequestState } from './server-request-state.js';

interface HttpRequestLike {
  raw?: unknown;
  route?: { path?: unknown };
  baseUrl?: string;
  routeOptions?: { url?: string };
  routerPath?: string;
}

function routeOf(request: HttpRequestLike): string | undefined {
  if (request.raw !== undefined) {
    const url = request.routeOptions?.url ?? request.routerPath;
    return typeof url === 'string' && url !== '' ? url : undefined;
  }
  const path = request.route?.path;
  return typeof path === 'string' ? (request.baseUrl ?? '') + path : undefined;
}

/**
 * Completes the HTTP SERVER span once routing is known: `http.route` and the name
 * `METHOD /route/:template`; remembers a thrown exception so a 5xx span records it; and
 * re-enters the request's trace context if something before the handler lost it.
 * Registered globally by `TracingModule` (opt out with `globalInterceptor: false`);
 * passes non-HTTP contexts (microservices, websockets) through untouched.
 */
@Injectable()
export class TracingInterceptor implements NestInterceptor {
  private readonly active: boolean;
  private readonly server: HttpServerTracing | undefined;

  constructor(@Inject(TRACING_SETUP) setup: TracingSetup) {
    this.active = setup.enabled;
    this.server = setup.enabled ? serverTracingFor(setup) : undefined;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.active || context.getType() !== 'http') return next.handle();
    // getArgByIndex(0) is the request switchToHttp().getRequest() returns, without the three
    // closures switchToHttp() allocates on every call.
    const request = context.getArgByIndex(0) as HttpRequestLike | undefined;
    if (request === undefined || request === null) return next.handle();
    const state = requestState(request.raw ?? request);
    if (state === undefined) return next.handle();
    const route = routeOf(request);
    if (route !== undefined) this.server?.setRoute(state, route);
    const current = activeContext();
    if (
      current === state.context ||
      (current.owner === state.context.owner && current.parentContext()?.traceId === state.context.parentContext()?.traceId)
    ) {
      const source = next.handle();
      return new Observable((subscriber) => source.subscribe(new ErrorRecorder(subscriber, state)));
    }
    return new Observable((subscriber) =>
      runInContext(state.context, () => next.handle().subscribe(new ErrorRecorder(subscriber, state))),
    );
  }
}

/**
 * Passes everything through and remembers an error on the request's state (for the 5xx span).
 * What `tap({ error })` does, with one object per request instead of an operator chain.
 */
class ErrorRecorder implements Observer<unknown> {
  constructor(
    private readonly subscriber: Subscriber<unknown>,
    private readonly state: ServerRequestState,
  ) {}

  next(value: unknown): void {
    this.subscriber.next(value);
  }

  error(error: unknown): void {
    this.state.error = error;
    this.subscriber.error(error);
  }

  complete(): void {
    this.subscriber.complete();
  }
}

const SERVER_TRACING = new WeakMap<TracingSetup, HttpServerTracing>();

/** The one `HttpServerTracing` of a module setup (shared by the hooks and the interceptor). */
export function serverTracingFor(setup: TracingSetup): HttpServerTracing {
  let tracing = SERVER_TRACING.get(setup);
  if (tracing === undefined) {
    tracing = new HttpServerTracing(setup.tracer, setup.http);
    SERVER_TRACING.set(setup, tracing);
  }
  return tracing;
}
