import type { Attributes } from '../../../core/types.js';
import { mergeCarrier, readCarrier, type StringCarrier } from '../message.carrier.js';
import type { MicroservicesExports } from '../microservices.loader.js';
import { callContext, type ClientLike, type TransportAdapter } from './transport.adapter.js';

interface KafkaMessage {
  headers?: unknown;
  key?: unknown;
  offset?: unknown;
}

/** A Kafka message as `KafkaRequestSerializer` recognises one: an object with `key` or `value`. */
function isKafkaMessage(data: unknown): data is Record<string, unknown> {
  return data !== null && typeof data === 'object' && ('key' in data || 'value' in data);
}

/**
 * Kafka: W3C headers in the Kafka message headers. A payload that is already a Kafka message
 * (`{ key?, value, headers? }`) is copied with its headers merged; any other payload `p` is
 * sent as `{ value: p, headers }`, which is what `KafkaRequestSerializer` builds from it
 * anyway. The server reads `KafkaContext#getMessage().headers` (Buffer values).
 */
export const KAFKA_ADAPTER: TransportAdapter = {
  system: 'kafka',
  clientClass: 'ClientKafka',
  serverClass: 'ServerKafka',
  carry: () => 'data',
  wrapData(_mod: MicroservicesExports, _client: ClientLike, data: unknown, carrier: StringCarrier): unknown {
    if (isKafkaMessage(data)) return { ...data, headers: mergeCarrier(data.headers, carrier) };
    return { value: data, headers: { ...carrier } };
  },
  serverCarrier(rpcContext) {
    const message = callContext(rpcContext, 'getMessage') as KafkaMessage | undefined;
    return readCarrier(message?.headers);
  },
  serverAttributes(rpcContext): Attributes | undefined {
    const attributes: Attributes = {};
    const partition = callContext(rpcContext, 'getPartition');
    if (typeof partition === 'number') attributes['messaging.destination.partition.id'] = String(partition);
    const message = callContext(rpcContext, 'getMessage') as KafkaMessage | undefined;
    if (typeof message?.offset === 'string') attributes['messaging.kafka.offset'] = Number(message.offset);
    const key = message?.key;
    if (typeof key === 'string') attributes['messaging.kafka.message.key'] = key;
    else if (key instanceof Uint8Array) attributes['messaging.kafka.message.key'] = Buffer.from(key).toString('utf8');
    return attributes;
  },
};
