import type { Attributes } from '../../../core/types.js';
import { MESSAGING_MESSAGE_ID } from '../messaging.attributes.js';
import { mergeCarrier, readCarrier, type StringCarrier } from '../message.carrier.js';
import type { MicroservicesExports } from '../microservices.loader.js';
import { metadataOf } from './redis.adapter.js';
import { callContext, type ClientLike, type TransportAdapter } from './transport.adapter.js';

interface MqttPacket {
  payload?: unknown;
  messageId?: unknown;
  properties?: { userProperties?: unknown };
}

function isMqtt5(client: ClientLike): boolean {
  return client.options?.protocolVersion === 5;
}

/**
 * MQTT. With MQTT 5 (`protocolVersion: 5` in the client options) the W3C headers travel as
 * user properties: the payload is sent as an `MqttRecord` (a copy of the user's record with
 * its user properties merged). MQTT 3.1.1 has no headers, so the context rides in
 * `packet.metadata` of the JSON message, next to `data` — never inside the payload: an
 * untraced receiver ignores the field, so this is on by default and needs no opt-in. The
 * server reads user properties first, then that field, from `MqttContext#getPacket()`.
 */
export const MQTT_ADAPTER: TransportAdapter = {
  system: 'mqtt',
  clientClass: 'ClientMqtt',
  serverClass: 'ServerMqtt',
  carry: (client) => (isMqtt5(client) ? 'data' : 'metadata'),
  wrapData(mod: MicroservicesExports, _client: ClientLike, data: unknown, carrier: StringCarrier): unknown {
    const MqttRecord = mod.MqttRecord;
    if (MqttRecord === undefined) return data;
    const record = data instanceof MqttRecord ? data : undefined;
    const options = record?.options ?? {};
    const properties = (options.properties ?? {}) as Record<string, unknown>;
    return new MqttRecord(record !== undefined ? record.data : data, {
      ...options,
      properties: { ...properties, userProperties: mergeCarrier(properties.userProperties, carrier) },
    });
  },
  serverCarrier(rpcContext) {
    const packet = callContext(rpcContext, 'getPacket') as MqttPacket | undefined;
    if (packet === undefined || packet === null) return undefined;
    return readCarrier(packet.properties?.userProperties) ?? readCarrier(metadataOf(packet.payload));
  },
  serverAttributes(rpcContext): Attributes | undefined {
    const packet = callContext(rpcContext, 'getPacket') as MqttPacket | undefined;
    return typeof packet?.messageId === 'number' ? { [MESSAGING_MESSAGE_ID]: String(packet.messageId) } : undefined;
  },
};
