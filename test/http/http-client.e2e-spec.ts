import http from 'node:http';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Controller, Get, Headers, Injectable, Param, type INestApplication } from '@nestjs/common';
import { HttpModule, HttpService } from '@nestjs/axios';
import request from 'supertest';
import { firstValueFrom } from 'rxjs';
import { Span, SpanKind, SpanStatusCode, suppressTracing, type FinishedSpan } from 'nestjs-tracing';
import { InMemorySpanExporter, TracingTestingModule, waitForSpans } from 'nestjs-tracing/testing';
import { PLATFORMS, one, startHttpApp, traceparentOf } from '../support/http-apps';
import { freePort } from '../support/free-port';

let downstreamUrl = '';

/** The second app: echoes the propagation headers it received. */
@Controller()
class DownstreamController {
  @Get('echo/:tag')
  echo(@Headers() headers: Record<string, string | string[]>, @Param('tag') tag: string) {
    return { tag, traceparent: headers['traceparent'], tracestate: headers['tracestate'] ?? null, baggage: headers['baggage'] ?? null };
  }
}

function nodeGet(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}

@Injectable()
class Caller {
  constructor(private readonly http: HttpService) {}

  @Span()
  async viaFetch(): Promise<unknown> {
    return (await fetch(`${downstreamUrl}/echo/fetch`)).json();
  }

  @Span()
  viaNodeHttp(): Promise<unknown> {
    return nodeGet(`${downstreamUrl}/echo/node`);
  }

  @Span()
  async viaAxios(): Promise<unknown> {
    return (await firstValueFrom(this.http.get(`${downstreamUrl}/echo/axios`))).data;
  }
}

@Controller()
class UpstreamController {
  constructor(private readonly caller: Caller) {}

  @Get('call/:how')
  async call(@Param('how') how: string): Promise<unknown> {
    switch (how) {
      case 'fetch':
        return this.caller.viaFetch();
      case 'node':
        return this.caller.viaNodeHttp();
      case 'axios':
        return this.caller.viaAxios();
      case 'fetch-existing':
        return (await fetch(`${downstreamUrl}/echo/x`, { headers: { TraceParent: '00-11111111111111111111111111111111-2222222222222222-01', TRACESTATE: 'stale=1' } })).json();
      case 'node-existing':
        return nodeGet(`${downstreamUrl}/echo/y`, { TraceParent: '00-11111111111111111111111111111111-2222222222222222-01', tracestate: 'stale=1' });
      case 'suppressed':
        return suppressTracing(async () => (await fetch(`${downstreamUrl}/echo/s`)).json());
      case 'refused': {
        const port = await freePort();
        const failures: string[] = [];
        await fetch(`http://127.0.0.1:${port}/`).catch(() => failures.push('fetch'));
        await nodeGet(`http://127.0.0.1:${port}/`).catch(() => failures.push('node'));
        return { failures };
      }
      case 'missing':
        return { status: (await fetch(`${downstreamUrl}/nothing-here`)).status };
      default:
        return {};
    }
  }
}

