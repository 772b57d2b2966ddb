// OpenTelemetry semantic conventions, stable HTTP (v1.26+): attribute names used here.
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_REQUEST_METHOD_ORIGINAL = 'http.request.method_original';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_HTTP_ROUTE = 'http.route';
export const ATTR_URL_PATH = 'url.path';
export const ATTR_URL_QUERY = 'url.query';
export const ATTR_URL_SCHEME = 'url.scheme';
export const ATTR_URL_FULL = 'url.full';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_CLIENT_ADDRESS = 'client.address';
export const ATTR_USER_AGENT_ORIGINAL = 'user_agent.original';
export const ATTR_NETWORK_PROTOCOL_VERSION = 'network.protocol.version';
export const ATTR_ERROR_TYPE = 'error.type';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

/** The method as semconv wants it: a known method upper-case, anything else `_OTHER`. */
export function normalizeMethod(method: string | undefined): string {
  if (method === undefined) return '_OTHER';
  if (KNOWN_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

/** `host[:port]` (or `[v6]:port`) split into address and port; the port falls back to `defaultPort`. */
export function splitHostPort(host: string | undefined, defaultPort: number): [string | undefined, number | undefined] {
  if (host === undefined || host === '') return [undefined, undefined];
  let address = host;
  let port: number | undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    address = close > 0 ? host.slice(1, close) : host;
    const rest = close > 0 ? host.slice(close + 1) : '';
    if (rest.startsWith(':')) port = Number(rest.slice(1));
  } else {
    const colon = host.lastIndexOf(':');
    if (colon > 0 && host.indexOf(':') === colon) {
      address = host.slice(0, colon);
      port = Number(host.slice(colon + 1));
    }
  }
  if (port === undefined || !Number.isInteger(port) || port <= 0 || port > 65535) port = defaultPort;
  return [address, port];
}
