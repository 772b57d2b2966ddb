// Regression: with a sampler that drops root messages, baggage set while handling one
// message leaked into the next (they shared one root context object).
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, MessagePattern, Payload, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { Tracer, TracingModule } from 'nestjs-tracing';
import { InMemorySpanExporter } from 'nestjs-tracing/testing';
import { freePort } from './support/broker.js';

let tracerRef: Tracer;
@Controller()
class H {
  constructor(private readonly tracer: Tracer) { tracerRef = tracer; }
  @MessagePattern('who')
  who(@Payload() user: string | null) {
    const before = this.tracer.getBaggage('user') ?? null;
    if (user) this.tracer.setBaggage('user', user);
    return { before };
  }
}

it('TCP server, always_off: a message does not see baggage set by an earlier one', async () => {
  const port = await freePort();
  @Module({ imports: [TracingModule.forRoot({ exporter: new InMemorySpanExporter(), sampler: 'always_off' })], controllers: [H] })
  class M {}
  const ms = await NestFactory.createMicroservice(M, { transport: Transport.TCP, options: { host: '127.0.0.1', port }, logger: false });
  await ms.listen();
  const client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } }) as unknown as ClientProxy;
  try {
    await firstValueFrom(client.send('who', 'alice'));
    const r = await firstValueFrom(client.send('who', ''));
    expect(r).toEqual({ before: null });
  } finally {
    client.close();
    await ms.close();
  }
});
