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

// A topic exchange with wildcard routing keys (`wildcards: true`).
transportSuite({
  name: 'RabbitMQ (topic exchange, wildcards)',
  system: 'rabbitmq',
  broker: { label: 'RabbitMQ', host: '127.0.0.1', port: 5672, restart: 'rabbitmq-server -detached' },
  endpoint: async (name) => ({
    transport: Transport.RMQ,
    options: {
      urls: ['amqp://guest:guest@127.0.0.1:5672'],
      queue: name,
      queueOptions: { durable: false, autoDelete: true },
      wildcards: true,
      exchange: `${name}.x`,
      exchangeType: 'topic',
      exchangeOptions: { durable: false, autoDelete: true },
    },
  }),
  serverAttributes: ['messaging.message.conversation_id'],
  clientMessageId: false,
  wildcard: (prefix) => ({ registered: `${prefix}.*.wild`, sent: `${prefix}.any.wild` }),
  // Nest publishes an object pattern as its JSON in the sender's key order but binds the
  // sorted one, so such messages are not routed (with or without tracing).
  objectPatterns: false,
  withHeaders: (_client, data, headers) => new RmqRecord(data, { headers }),
  readHeader: (ctx, key) => {
    const message = (ctx as { getMessage?: () => { properties?: { headers?: Record<string, unknown> } } }).getMessage?.();
    const value = message?.properties?.headers?.[key];
    return value === undefined ? undefined : String(value);
  },
});