describe.each(PLATFORMS)('outgoing HTTP calls (%s upstream)', (platform) => {
  let upstream: INestApplication;
  let downstream: INestApplication;
  let upstreamUrl: string;
  const upExporter = new InMemorySpanExporter();
  const downExporter = new InMemorySpanExporter();

  beforeAll(async () => {
    ({ app: downstream, url: downstreamUrl } = await startHttpApp(platform === 'express' ? 'fastify' : 'express', {
      imports: [TracingTestingModule.forRoot({ exporter: downExporter, serviceName: 'downstream' })],
      controllers: [DownstreamController],
    }));
    ({ app: upstream, url: upstreamUrl } = await startHttpApp(platform, {
      imports: [TracingTestingModule.forRoot({ exporter: upExporter, serviceName: 'upstream' }), HttpModule],
      controllers: [UpstreamController],
      providers: [Caller],
    }));
  });
  afterAll(async () => {
    await upstream.close();
    await downstream.close();
  });
  beforeEach(() => {
    upExporter.reset();
    downExporter.reset();
  });

  const clientSpans = (spans: FinishedSpan[]) => spans.filter((s) => s.kind === SpanKind.CLIENT);

  it.each(['fetch', 'node', 'axios'])('%s: a CLIENT span whose context is the traceparent the second app receives', async (how) => {
    const response = await request(upstreamUrl).get(`/call/${how}`).expect(200);
    const upSpans = await waitForSpans(upExporter, (all) => all.some((s) => s.kind === SpanKind.SERVER));
    const downSpans = await waitForSpans(downExporter, 1);
    const client = one(clientSpans(upSpans), 'GET');
    const method = upSpans.find((s) => s.name.startsWith('Caller.'))!;
    const server = upSpans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(method.parentSpanId).toBe(server.spanContext().spanId);
    expect(client.parentSpanId).toBe(method.spanContext().spanId);
    expect(response.body.traceparent).toBe(traceparentOf(client));
    const port = Number(new URL(downstreamUrl).port);
    expect(client.attributes).toMatchObject({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': port,
      'url.full': `${downstreamUrl}/echo/${how}`,
      'http.response.status_code': 200,
    });
    expect(client.status.code).toBe(SpanStatusCode.UNSET);
    // the second app continues the trace under its own service name
    const downServer = downSpans[0];
    expect(downServer.parentSpanId).toBe(client.spanContext().spanId);
    expect(downServer.spanContext().traceId).toBe(client.spanContext().traceId);
    expect(downServer.resource.attributes['service.name']).toBe('downstream');
    expect(client.resource.attributes['service.name']).toBe('upstream');
  });

  it.each(['fetch-existing', 'node-existing'])('%s: replaces traceparent/tracestate set by hand, whatever their case', async (how) => {
    const response = await request(upstreamUrl).get(`/call/${how}`).expect(200);
    const upSpans = await waitForSpans(upExporter, (all) => clientSpans(all).length === 1);
    const client = clientSpans(upSpans)[0];
    expect(response.body.traceparent).toBe(traceparentOf(client));
    expect(response.body.tracestate).toBeNull();
  });

  it('carries incoming baggage and tracestate to the next hop', async () => {
    const response = await request(upstreamUrl)
      .get('/call/fetch')
      .set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
      .set('tracestate', 'vendor=abc')
      .set('baggage', 'tenant=acme')
      .expect(200);
    expect(response.body.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(response.body.tracestate).toBe('vendor=abc');
    expect(response.body.baggage).toBe('tenant=acme');
  });

  it('propagates an unsampled parent unchanged and exports nothing', async () => {
    const response = await request(upstreamUrl)
      .get('/call/node')
      .set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')
      .expect(200);
    expect(response.body.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
    await new Promise((r) => setTimeout(r, 20));
    expect(upExporter.getFinishedSpans()).toHaveLength(0);
  });

  it('starts no CLIENT span and sends no traceparent when tracing is suppressed', async () => {
    const response = await request(upstreamUrl).get('/call/suppressed').expect(200);
    expect(response.body.traceparent).toBeUndefined();
    await waitForSpans(upExporter, (all) => all.some((s) => s.kind === SpanKind.SERVER));
    expect(clientSpans(upExporter.getFinishedSpans())).toHaveLength(0);
  });

  it('starts no CLIENT span for a call outside any trace', async () => {
    const body = (await nodeGet(`${downstreamUrl}/echo/outside`)) as { traceparent?: string };
    const fetched = (await (await fetch(`${downstreamUrl}/echo/outside`)).json()) as { traceparent?: string };
    expect(body.traceparent).toBeUndefined();
    expect(fetched.traceparent).toBeUndefined();
    const down = await waitForSpans(downExporter, 2);
    expect(down.every((s) => s.parentSpanId === undefined)).toBe(true);
    expect(clientSpans(upExporter.getFinishedSpans())).toHaveLength(0);
  });

  it('records a refused connection as an ERROR CLIENT span and leaves the error to the caller', async () => {
    const response = await request(upstreamUrl).get('/call/refused').expect(200);
    expect(response.body.failures).toEqual(['fetch', 'node']);
    const spans = await waitForSpans(upExporter, (all) => clientSpans(all).length === 2);
    for (const span of clientSpans(spans)) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes['error.type']).toBeDefined();
    }
  });

  it('marks a 4xx answer as an error on the CLIENT span', async () => {
    await request(upstreamUrl).get('/call/missing').expect(200);
    const spans = await waitForSpans(upExporter, (all) => clientSpans(all).length === 1);
    const client = clientSpans(spans)[0];
    expect(client.attributes['http.response.status_code']).toBe(404);
    expect(client.attributes['error.type']).toBe('404');
    expect(client.status.code).toBe(SpanStatusCode.ERROR);
  });
});

// Node 20's diagnostics_channel could point undici's channel names at a new, unused channel
// object after a garbage collection between one app's close and the next app's start, and
// fetch went untraced for the rest of the process (a jest run caught it). A fresh process is
// needed: once anything has loaded Node's undici, its channels live for good.
describe('outgoing fetch in a second app of the same process', () => {
  it('is traced after the first app closed and the garbage collector ran', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--expose-gc', '-r', join(__dirname, '../support/ts-register.cjs'), join(__dirname, '../support/fetch-after-restart-child.ts')],
        { env: { ...process.env, OTEL_SDK_DISABLED: '' }, timeout: 20_000 },
        (error, stdout, stderr) => (error ? reject(new Error(`${String(error)}\n${stderr}`)) : resolve(stdout)),
      );
    });
    const result = JSON.parse(/^RESULT (.*)$/m.exec(out)?.[1] ?? 'null') as { received: string | null; client: string | null };
    expect(result.client).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(result.received).toBe(result.client);
  }, 30_000);
});
