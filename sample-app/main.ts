import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { GatewayModule } from './gateway/gateway.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { OrdersModule } from './orders/orders.module.js';
import { transportOptions } from './transport.js';

/**
 * Starts the whole sample system in one process: the notifications consumer, the orders
 * microservice and the HTTP gateway, each a Nest app with its own TracingModule (and so its
 * own service name). Ctrl-C / SIGTERM closes them in reverse order, flushing their spans.
 */
async function main(): Promise<void> {
  const logger = ['error', 'warn', 'log'] as const;
  const notifications = await NestFactory.createMicroservice<MicroserviceOptions>(NotificationsModule, {
    ...transportOptions('notifications'),
    logger: [...logger],
  });
  await notifications.listen();
  const orders = await NestFactory.createMicroservice<MicroserviceOptions>(OrdersModule, {
    ...transportOptions('orders'),
    logger: [...logger],
  });
  await orders.listen();
  const gateway = await NestFactory.create(GatewayModule, { logger: [...logger] });
  const port = Number(process.env.PORT ?? 3000);
  // HOST=0.0.0.0 in a container (infra/docker-compose.yml); loopback by default.
  await gateway.listen(port, process.env.HOST ?? '127.0.0.1');

  const url = `http://127.0.0.1:${port}`;
  const exporting = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  process.stdout.write(
    [
      '',
      `sample app listening on ${url} (transport: ${process.env.TRANSPORT ?? 'tcp'}; traces: ${exporting ? `OTLP to ${exporting}` : 'console'})`,
      'try:',
      `  curl -s -X POST ${url}/orders -H 'content-type: application/json' -d '{"sku":"coffee-beans","quantity":2}'`,
      `  curl -s ${url}/orders/<id from the answer>`,
      'Ctrl-C to stop (spans are flushed first).',
      '',
    ].join('\n') + '\n',
  );

  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`\n${signal}: closing (flushing spans)...\n`);
    await gateway.close();
    await orders.close();
    await notifications.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void close('SIGINT'));
  process.on('SIGTERM', () => void close('SIGTERM'));
}

main().catch((error) => {
  process.stderr.write(`sample app failed to start: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
