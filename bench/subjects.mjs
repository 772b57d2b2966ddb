// Loads the two things being compared: our BUILT library (dist/cjs) and the OpenTelemetry
// JS SDK 2.x, each set up the way a production application would set it up.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const dist = join(root, 'dist', 'cjs');

function requireIfBuilt(relative) {
  const file = join(dist, relative);
  return existsSync(file) ? require(file) : undefined;
}

/** Package versions, for the report. */
export function versions() {
  // Read package.json by path: some packages' `exports` maps do not expose it.
  const version = (name) => {
    try {
      return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return '?';
    }
  };
  return {
    'nestjs-tracing': require(join(root, 'package.json')).version,
    '@opentelemetry/api': version('@opentelemetry/api'),
    '@opentelemetry/sdk-trace-base': version('@opentelemetry/sdk-trace-base'),
    '@opentelemetry/sdk-trace': version('@opentelemetry/sdk-trace'),
    '@opentelemetry/core': version('@opentelemetry/core'),
    '@opentelemetry/context-async-hooks': version('@opentelemetry/context-async-hooks'),
  };
}

/**
 * A bounded in-memory queue in front of an exporter: the stand-in used until
 * lib/export/buffered-span.processor.ts is built. Same shape as a batching processor:
 * push on end, hand a batch to the exporter once 512 are queued (next turn of the event
 * loop), drop and count once 2048 are waiting.
 */
class BenchQueueProcessor {
  constructor(exporter) {
    this.exporter = exporter;
    this.queue = [];
    this.dropped = 0;
    this.scheduled = false;
    this.flush = () => {
      this.scheduled = false;
      const batch = this.queue;
      this.queue = [];
      this.exporter.export(batch);
    };
  }
  onStart() {}
  onEnd(span) {
    if ((span.spanContext().traceFlags & 1) === 0) return;
    if (this.queue.length >= 2048) {
      this.dropped++;
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= 512 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }
  async forceFlush() {
    if (this.queue.length > 0) this.flush();
  }
  async shutdown() {
    await this.forceFlush();
  }
}

/** Our library, from dist/cjs. `propagator` is undefined until lib/propagation is built. */
export function loadOurs() {
  // The framework-free parts only (the package root also loads the Nest integration, which
  // these rows do not use): dist/cjs/core, dist/cjs/propagation, the buffered processor.
  const core = requireIfBuilt('core/index.js');
  if (core === undefined) throw new Error('dist/cjs is missing: run `npm run build` first (npm run bench does)');
  const propagation = requireIfBuilt('propagation/index.js');
  const bufferedModule = requireIfBuilt('export/buffered-span.processor.js');
  const discarding = { export: () => Promise.resolve(), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
  const Buffered = bufferedModule?.BufferedSpanProcessor;
  const newProcessor = () => (Buffered ? new Buffered(discarding) : new BenchQueueProcessor(discarding));
  const W3C = propagation?.W3CTraceContextPropagator;
  const propagator = W3C ? new W3C() : undefined;
  const { Tracer, ParentBasedSampler, AlwaysOffSampler } = core;
  return {
    core,
    processorName: Buffered ? 'BufferedSpanProcessor' : 'bench stand-in queue (BufferedSpanProcessor not built yet)',
    propagator,
    sampled: new Tracer({ serviceName: 'bench', processor: newProcessor(), propagator }),
    unsampled: new Tracer({
      serviceName: 'bench',
      sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
      processor: newProcessor(),
      propagator,
    }),
    disabled: new Tracer({ serviceName: 'bench', enabled: false }),
  };
}

/**
 * The OpenTelemetry JS SDK 2.x as its docs set it up: BasicTracerProvider with a
 * BatchSpanProcessor in front of an exporter (here one that discards), the
 * AsyncLocalStorage context manager and the W3C Trace Context propagator registered globally.
 */
export function loadOtel() {
  const api = require('@opentelemetry/api');
  const { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, AlwaysOffSampler } = require('@opentelemetry/sdk-trace-base');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = require('@opentelemetry/core');
  const discarding = {
    export: (spans, done) => done({ code: 0 }),
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
  const contextManager = new AsyncLocalStorageContextManager();
  contextManager.enable();
  api.context.setGlobalContextManager(contextManager);
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  // The disabled path: what `trace.getTracer()` returns when no SDK is registered
  // (OTEL_SDK_DISABLED): a ProxyTracer delegating to the API's no-op tracer.
  const disabled = new api.ProxyTracerProvider().getTracer('bench');
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discarding)] });
  api.trace.setGlobalTracerProvider(provider);
  const unsampledProvider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    spanProcessors: [new BatchSpanProcessor(discarding)],
  });
  return {
    api,
    sampled: api.trace.getTracer('bench'),
    unsampled: unsampledProvider.getTracer('bench'),
    disabled,
  };
}
