import { Transport, type ClientOptions, type MicroserviceOptions } from '@nestjs/microservices';

/**
 * Which transport the sample's microservices use: TCP by default (no broker needed),
 * Redis or NATS when TRANSPORT=redis|nats (brokers on 127.0.0.1, as in infra/ and CI).
 */
export function transportOptions(service: 'orders' | 'notifications'): ClientOptions & MicroserviceOptions {
  const kind = (process.env.TRANSPORT ?? 'tcp').toLowerCase();
  const host = process.env.BROKER_HOST ?? '127.0.0.1';
  switch (kind) {
    case 'redis':
      return { transport: Transport.REDIS, options: { host, port: Number(process.env.REDIS_PORT ?? 6379) } } as never;
    case 'nats':
      return {
        transport: Transport.NATS,
        options: { servers: [`nats://${host}:${process.env.NATS_PORT ?? 4222}`], queue: `sample-${service}` },
      } as never;
    case 'tcp':
      return {
        transport: Transport.TCP,
        options: { host: '127.0.0.1', port: service === 'orders' ? Number(process.env.ORDERS_PORT ?? 3001) : Number(process.env.NOTIFICATIONS_PORT ?? 3002) },
      } as never;
    default:
      throw new Error(`TRANSPORT=${kind} is not supported by the sample app: use tcp, redis or nats`);
  }
}
