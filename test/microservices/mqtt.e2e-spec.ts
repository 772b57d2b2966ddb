import { MqttRecordBuilder, Transport } from '@nestjs/microservices';
import { transportSuite } from './support/transport-suite.js';

const broker = { label: 'Mosquitto (MQTT)', host: '127.0.0.1', port: 1883, restart: 'mosquitto -d -c /etc/mosquitto/mosquitto.conf' };

// MQTT 5: the trace context travels as user properties.
transportSuite({
  name: 'MQTT 5',
  system: 'mqtt',
  broker,
  endpoint: async () => ({ transport: Transport.MQTT, options: { url: 'mqtt://127.0.0.1:1883', protocolVersion: 5 } }),
  wildcard: (prefix) => ({ registered: `${prefix}/wild/+`, sent: `${prefix}/wild/42` }),
  withHeaders: (_client, data, headers) => new MqttRecordBuilder(data).setProperties({ userProperties: headers }).setQoS(1).build(),
  readHeader: (ctx, key) => {
    const packet = (ctx as { getPacket?: () => { properties?: { userProperties?: Record<string, unknown> } } }).getPacket?.();
    const value = packet?.properties?.userProperties?.[key];
    return value === undefined ? undefined : String(value);
  },
});

// MQTT 3.1.1 has no headers: the trace context rides in the packet's `metadata` field, beside `data`.
transportSuite({
  name: 'MQTT 3.1.1',
  system: 'mqtt',
  broker,
  endpoint: async () => ({ transport: Transport.MQTT, options: { url: 'mqtt://127.0.0.1:1883' } }),
  wildcard: (prefix) => ({ registered: `${prefix}/+/wild`, sent: `${prefix}/any/wild` }),
  readHeader: (ctx, key) => {
    const packet = (ctx as { getPacket?: () => { payload?: Buffer } }).getPacket?.();
    try {
      return (JSON.parse(String(packet?.payload)) as { metadata?: Record<string, string> }).metadata?.[key];
    } catch {
      return undefined;
    }
  },
});
