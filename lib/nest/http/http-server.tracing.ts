import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpTracingOptions } from '../../config/tracing-options.js';
import type { Context } from '../../core/context.js';
import { diag } from '../../core/diag.js';
import { SpanKind, SpanStatusCode } from '../../core/enums.js';
import { NOOP_SPAN } from '../../core/noop-span.js';
import type { Tracer } from '../../core/tracer.js';
import type { Attributes } from '../../core/types.js';
import { formatTraceparent } from '../../propagation/traceparent.codec.js';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_QUERY,
  ATTR_USER_AGENT_ORIGINAL,
  normalizeMethod,
  splitHostPort,
} from './http-semconv.js';
import { SERVER_REQUEST_STATE, requestState, type ServerRequestState } from './server-request-state.js';

type PathMatcher = (path: string) => boolean;

interface HostSplit {
  readonly host: string | undefined;
  readonly address: string | undefined;
  readonly port: number | undefined;
}

function ignoreMatcher(ignore: HttpTracingOptions['ignore']): PathMatcher | undefined {
  if (ignore === undefined) return undefined;
  if (typeof ignore === 'function') return ignore;
  if (!Array.isArray(ignore) || ignore.length === 0) return undefined;
  const exact = new Set(ignore.filter((p): p is string => typeof p === 'string'));
  const patterns = ignore.filter((p): p is RegExp => p instanceof RegExp);
  return (path) => exact.has(path) || patterns.some((p) => p.test(path));
}

function lowerList(names: string[] | undefined): string[] {
  return (names ?? []).map((n) => String(n).toLowerCase());
}

function headerValues(value: number | string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** The route template the framework matched, or undefined (e.g. a 404). */
function matchedRoute(raw: IncomingMessage, frameworkRequest: unknown): string | undefined {
  const fastify = frameworkRequest as { routeOptions?: { url?: string }; routerPath?: string; is404?: boolean } | undefined;
  if (fastify !== undefined && fastify !== raw) {
    if (fastify.is404 === true) return undefined;
    const url = fastify.routeOptions?.url ?? fastify.routerPath;
    return typeof url === 'string' && url !== '' ? url : undefined;
  }
  const express = raw as IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };
  const path = express.route?.path;
  if (typeof path !== 'string') return undefined;
  return (express.baseUrl ?? '') + path;
}

/**
 * The SERVER span of every incoming HTTP request, adapter-agnostic: started from the raw
 * Node request (W3C context extracted from its headers), ended when the raw response
 * finishes or closes, with the status code the client really received. Express and
 * Fastify hooks call `enter()`; the interceptor adds the route when routing is known.
 */
export class HttpServerTracing {
  private readonly ignored: PathMatcher | undefined;
  private readonly requestHeaders: string[];
  private readonly responseHeaders: string[];
  private readonly captureQuery: boolean;
  private readonly traceResponse: boolean;
  private lastHttpHost: HostSplit | undefined;
  private lastHttpsHost: HostSplit | undefined;

  constructor(
    readonly tracer: Tracer,
    options: HttpTracingOptions,
  ) {
    this.ignored = ignoreMatcher(options.ignore);
    this.requestHeaders = lowerList(options.captureHeaders?.request);
    this.responseHeaders = lowerList(options.captureHeaders?.response);
    this.captureQuery = options.captureQuery === true;
    this.traceResponse = options.traceResponseHeader === true;
  }

  /**
   * The context the rest of the request must run in: starts the SERVER span on first call
   * for this request, returns the same context on later calls (to re-enter it after a body
   * parser or any callback that lost it). Undefined for ignored requests. Never throws.
   */
  enter(raw: IncomingMessage, res: ServerResponse, frameworkRequest?: unknown): Context | undefined {
    const existing = requestState(raw);
    if (existing !== undefined) {
      if (frameworkRequest !== undefined && existing.frameworkRequest === undefined) existing.frameworkRequest = frameworkRequest;
      return existing.context;
    }
    if ((raw as unknown as Record<symbol, unknown>)[SERVER_REQUEST_STATE] === null) return undefined;
    try {
      return this.start(raw, res, frameworkRequest);
    } catch (error) {
      diag.warnOnce('http-server-start', `could not start the HTTP server span; the request is not traced: ${String(error)}`);
      return undefined;
    }
  }

