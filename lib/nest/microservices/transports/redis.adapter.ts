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
    let text: string | undefined;
    if (typeof raw === 'string') text = raw.includes('"metadata"') ? raw : undefined;
    else if (raw instanceof Uint8Array) {
      const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      // Looked for in the bytes: most messages carry no context and are never decoded here.
      text = bytes.includes('"metadata"') ? bytes.toString('utf8') : undefined;
    }
    if (text === undefined) return undefined;
    return (JSON.parse(text) as { metadata?: unknown } | null)?.metadata;
  } catch {
    return undefined;
  }
}
