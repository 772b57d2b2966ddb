import { readCarrier } from '../message.carrier.js';
import { callContext, type ServerLike, type TransportAdapter } from './transport.adapter.js';

/**
 * Redis: like TCP, the trace context rides in `packet.metadata` of the JSON message.
 * NestJS 12: `RedisContext#getMetadata()`; NestJS 11: read from the raw message in the
 * server's `handleMessage(channel, buffer, pub, pattern)`, parsed only when it mentions one.
 */
export const REDIS_ADAPTER: TransportAdapter = {
  system: 'redis',
  clientClass: 'ClientRedis',
  serverClass: 'ServerRedis',
  carry: () => 'metadata',
  serverCarrier: (rpcContext) => readCarrier(callContext(rpcContext, 'getMetadata')),
  installFallback(server: ServerLike, run) {
    const handleMessage = server.handleMessage;
    if (typeof handleMessage !== 'function') return;
    server.handleMessage = function tracedHandleMessage(this: unknown, channel: unknown, buffer: unknown, ...rest: unknown[]) {
      return run(metadataOf(buffer), () => (handleMessage as Function).call(this, channel, buffer, ...rest));
    };
  },
};

/** The `metadata` field of a raw JSON packet, or undefined (never throws). */
export function metadataOf(raw: unknown): unknown {
  try {
    const text = typeof raw === 'string' ? raw : raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : undefined;
    if (text === undefined || !text.includes('"metadata"')) return undefined;
    return (JSON.parse(text) as { metadata?: unknown } | null)?.metadata;
  } catch {
    return undefined;
  }
}
