import type { MicroservicesExports } from '../microservices.loader.js';
import { KAFKA_ADAPTER } from './kafka.adapter.js';
import { MQTT_ADAPTER } from './mqtt.adapter.js';
import { NATS_ADAPTER } from './nats.adapter.js';
import { REDIS_ADAPTER } from './redis.adapter.js';
import { RMQ_ADAPTER } from './rmq.adapter.js';
import { TCP_ADAPTER } from './tcp.adapter.js';
import type { TransportAdapter } from './transport.adapter.js';

/** Every transport with a send/emit client and a pattern-handler server (gRPC is separate). */
export const TRANSPORT_ADAPTERS: readonly TransportAdapter[] = [
  TCP_ADAPTER,
  REDIS_ADAPTER,
  NATS_ADAPTER,
  MQTT_ADAPTER,
  RMQ_ADAPTER,
  KAFKA_ADAPTER,
];

function find(mod: MicroservicesExports, instance: object, side: 'clientClass' | 'serverClass'): TransportAdapter | undefined {
  for (const adapter of TRANSPORT_ADAPTERS) {
    const type = mod[adapter[side]];
    if (typeof type === 'function' && instance instanceof type) return adapter;
  }
  return undefined;
}

/** The adapter of a client instance; undefined for custom transports and gRPC. */
export function clientAdapterFor(mod: MicroservicesExports, client: object): TransportAdapter | undefined {
  return find(mod, client, 'clientClass');
}

/** The adapter of a server instance; undefined for custom strategies and gRPC. */
export function serverAdapterFor(mod: MicroservicesExports, server: object): TransportAdapter | undefined {
  return find(mod, server, 'serverClass');
}

export type { TransportAdapter, ClientLike, ServerLike } from './transport.adapter.js';
