import diagnosticsChannel from 'node:diagnostics_channel';
import { diag } from '../../core/diag.js';
import { NOOP_SPAN } from '../../core/noop-span.js';
import type { Span } from '../../core/types.js';
import { failClientSpan, recordClientStatus, startClientCall } from './http-client.span.js';

interface UndiciRequest {
  origin?: string | URL;
  path?: string;
  method?: string;
  headers?: string[] | string;
  addHeader?(name: string, value: string): unknown;
}

const spans = new WeakMap<object, Span>();

/** Replaces the propagation headers of an undici request (whatever their case), never leaving two. */
function setHeaders(request: UndiciRequest, headers: Record<string, string>): void {
  const names = Object.keys(headers);
  if (names.length === 0 || typeof request.addHeader !== 'function') return;
  const remove = new Set(names);
  if (remove.has('traceparent')) remove.add('tracestate');
  const current = request.headers;
  if (Array.isArray(current)) {
    for (let i = current.length - 2; i >= 0; i -= 2) {
      if (remove.has(String(current[i]).toLowerCase())) current.splice(i, 2);
    }
  } else if (typeof current === 'string') {
    request.headers = current
      .split('\r\n')
      .filter((line) => !remove.has(line.slice(0, line.indexOf(':')).trim().toLowerCase()))
      .join('\r\n');
  }
  for (const name of names) request.addHeader(name, headers[name]);
}

function onCreate(message: unknown): void {
  try {
    const request = (message as { request?: UndiciRequest }).request;
    if (request === undefined) return;
    const url = request.origin !== undefined ? new URL(request.path ?? '/', request.origin) : undefined;
    const call = startClientCall(request.method, url);
    if (call === undefined) return;
    setHeaders(request, call.headers);
    if (call.span !== NOOP_SPAN) spans.set(request, call.span);
  } catch (error) {
    diag.warnOnce('undici-create', `could not trace an outgoing fetch; the call is not affected: ${String(error)}`);
  }
}

function onHeaders(message: unknown): void {
  const { request, response } = message as { request: object; response?: { statusCode?: number } };
  const span = spans.get(request);
  if (span !== undefined && typeof response?.statusCode === 'number') recordClientStatus(span, response.statusCode);
}

function onTrailers(message: unknown): void {
  const { request } = message as { request: object };
  const span = spans.get(request);
  if (span === undefined) return;
  spans.delete(request);
  span.end();
}

function onError(message: unknown): void {
  const { request, error } = message as { request: object; error: unknown };
  const span = spans.get(request);
  if (span === undefined) return;
  spans.delete(request);
  failClientSpan(span, error);
}

const CHANNELS: Array<[string, (message: unknown) => void]> = [
  ['undici:request:create', onCreate],
  ['undici:request:headers', onHeaders],
  ['undici:request:trailers', onTrailers],
  ['undici:request:error', onError],
];

/**
 * Subscribes to undici's diagnostics channels (global fetch); returns the unsubscribe.
 *
 * Node 20's diagnostics_channel maps names to channels through weak references and, when a
 * collected channel's finalizer runs, deletes the name's entry even if a newer channel has
 * taken the name since (Node 24 checks first). So a channel that was subscribed to,
 * unsubscribed from (the last app closed) and collected before undici loaded could leave the
 * next subscription on an object undici never publishes to, and fetch calls went untraced
 * (seen with apps started one after another in a jest run). Loading Node's bundled undici
 * first (`Response` is its lazy global) makes it create its channels and hold them for the
 * life of the process, so the names keep pointing at them. Costs one load of undici (~25 ms)
 * in a process that had not used fetch.
 */
export function subscribeUndici(): () => void {
  void (globalThis as { Response?: unknown }).Response;
  for (const [name, handler] of CHANNELS) diagnosticsChannel.subscribe(name, handler);
  return () => {
    for (const [name, handler] of CHANNELS) diagnosticsChannel.unsubscribe(name, handler);
  };
}
