import { activeContext } from '../../core/context.js';
import { SpanKind, SpanStatusCode } from '../../core/enums.js';
import { NOOP_SPAN } from '../../core/noop-span.js';
import { Tracer } from '../../core/tracer.js';
import type { Attributes, Span } from '../../core/types.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  normalizeMethod,
} from './http-semconv.js';
import { isHttpClientTracer } from './http-client.registry.js';

/** A started CLIENT span and the headers to send with the request. */
export interface ClientCall {
  readonly span: Span;
  readonly headers: Record<string, string>;
}

// Query parameters whose values semconv (url.full) says to redact by default: signed-URL secrets.
const SENSITIVE_QUERY = ['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature'];

/**
 * `url` as `url.full` may record it: without user:password, and with the values of signed-URL
 * query parameters (AWSAccessKeyId, Signature, sig, X-Goog-Signature) replaced by `REDACTED`.
 */
export function stripCredentials(url: URL): string {
  const sensitive = url.search !== '' && SENSITIVE_QUERY.some((name) => url.searchParams.has(name));
  if (url.username === '' && url.password === '' && !sensitive) return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  if (sensitive) for (const name of SENSITIVE_QUERY) if (copy.searchParams.has(name)) copy.searchParams.set(name, 'REDACTED');
  return copy.href;
}

/**
 * Starts the CLIENT span of an outgoing HTTP call and renders the propagation headers from
 * its context. Undefined (nothing to do) when tracing is suppressed (the exporters' own
 * calls), when no trace is active (a call outside any request starts no trace), or when the
 * owning tracer does not trace outgoing calls.
 */
export function startClientCall(method: string | undefined, url: URL | undefined): ClientCall | undefined {
  const context = activeContext();
  if (context.suppressed || context.parentContext() === undefined) return undefined;
  const tracer = Tracer.active();
  if (!tracer.enabled || !isHttpClientTracer(tracer)) return undefined;
  const normalized = normalizeMethod(method ?? 'GET');
  const attributes: Attributes = { [ATTR_HTTP_REQUEST_METHOD]: normalized };
  if (normalized === '_OTHER') attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = method;
  if (url !== undefined) {
    attributes[ATTR_SERVER_ADDRESS] = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    attributes[ATTR_SERVER_PORT] = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    attributes[ATTR_URL_FULL] = stripCredentials(url);
  }
  const span = tracer.startSpan(normalized === '_OTHER' ? 'HTTP' : normalized, { kind: SpanKind.CLIENT, attributes });
  const headers: Record<string, string> = {};
  tracer.withSpan(span, () => tracer.inject(headers));
  return { span, headers };
}

/** Records the response status: client spans are errors for 4xx and 5xx (semconv). */
export function recordClientStatus(span: Span, status: number): void {
  if (span === NOOP_SPAN) return;
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (status >= 400) {
    span.setAttribute(ATTR_ERROR_TYPE, String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
}

/** Ends a CLIENT span that failed without a response. */
export function failClientSpan(span: Span, error: unknown): void {
  if (span === NOOP_SPAN) return;
  span.recordException(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  const name = (error as { constructor?: { name?: string } } | undefined)?.constructor?.name;
  span.setAttribute(ATTR_ERROR_TYPE, typeof code === 'string' ? code : name ?? '_OTHER');
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
  span.end();
}
