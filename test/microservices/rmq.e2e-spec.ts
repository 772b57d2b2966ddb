import { RmqRecord, Transport } from '@nestjs/microservices';
import { transportSuite } from './support/transport-suite.js';

transportSuite({
  name: 'RabbitMQ',
  system: 'rabbitmq',
  broker: { label: 'RabbitMQ', host: '127.0.0.1', port: 5672, restart: 'rabbitmq-server -detached' },
  // One auto-deleted queue per endpoint and run.
  endpoint: async (name) => ({
    transport: Transport.RMQ,
    options: { urls: ['amqp://guest:guest@127.0.0.1:5672'], queue: name, queueOptions: { durable: false, autoDelete: true } },
  }),
  serverAttributes: ['messaging.message.conversation_id'],
  clientMessageId: false,
  withHeaders: (_client, data, headers) => new RmqRecord(data, { headers, priority: 1 }),
  readHeader: (ctx, key) => {
    const message = (ctx as { getMessage?: () => { properties?: { headers?: Record<string, unknown> } } }).getMessage?.();
    const value = message?.properties?.headers?.[key];
    return value === undefined ? undefined : String(value);
  },
});