  private start(raw: IncomingMessage, res: ServerResponse, frameworkRequest: unknown): Context | undefined {
    const url = raw.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (this.ignored !== undefined && this.ignored(path)) {
      (raw as unknown as Record<symbol, unknown>)[SERVER_REQUEST_STATE] = null;
      return undefined;
    }
    const tracer = this.tracer;
    const headers = raw.headers;
    const parent = tracer.extractContext(headers);
    const method = normalizeMethod(raw.method);
    const encrypted = (raw.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
    const scheme = encrypted ? 'https' : 'http';
    // Literal keys (the values of ATTR_HTTP_REQUEST_METHOD, ATTR_URL_PATH, ATTR_URL_SCHEME,
    // ATTR_NETWORK_PROTOCOL_VERSION): V8 then clones a boilerplate instead of defining computed keys.
    const attributes: Attributes = {
      'http.request.method': method,
      'url.path': path,
      'url.scheme': scheme,
      'network.protocol.version': raw.httpVersion,
    };
    if (method === '_OTHER') attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = raw.method;
    if (this.captureQuery && q !== -1) attributes[ATTR_URL_QUERY] = url.slice(q + 1);
    const host = headers.host ?? headers[':authority' as 'host'];
    // Clients send the same Host over and over: the last split is kept (one entry per scheme).
    let hostSplit = encrypted ? this.lastHttpsHost : this.lastHttpHost;
    if (hostSplit === undefined || hostSplit.host !== host) {
      const [address, port] = splitHostPort(host, encrypted ? 443 : 80);
      hostSplit = { host, address, port };
      if (encrypted) this.lastHttpsHost = hostSplit;
      else this.lastHttpHost = hostSplit;
    }
    if (hostSplit.address !== undefined) {
      attributes[ATTR_SERVER_ADDRESS] = hostSplit.address;
      attributes[ATTR_SERVER_PORT] = hostSplit.port;
    }
    const forwarded = headers['x-forwarded-for'];
    const client = typeof forwarded === 'string' && forwarded !== '' ? forwarded.split(',')[0].trim() : raw.socket?.remoteAddress;
    if (client !== undefined) attributes[ATTR_CLIENT_ADDRESS] = client;
    const agent = headers['user-agent'];
    if (agent !== undefined) attributes[ATTR_USER_AGENT_ORIGINAL] = agent;
    for (const name of this.requestHeaders) {
      const values = headerValues(headers[name]);
      if (values !== undefined) attributes[`http.request.header.${name}`] = values;
    }

    // The extracted remote parent is passed explicitly (no context switch needed to start the span).
    const remote = parent.remote;
    const name = method === '_OTHER' ? 'HTTP' : method;
    const span =
      remote !== undefined
        ? tracer.startSpan(name, { kind: SpanKind.SERVER, attributes, parent: remote })
        : tracer.startSpan(name, { kind: SpanKind.SERVER, attributes, root: true });
    const context = span === NOOP_SPAN ? parent : parent.withSpan(span, tracer);
    const state: ServerRequestState = {
      span,
      context,
      method,
      frameworkRequest,
      route: undefined,
      error: undefined,
      ended: false,
      raw,
      tracing: this,
    };
    (raw as unknown as Record<symbol, unknown>)[SERVER_REQUEST_STATE] = state;
    if (span !== NOOP_SPAN) {
      if (this.traceResponse && !res.headersSent) {
        // W3C Trace Context Level 2 §4: traceresponse carries the server span's context.
        res.setHeader('traceresponse', formatTraceparent(span.spanContext()));
      }
      // One shared listener finds the state on the response: no closures or once-wrappers per request.
      (res as unknown as Record<symbol, unknown>)[SERVER_REQUEST_STATE] = state;
      res.on('finish', onResponseDone);
      res.on('close', onResponseDone);
    }
    return context;
  }

  /** Records the route template once routing is known (called by the interceptor). */
  setRoute(state: ServerRequestState, route: string): void {
    if (state.route !== undefined || state.span === NOOP_SPAN) return;
    state.route = route;
    state.span.setAttribute(ATTR_HTTP_ROUTE, route);
    state.span.updateName(`${state.method === '_OTHER' ? 'HTTP' : state.method} ${route}`);
  }

  /** Ends the span of `state` (once; `finish` and then `close` both call it). Internal. */
  end(state: ServerRequestState, raw: IncomingMessage, res: ServerResponse): void {
    if (state.ended) return;
    state.ended = true;
    try {
      const span = state.span;
      if (state.route === undefined) {
        const route = matchedRoute(raw, state.frameworkRequest);
        if (route !== undefined) this.setRoute(state, route);
      }
      const finished = res.writableFinished || res.headersSent;
      const status = res.statusCode;
      if (finished) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      for (const name of this.responseHeaders) {
        const values = headerValues(res.getHeader(name));
        if (values !== undefined) span.setAttribute(`http.response.header.${name}`, values);
      }
      const error = state.error;
      if (finished && status >= 500) {
        // Semconv (HTTP spans, status): 5xx is an error on a server span, 4xx is not.
        if (error !== undefined) span.recordException(error);
        span.setAttribute(ATTR_ERROR_TYPE, errorType(error) ?? String(status));
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
      } else if (!finished) {
        // The connection closed before a response was sent.
        span.setAttribute(ATTR_ERROR_TYPE, errorType(error) ?? 'aborted');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed before the response was sent' });
      }
      span.end();
    } catch (error) {
      diag.warnOnce('http-server-end', `could not end the HTTP server span: ${String(error)}`);
    }
  }
}

function onResponseDone(this: ServerResponse): void {
  const state = (this as unknown as Record<symbol, ServerRequestState | undefined>)[SERVER_REQUEST_STATE];
  if (state !== undefined && !state.ended) state.tracing.end(state, state.raw, this);
}

function errorType(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  if (typeof error === 'object') {
    const name = (error as { constructor?: { name?: string } }).constructor?.name;
    if (typeof name === 'string' && name !== '' && name !== 'Object') return name;
  }
  return '_OTHER';
}
