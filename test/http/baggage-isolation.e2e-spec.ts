// Regression: with a sampler that drops root requests, baggage set by one request leaked
// into every later one (they shared one root context object).
import { Controller, Get, Headers } from '@nestjs/common';
import request from 'supertest';
import { Tracer } from 'nestjs-tracing';
import { InMemorySpanExporter, TracingTestingModule } from 'nestjs-tracing/testing';
import { startHttpApp } from '../support/http-apps.js';

@Controller('b')
class C {
  constructor(private readonly tracer: Tracer) {}
  @Get()
  get(@Headers('x-user') user?: string) {
    const before = this.tracer.getBaggage('user') ?? null;
    if (user) this.tracer.setBaggage('user', user);
    return { before };
  }
}

describe.each(['express', 'fastify'] as const)('baggage isolation %s', (p) => {
  it.each(['always_off', 'traceidratio'])('sampler %s: a request does not see baggage set by an earlier one', async (sampler) => {
    const exporter = new InMemorySpanExporter();
    const { app, url } = await startHttpApp(p, { imports: [TracingTestingModule.forRoot({ exporter, sampler, samplerArg: 0 })], controllers: [C] });
    await request(url).get('/b').set('x-user', 'alice').expect(200);
    const r = await request(url).get('/b').expect(200);
    await app.close();
    expect(r.body.before).toBeNull();
  });
});
