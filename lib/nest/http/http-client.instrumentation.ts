import type { Tracer } from '../../core/tracer.js';
import { diag } from '../../core/diag.js';
import { httpClientRegistry } from './http-client.registry.js';
import { patchNodeHttp } from './node-http-client.patch.js';
import { subscribeUndici } from './undici-client.channel.js';

/**
 * Starts tracing outgoing HTTP for `tracer`'s contexts: global fetch (undici diagnostics
 * channels) and node:http/https (hence axios and @nestjs/axios). The hooks are process-wide
 * and installed once, when the first tracer registers; each call is routed to the tracer
 * owning the active context, and the hooks are removed when the last tracer unregisters.
 */
export function registerHttpClientTracer(tracer: Tracer): void {
  const registry = httpClientRegistry();
  registry.tracers.add(tracer);
  if (registry.uninstall !== undefined) return;
  try {
    const undoUndici = subscribeUndici();
    const undoHttp = patchNodeHttp();
    registry.uninstall = () => {
      undoUndici();
      undoHttp();
    };
  } catch (error) {
    diag.warnOnce('http-client-install', `could not hook outgoing HTTP calls; they are not traced: ${String(error)}`);
  }
}

/** Stops tracing outgoing HTTP for `tracer`; the last one out removes the hooks. */
export function unregisterHttpClientTracer(tracer: Tracer): void {
  const registry = httpClientRegistry();
  registry.tracers.delete(tracer);
  if (registry.tracers.size === 0 && registry.uninstall !== undefined) {
    const uninstall = registry.uninstall;
    registry.uninstall = undefined;
    uninstall();
  }
}
