import { NatsRecord, Transport, type ClientProxy } from '@nestjs/microservices';
import { transportSuite } from './support/transport-suite.js';

interface MsgHdrs {
  set(key: string, value: string): void;
  get(key: string): string;
}

/** A NATS headers object from the nats package the client itself loaded (`nats` on NestJS 11, `@nats-io/transport-node` on 12). */
function natsHeaders(client: ClientProxy): MsgHdrs {
  const merge = (client as unknown as { mergeHeaders: (h: undefined) => MsgHdrs }).mergeHeaders;
  return merge.call({ options: { headers: {} } }, undefined);
}

transportSuite({
  name: 'NATS',
  system: 'nats',
  broker: {
    label: 'NATS',
    host: '127.0.0.1',
    port: 4222,
    restart:
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
  },
  // Subjects are the patterns, which carry this run's unique prefix.
  endpoint: async () => ({ transport: Transport.NATS, options: { servers: ['nats://127.0.0.1:4222'] } }),
  withHeaders: (client, data, headers) => {
    const hdrs = natsHeaders(client);
    for (const [key, value] of Object.entries(headers)) hdrs.set(key, value);
    return new NatsRecord(data, hdrs as never);
  },
  readHeader: (ctx, key) => {
    const headers = (ctx as { getHeaders?: () => MsgHdrs | undefined }).getHeaders?.();
    const value = headers?.get(key);
    return value === '' ? undefined : value;
  },
});
