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

/** Our library, from dist/cjs: Tracers with the BufferedSpanProcessor and the W3C trace-context propagator. */
export function loadOurs() {
  // The framework-free parts only (the package root also loads the Nest integration, which
  // these rows do not use): dist/cjs/core, dist/cjs/propagation, the buffered processor.
  const core = requireIfBuilt('core/index.js');
  if (core === undefined) throw new Error('dist/cjs is missing: run `npm run build` first (npm run bench does)');
  const propagation = requireIfBuilt('propagation/index.js');
  const bufferedModule = requireIfBuilt('export/buffered-span.processor.js');
  if (bufferedModule === undefined) throw new Error('dist/cjs/export/buffered-span.processor.js is missing: run `npm run build`');
  const discarding = { export: () => Promise.resolve(), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
  const { BufferedSpanProcessor } = bufferedModule;
  const newProcessor = () => new BufferedSpanProcessor(discarding);
  const W3C = propagation?.W3CTraceContextPropagator;
  const propagator = W3C ? new W3C() : undefined;
  const { Tracer, ParentBasedSampler, AlwaysOffSampler } = core;
  return {
    core,
    processorName: 'BufferedSpanProcessor',
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
