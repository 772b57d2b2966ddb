import diagnosticsChannel from 'node:diagnostics_channel';
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { diag } from '../../core/diag.js';
import { NOOP_SPAN } from '../../core/noop-span.js';
import type { Span } from '../../core/types.js';
import { failClientSpan, recordClientStatus, startClientCall } from './http-client.span.js';

type RequestFn = (...args: unknown[]) => ClientRequest;
const spans = new WeakMap<object, Span>();

function urlOf(request: ClientRequest): URL | undefined {
  const host = request.getHeader('host');
  const protocol = (request as { protocol?: string }).protocol ?? 'http:';
  if (typeof host !== 'string') return undefined;
  return new URL(`${protocol}//${host}${request.path}`);
}

/** Starts the CLIENT span of a fresh ClientRequest and sets its propagation headers (replacing any). */
function traceRequest(request: ClientRequest): void {
  if (request.headersSent) return; // headers given as an array are already rendered
  const call = startClientCall(request.method, urlOf(request));
  if (call === undefined) return;
  const names = Object.keys(call.headers);
  for (const name of names) request.setHeader(name, call.headers[name]);
  if (call.headers.traceparent !== undefined && call.headers.tracestate === undefined) request.removeHeader('tracestate');
  if (call.span === NOOP_SPAN) return;
  spans.set(request, call.span);
  // 'close' always comes; a span still open then had neither response end nor error.
  request.once('close', () => {
    const span = spans.get(request);
    if (span === undefined) return;
    spans.delete(request);
    if (!(request as { res?: unknown }).res) failClientSpan(span, new Error('request closed before a response'));
    else span.end();
  });
}

function onResponse(message: unknown): void {
  const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
  const span = spans.get(request);
  if (span === undefined) return;
  recordClientStatus(span, response.statusCode ?? 0);
  const end = () => {
    if (spans.get(request) !== span) return;
    spans.delete(request);
    span.end();
  };
  // Listening to 'end'/'close' does not change how the response flows.
  response.once('end', end);
  response.once('close', end);
}

function onError(message: unknown): void {
  const { request, error } = message as { request: object; error: unknown };
  const span = spans.get(request);
  if (span === undefined) return;
  spans.delete(request);
  failClientSpan(span, error);
}

function wrapRequest(original: RequestFn): RequestFn {
  return function request(this: unknown, ...args: unknown[]): ClientRequest {
    const req = original.apply(this, args);
    try {
      traceRequest(req);
    } catch (error) {
      diag.warnOnce('http-client-request', `could not trace an outgoing node:http request; the call is not affected: ${String(error)}`);
    }
    return req;
  };
}

/**
 * Traces node:http / node:https requests (and so axios / @nestjs/axios HttpService). Node 20
 * publishes `http.client.request.start` only after the headers are written, too late to add
 * `traceparent`, so `request` and `get` are wrapped to set the headers on the fresh request;
 * the response and error ends come from `http.client.response.finish` / `http.client.request.error`.
 * Returns the undo function (restores the originals if nobody wrapped them since).
 */
export function patchNodeHttp(): () => void {
  const undo: Array<() => void> = [];
  for (const mod of [http, https] as Array<{ request: RequestFn; get: RequestFn }>) {
    const originalRequest = mod.request;
    const originalGet = mod.get;
    const request = wrapRequest(originalRequest);
    const get = function get(this: unknown, ...args: unknown[]): ClientRequest {
      const req = request.apply(this, args);
      req.end();
      return req;
    };
    mod.request = request;
    mod.get = get;
    undo.push(() => {
      if (mod.request === request) mod.request = originalRequest;
      if (mod.get === get) mod.get = originalGet;
    });
  }
  syncBuiltinESMExports();
  diagnosticsChannel.subscribe('http.client.response.finish', onResponse);
  diagnosticsChannel.subscribe('http.client.request.error', onError);
  return () => {
    diagnosticsChannel.unsubscribe('http.client.response.finish', onResponse);
    diagnosticsChannel.unsubscribe('http.client.request.error', onError);
    for (const fn of undo) fn();
    syncBuiltinESMExports();
  };
}
