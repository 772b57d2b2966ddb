import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { FinishedSpan } from 'nestjs-tracing';

export type Platform = 'express' | 'fastify';
export const PLATFORMS: Platform[] = ['express', 'fastify'];

/** Boots a real Nest app on 127.0.0.1 (random port) with the given adapter; returns it and its base URL. */
export async function startHttpApp(
  platform: Platform,
  metadata: ModuleMetadata,
  configure?: (app: INestApplication) => void | Promise<void>,
): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter() as never, { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  await configure?.(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}` };
}

/** The spans with this name. */
export function named(spans: FinishedSpan[], name: string): FinishedSpan[] {
  return spans.filter((s) => s.name === name);
}

/** The one span with this name (fails with the list of names otherwise). */
export function one(spans: FinishedSpan[], name: string): FinishedSpan {
  const found = named(spans, name);
  if (found.length !== 1) throw new Error(`expected one span "${name}", found ${found.length} in ${JSON.stringify(spans.map((s) => s.name))}`);
  return found[0];
}

export function traceparentOf(span: FinishedSpan): string {
  const sc = span.spanContext();
  return `00-${sc.traceId}-${sc.spanId}-${sc.traceFlags.toString(16).padStart(2, '0')}`;
}

export const REMOTE_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const REMOTE_SPAN_ID = '00f067aa0ba902b7';
export const REMOTE_TRACEPARENT = `00-${REMOTE_TRACE_ID}-${REMOTE_SPAN_ID}-01`;
