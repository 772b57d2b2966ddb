import type { Attributes } from '../../../core/types.js';
import { MESSAGING_CONVERSATION_ID, MESSAGING_MESSAGE_ID } from '../messaging.attributes.js';
import { mergeCarrier, readCarrier, type StringCarrier } from '../message.carrier.js';
import type { MicroservicesExports } from '../microservices.loader.js';
import { callContext, type ClientLike, type TransportAdapter } from './transport.adapter.js';

interface AmqpMessage {
  properties?: { headers?: unknown; messageId?: unknown; correlationId?: unknown };
}

/**
 * RabbitMQ: W3C headers in the AMQP message headers. The payload is sent as an `RmqRecord`
 * (a copy of the user's record, if any, with its headers merged), so the handler gets the
 * payload as sent; the server reads `RmqContext#getMessage().properties.headers`.
 */
export const RMQ_ADAPTER: TransportAdapter = {
  system: 'rabbitmq',
  clientClass: 'ClientRMQ',
  serverClass: 'ServerRMQ',
  carry: () => 'data',
  wrapData(mod: MicroservicesExports, _client: ClientLike, data: unknown, carrier: StringCarrier): unknown {
    const RmqRecord = mod.RmqRecord;
    if (RmqRecord === undefined) return data;
    if (data instanceof RmqRecord) {
      const options = data.options ?? {};
      return new RmqRecord(data.data, { ...options, headers: mergeCarrier(options.headers, carrier) });
    }
    return new RmqRecord(data, { headers: { ...carrier } });
  },
  serverCarrier(rpcContext) {
    const message = callContext(rpcContext, 'getMessage') as AmqpMessage | undefined;
    return readCarrier(message?.properties?.headers);
  },
  serverAttributes(rpcContext): Attributes | undefined {
    const properties = (callContext(rpcContext, 'getMessage') as AmqpMessage | undefined)?.properties;
    if (properties === undefined) return undefined;
    const attributes: Attributes = {};
    if (typeof properties.messageId === 'string') attributes[MESSAGING_MESSAGE_ID] = properties.messageId;
    if (typeof properties.correlationId === 'string') attributes[MESSAGING_CONVERSATION_ID] = properties.correlationId;
    return attributes;
  },
};
