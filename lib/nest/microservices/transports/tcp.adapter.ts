import { readCarrier } from '../message.carrier.js';
import { callContext, type ServerLike, type TransportAdapter } from './transport.adapter.js';

/**
 * TCP: the trace context rides in `packet.metadata` (the whole packet is JSON on the
 * socket). NestJS 12 shows it through `TcpContext#getMetadata()`; on NestJS 11 the server's
 * `handleMessage(socket, message)` receives the parsed packet, which is where we read it.
 * An untraced receiver ignores the extra field, so nothing is opt-in.
 */
export const TCP_ADAPTER: TransportAdapter = {
  system: 'tcp',
  clientClass: 'ClientTCP',
  serverClass: 'ServerTCP',
  carry: () => 'metadata',
  serverCarrier: (rpcContext) => readCarrier(callContext(rpcContext, 'getMetadata')),
  installFallback(server: ServerLike, run) {
    const handleMessage = server.handleMessage;
    if (typeof handleMessage !== 'function') return;
    server.handleMessage = function tracedHandleMessage(this: unknown, socket: unknown, message: unknown, ...rest: unknown[]) {
      const metadata = (message as { metadata?: unknown } | null | undefined)?.metadata;
      return run(metadata, () => (handleMessage as Function).call(this, socket, message, ...rest));
    };
  },
};
