import 'reflect-metadata';
import { Controller, Get, Injectable, Param, ParseIntPipe, Query, UseGuards, type INestApplication } from '@nestjs/common';
import { ClientProxy, ClientsModule, MessagePattern, EventPattern, Payload, Transport } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { EventEmitter2, EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { Cron, CronExpression, SchedulerRegistry, ScheduleModule } from '@nestjs/schedule';
import { ApiOperation, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { firstValueFrom } from 'rxjs';
import request from 'supertest';
import { Span, SpanKind, Traced } from 'nestjs-tracing';
import { InMemorySpanExporter, TracingTestingModule, waitForSpans } from 'nestjs-tracing/testing';
import { PLATFORMS, named, startHttpApp } from '../support/http-apps';
import { Roles, RolesGuard } from '../support/traced-http-app';
import { freePort } from '../support/free-port';

@Controller()
class MathController {
  @Span()
  @MessagePattern({ cmd: 'sum' })
  sum(@Payload() numbers: number[]): number {
    return numbers.reduce((a, b) => a + b, 0);
  }

  @MessagePattern({ cmd: 'double' })
  @Span('double-handler')
  double(@Payload() n: number): number {
    return n * 2;
  }
}

@Injectable()
class Listener {
  received: unknown[] = [];

  @Span()
  @OnEvent('order.created')
  onOrder(payload: unknown): void {
    this.received.push(payload);
  }

  @OnEvent('order.paid')
  @Span()
  onPaid(payload: unknown): void {
    this.received.push(payload);
  }
}

@Controller('orders')
class DocumentedController {
  @Span()
  @ApiOperation({ summary: 'Lists orders' })
  @Get()
  list(): string[] {
    return [];
  }

  @Get(':id')
  @ApiOperation({ summary: 'Gets one order' })
  @Span()
  get(): string {
    return 'one';
  }
}

@Traced()
@Injectable()
class Jobs {
  @Cron(CronExpression.EVERY_HOUR, { name: 'hourly' })
  hourly(): string {
    return 'ran';
  }

  @EventPattern('evt')
  evt(_data: unknown): void {}
}

@Traced()
@Controller('traced')
@UseGuards(RolesGuard)
class TracedController {
  @Get(':id')
  @Roles('admin')
  get(@Param('id', ParseIntPipe) id: number, @Query('q') q?: string) {
    return { id, q: q ?? null };
  }
}

describe('@Span keeps other decorators working', () => {
  it.each(PLATFORMS)('@Traced() on a controller keeps routes, guards reading @Roles, params and pipes (%s)', async (platform) => {
    const exporter = new InMemorySpanExporter();
    const { app, url } = await startHttpApp(platform, { imports: [TracingTestingModule.forRoot({ exporter })], controllers: [TracedController] });
    try {
      await request(url).get('/traced/5').set('x-role', 'guest').expect(403);
      await request(url).get('/traced/5?q=x').set('x-role', 'admin').expect(200, { id: 5, q: 'x' });
      await request(url).get('/traced/abc').set('x-role', 'admin').expect(400);
      const spans = await waitForSpans(exporter, (all) => named(all, 'TracedController.get').length === 1 && all.filter((s) => s.kind === SpanKind.SERVER).length === 3);
      const handler = named(spans, 'TracedController.get')[0];
      const server = spans.find((s) => s.spanContext().spanId === handler.parentSpanId)!;
      expect(server.name).toBe('GET /traced/:id');
    } finally {
      await app.close();
    }
  });

  it('@MessagePattern handlers (both orders) still receive messages over a real TCP microservice', async () => {
    const exporter = new InMemorySpanExporter();
    const port = await freePort();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TracingTestingModule.forRoot({ exporter }),
        ClientsModule.register([{ name: 'MATH', transport: Transport.TCP, options: { host: '127.0.0.1', port } }]),
      ],
      controllers: [MathController],
    }).compile();
    const app: INestApplication = moduleRef.createNestApplication({ logger: false });
    app.connectMicroservice({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
    await app.startAllMicroservices();
    await app.init();
    try {
      const client = app.get<ClientProxy>('MATH');
      expect(await firstValueFrom(client.send({ cmd: 'sum' }, [1, 2, 3]))).toBe(6);
      expect(await firstValueFrom(client.send({ cmd: 'double' }, 21))).toBe(42);
      const spans = await waitForSpans(exporter, (all) => named(all, 'MathController.sum').length === 1 && named(all, 'double-handler').length === 1);
      expect(spans.length).toBeGreaterThanOrEqual(2);
      client.close();
    } finally {
      await app.close();
    }
  });

  it('@OnEvent listeners (both orders) still fire', async () => {
    const exporter = new InMemorySpanExporter();
    const moduleRef = await Test.createTestingModule({
      imports: [TracingTestingModule.forRoot({ exporter }), EventEmitterModule.forRoot()],
      providers: [Listener],
    }).compile();
    const app = await moduleRef.init();
    try {
      const emitter = app.get(EventEmitter2);
      emitter.emit('order.created', { id: 1 });
      emitter.emit('order.paid', { id: 2 });
      expect(app.get(Listener).received).toEqual([{ id: 1 }, { id: 2 }]);
      expect(exporter.getFinishedSpans().map((s) => s.name).sort()).toEqual(['Listener.onOrder', 'Listener.onPaid']);
    } finally {
      await app.close();
    }
  });

  it('@Cron metadata survives @Traced, and the scheduler registers the job', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TracingTestingModule.forRoot(), ScheduleModule.forRoot()],
      providers: [Jobs],
    }).compile();
    await moduleRef.init();
    try {
      const job = moduleRef.get(SchedulerRegistry).getCronJob('hourly');
      expect(job).toBeDefined();
      expect(moduleRef.get(Jobs).hourly()).toBe('ran');
    } finally {
      await moduleRef.close();
    }
  });

  it('Swagger documents @ApiOperation summaries of @Span handlers in both orders', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TracingTestingModule.forRoot()],
      controllers: [DocumentedController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
      expect(document.paths['/orders']?.get?.summary).toBe('Lists orders');
      expect(document.paths['/orders/{id}']?.get?.summary).toBe('Gets one order');
      expect(DocumentedController.prototype.list.name).toBe('list');
      expect(Reflect.getMetadata('microservices:pattern', Jobs.prototype.evt)).toEqual(['evt']);
    } finally {
      await app.close();
    }
  });
});
