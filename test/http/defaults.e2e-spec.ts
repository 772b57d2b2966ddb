import { Controller, Get } from '@nestjs/common';
import request from 'supertest';
import { SpanKind } from 'nestjs-tracing';
import { InMemorySpanExporter, TracingTestingModule, waitForSpans } from 'nestjs-tracing/testing';
import { startHttpApp } from '../support/http-apps.js';

@Controller('defaults')
class DefaultsController {
  @Get()
  get(): string {
    return 'ok';
  }
}

// What is off unless configured (issue 3): the traceresponse header, url.query, and
// request/response headers as attributes (only from an allow-list).
describe.each(['express', 'fastify'] as const)('HTTP defaults over %s', (platform) => {
  it('adds no traceresponse header and records no query string or headers', async () => {
    const exporter = new InMemorySpanExporter();
    const { app, url } = await startHttpApp(platform, { imports: [TracingTestingModule.forRoot({ exporter })], controllers: [DefaultsController] });
    try {
      const response = await request(url).get('/defaults?secret=1').set('x-tenant', 'acme').set('authorization', 'Bearer t').expect(200);
      expect(response.headers['traceresponse']).toBeUndefined();
      const [server] = (await waitForSpans(exporter, (all) => all.some((s) => s.kind === SpanKind.SERVER))).filter((s) => s.kind === SpanKind.SERVER);
      expect(server.name).toBe('GET /defaults');
      expect(server.attributes['url.path']).toBe('/defaults');
      expect(server.attributes['url.query']).toBeUndefined();
      const headerKeys = Object.keys(server.attributes).filter((k) => k.startsWith('http.request.header.') || k.startsWith('http.response.header.'));
      expect(headerKeys).toEqual([]);
      expect(JSON.stringify(server.attributes)).not.toContain('secret');
      expect(JSON.stringify(server.attributes)).not.toContain('Bearer');
    } finally {
      await app.close();
    }
  });
});
