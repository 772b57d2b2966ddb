import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { diag } from '../../core/diag.js';
import { activeContext, runInContext } from '../../core/context.js';
import type { HttpServerTracing } from './http-server.tracing.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type Next = (error?: unknown) => void;

interface AdapterLike {
  getType?(): string;
  getInstance?(): unknown;
  getHttpServer?(): unknown;
}

interface FastifyLike {
  addHook(name: string, hook: (request: { raw: IncomingMessage }, reply: { raw: ServerResponse }, done: Next) => void): unknown;
}

interface ExpressLike {
  use(handler: (req: IncomingMessage, res: ServerResponse, next: Next) => void): unknown;
}

// Adapters / servers already instrumented (a second TracingModule import must not add hooks twice).
const INSTALLED = Symbol.for('nestjs-tracing.http-server-installed');

function markOnce(target: unknown): boolean {
  if (target === null || (typeof target !== 'object' && typeof target !== 'function')) return false;
  const record = target as Record<symbol, unknown>;
  if (record[INSTALLED] === true) return false;
  Object.defineProperty(record, INSTALLED, { value: true, configurable: true });
  return true;
}

/**
 * Hooks the SERVER span into an HTTP adapter before Nest registers its middleware and
 * routes, so guards, pipes, interceptors, the handler and exception filters all run inside it:
 * - the Node server's `request` listener is wrapped: the span starts before anything else;
 * - Express: a first middleware (after the body parsers) re-enters the request's context;
 * - Fastify: `onRequest` and `preValidation` hooks (after body parsing) re-enter it.
 * Re-entering matters because a body parser resumes in the socket's context, not the request's.
 */
export function installHttpServerHooks(adapter: AdapterLike | undefined, tracing: HttpServerTracing): void {
  if (adapter === undefined || adapter === null) return;
  try {
    const type = typeof adapter.getType === 'function' ? adapter.getType() : undefined;
    const instance = typeof adapter.getInstance === 'function' ? adapter.getInstance() : undefined;
    if (!markOnce(instance ?? adapter)) return;
    const server = typeof adapter.getHttpServer === 'function' ? (adapter.getHttpServer() as Server | undefined) : undefined;
    if (server !== undefined && server !== null && typeof server.listeners === 'function') wrapRequestListeners(server, tracing);
    if (type === 'fastify' && instance !== undefined) hookFastify(instance as FastifyLike, tracing);
    else if (instance !== undefined && typeof (instance as ExpressLike).use === 'function') hookExpress(instance as ExpressLike, tracing);
    else diag.warnOnce('http-adapter-unknown', `HTTP adapter "${String(type)}" is not Express or Fastify: only requests reaching the interceptor get context re-entry.`);
  } catch (error) {
    diag.warnOnce('http-server-install', `could not install the HTTP server hooks; requests are not traced: ${String(error)}`);
  }
}

function wrapRequestListeners(server: Server, tracing: HttpServerTracing): void {
  if (!markOnce(server)) return;
  for (const listener of server.listeners('request') as RequestListener[]) {
    const traced: RequestListener = function (this: unknown, req, res) {
      const context = tracing.enter(req, res);
      if (context === undefined) return listener.call(this, req, res);
      return runInContext(context, () => listener.call(this, req, res));
    };
    server.removeListener('request', listener);
    server.on('request', traced);
  }
}

function hookExpress(app: ExpressLike, tracing: HttpServerTracing): void {
  app.use(function nestjsTracing(req, res, next) {
    const context = tracing.enter(req, res);
    // Already in the request's context (nothing since the request listener lost it): no re-entry needed.
    if (context === undefined || context === activeContext()) return next();
    runInContext(context, next);
  });
}

function hookFastify(fastify: FastifyLike, tracing: HttpServerTracing): void {
  const reenter = (request: { raw: IncomingMessage }, reply: { raw: ServerResponse }, done: Next) => {
    const context = tracing.enter(request.raw, reply.raw, request);
    if (context === undefined || context === activeContext()) return done();
    runInContext(context, done);
  };
  fastify.addHook('onRequest', reenter);
  fastify.addHook('preValidation', reenter);
}
