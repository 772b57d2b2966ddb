import { diag, DiagLogLevel } from '../../lib/core/diag.js';
import { DEFAULT_SPAN_LIMITS } from '../../lib/core/limits.js';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioSampler } from '../../lib/core/sampler.js';
import { resolveTracingOptions } from '../../lib/config/resolve-tracing-options.js';
import { InMemorySpanExporter } from '../../lib/export/in-memory-span.exporter.js';

let warnings: string[] = [];

beforeEach(() => {
  warnings = [];
  diag.resetOnce();
  diag.setLevel(DiagLogLevel.WARN);
  diag.setSink({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info: () => {}, debug: () => {} });
});
afterAll(() => {
  diag.setSink(undefined);
  diag.setLevel(DiagLogLevel.WARN);
});

function expectOneWarning(...parts: string[]): void {
  expect(warnings).toHaveLength(1);
  for (const p of parts) expect(warnings[0]).toContain(p);
}

describe('resolveTracingOptions: defaults', () => {
  it('uses OpenTelemetry defaults with an empty environment, silently', () => {
    const r = resolveTracingOptions({}, {});
    expect(r.enabled).toBe(true);
    expect(r.serviceName).toBe('unknown_service:node');
    expect(r.exporter).toBe('otlp');
    expect(r.otlp).toEqual({ endpoint: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf', headers: {}, compression: 'none', timeoutMillis: 10000 });
    expect(r.processor).toEqual({ maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000, maxConcurrentExports: 1 });
    expect(r.limits).toEqual(DEFAULT_SPAN_LIMITS);
    expect(r.propagators).toEqual(['tracecontext', 'baggage']);
    expect(r.sampler).toBeInstanceOf(ParentBasedSampler);
    expect(r.shutdownTimeoutMillis).toBe(5000);
    expect(r.resource).toEqual({
      'service.name': 'unknown_service:node',
      'telemetry.sdk.name': 'nestjs-tracing',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': expect.any(String),
    });
    expect(warnings).toEqual([]);
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it('disables tracing with "true" in any case', () => {
    expect(resolveTracingOptions({}, { OTEL_SDK_DISABLED: 'TRUE' }).enabled).toBe(false);
    expect(resolveTracingOptions({}, { OTEL_SDK_DISABLED: 'false' }).enabled).toBe(true);
  });
  it('is overridden by the enabled option', () => {
    expect(resolveTracingOptions({ enabled: true }, { OTEL_SDK_DISABLED: 'true' }).enabled).toBe(true);
  });
  it('warns once on a bad value and stays enabled', () => {
    expect(resolveTracingOptions({}, { OTEL_SDK_DISABLED: 'yes' }).enabled).toBe(true);
    expectOneWarning('OTEL_SDK_DISABLED', '"yes"');
  });
  it('warns once per process, however many apps resolve the same bad value', () => {
    for (let i = 0; i < 3; i++) resolveTracingOptions({ serviceName: `app-${i}` }, { OTEL_BSP_MAX_QUEUE_SIZE: 'lots' });
    expectOneWarning('OTEL_BSP_MAX_QUEUE_SIZE', '"lots"');
  });
});

describe('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', () => {
  it('takes the service name from OTEL_SERVICE_NAME over OTEL_RESOURCE_ATTRIBUTES', () => {
    const r = resolveTracingOptions({}, { OTEL_SERVICE_NAME: 'orders', OTEL_RESOURCE_ATTRIBUTES: 'service.name=other' });
    expect(r.serviceName).toBe('orders');
    expect(r.resource['service.name']).toBe('orders');
  });
  it('takes service.name from OTEL_RESOURCE_ATTRIBUTES when nothing else sets it', () => {
    expect(resolveTracingOptions({}, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=billing' }).serviceName).toBe('billing');
  });
  it('lets the serviceName option win', () => {
    expect(resolveTracingOptions({ serviceName: 'gateway' }, { OTEL_SERVICE_NAME: 'orders' }).serviceName).toBe('gateway');
  });
  it('percent-decodes resource attributes and merges options.resource over them', () => {
    const r = resolveTracingOptions(
      { resource: { 'team': 'core', 'replica': 3 } },
      { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod%20eu, team=edge ,note=a%2Cb%3Dc' },
    );
    expect(r.resource).toMatchObject({ 'deployment.environment': 'prod eu', team: 'core', note: 'a,b=c', replica: 3 });
    expect(warnings).toEqual([]);
  });
  it('discards the whole variable with one warning when an entry is malformed', () => {
    const r = resolveTracingOptions({}, { OTEL_RESOURCE_ATTRIBUTES: 'a=1,broken,c=%zz' });
    expect(r.resource['a']).toBeUndefined();
    expectOneWarning('OTEL_RESOURCE_ATTRIBUTES', 'broken');
  });
});

describe('OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG', () => {
  it('builds the named sampler with its ratio', () => {
    const r = resolveTracingOptions({}, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' });
    expect(r.sampler).toBeInstanceOf(TraceIdRatioSampler);
    expect((r.sampler as TraceIdRatioSampler).ratio).toBe(0.25);
    expect(resolveTracingOptions({}, { OTEL_TRACES_SAMPLER: 'always_off' }).sampler).toBeInstanceOf(AlwaysOffSampler);
    expect(resolveTracingOptions({}, { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' }).sampler.toString()).toBe(
      'ParentBased{root=TraceIdRatioBased{0.5}}',
    );
  });
  it('warns once on an unknown sampler and uses parentbased_always_on', () => {
    const r = resolveTracingOptions({}, { OTEL_TRACES_SAMPLER: 'sometimes' });
    expect(r.sampler.toString()).toBe('ParentBased{root=AlwaysOnSampler}');
    expectOneWarning('OTEL_TRACES_SAMPLER', '"sometimes"');
  });
  it('warns once on a ratio outside 0..1 and uses 1', () => {
    const r = resolveTracingOptions({}, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' });
    expect((r.sampler as TraceIdRatioSampler).ratio).toBe(1);
    expectOneWarning('OTEL_TRACES_SAMPLER_ARG', '"1.5"');
  });
  it('prefers a Sampler instance or name given in options', () => {
    const mine = new AlwaysOnSampler();
    expect(resolveTracingOptions({ sampler: mine }, { OTEL_TRACES_SAMPLER: 'always_off' }).sampler).toBe(mine);
    const named = resolveTracingOptions({ sampler: 'traceidratio', samplerArg: 0.1 }, { OTEL_TRACES_SAMPLER: 'always_off' }).sampler;
    expect((named as TraceIdRatioSampler).ratio).toBe(0.1);
  });
});

describe('OTEL_PROPAGATORS', () => {
  it('keeps the listed names in order', () => {
    expect(resolveTracingOptions({}, { OTEL_PROPAGATORS: 'b3multi, tracecontext' }).propagators).toEqual(['b3multi', 'tracecontext']);
  });
  it('returns no propagator for "none"', () => {
    expect(resolveTracingOptions({}, { OTEL_PROPAGATORS: 'none' }).propagators).toEqual([]);
  });
  it('skips an unknown name with one warning', () => {
    expect(resolveTracingOptions({}, { OTEL_PROPAGATORS: 'tracecontext,xray' }).propagators).toEqual(['tracecontext']);
    expectOneWarning('OTEL_PROPAGATORS', '"xray"');
  });
  it('lets the option win', () => {
    expect(resolveTracingOptions({ propagators: ['b3'] }, { OTEL_PROPAGATORS: 'tracecontext' }).propagators).toEqual(['b3']);
  });
});

describe('OTEL_TRACES_EXPORTER', () => {
  it.each(['otlp', 'console', 'none'])('accepts %s', (name) => {
    expect(resolveTracingOptions({}, { OTEL_TRACES_EXPORTER: name }).exporter).toBe(name);
  });
  it('warns once on an unsupported exporter and uses otlp', () => {
    expect(resolveTracingOptions({}, { OTEL_TRACES_EXPORTER: 'zipkin' }).exporter).toBe('otlp');
    expectOneWarning('OTEL_TRACES_EXPORTER', '"zipkin"');
  });
  it('passes an exporter instance from options through', () => {
    const exporter = new InMemorySpanExporter();
    expect(resolveTracingOptions({ exporter }, { OTEL_TRACES_EXPORTER: 'none' }).exporter).toBe(exporter);
  });
});

describe('OTEL_EXPORTER_OTLP_* endpoint', () => {
  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(resolveTracingOptions({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).otlp.endpoint).toBe('http://collector:4318/v1/traces');
    expect(resolveTracingOptions({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).otlp.endpoint).toBe('http://collector:4318/v1/traces');
  });
  it('takes OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as-is, over the generic one', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/custom/path' };
    expect(resolveTracingOptions({}, env).otlp.endpoint).toBe('https://b/custom/path');
  });
  it('lets otlp.endpoint win', () => {
    expect(resolveTracingOptions({ otlp: { endpoint: 'http://c/v1/traces' } }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://d' }).otlp.endpoint).toBe('http://c/v1/traces');
  });
  it('warns once on a URL that cannot be used', () => {
    expect(resolveTracingOptions({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }).otlp.endpoint).toBe('http://localhost:4318/v1/traces');
    expectOneWarning('OTEL_EXPORTER_OTLP_ENDPOINT', '"collector:4318"');
  });
});

describe('OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL / HEADERS / COMPRESSION / TIMEOUT', () => {
  it('reads the generic variables', () => {
    const r = resolveTracingOptions(
      {},
      {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s%3Dcret,x-tenant=acme',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      },
    );
    expect(r.otlp).toMatchObject({ protocol: 'http/json', headers: { 'api-key': 's=cret', 'x-tenant': 'acme' }, compression: 'gzip', timeoutMillis: 2500 });
  });
  it('lets the TRACES_ variants win over the generic ones', () => {
    const r = resolveTracingOptions(
      {},
      {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=2',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=3',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
        OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '3000',
      },
    );
    expect(r.otlp).toMatchObject({ protocol: 'http/protobuf', headers: { a: '1', b: '3' }, compression: 'gzip', timeoutMillis: 3000 });
  });
  it('lets the otlp options win', () => {
    const r = resolveTracingOptions(
      { otlp: { protocol: 'http/json', headers: { b: 'mine' }, compression: 'none', timeoutMillis: 42 } },
      { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_HEADERS: 'b=env', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TIMEOUT: '9' },
    );
    expect(r.otlp).toMatchObject({ protocol: 'http/json', headers: { b: 'mine' }, compression: 'none', timeoutMillis: 42 });
  });
  it.each([
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', 'protocol', 'http/protobuf'],
    ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'http/xml', 'protocol', 'http/protobuf'],
    ['OTEL_EXPORTER_OTLP_COMPRESSION', 'brotli', 'compression', 'none'],
    ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'zip', 'compression', 'none'],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', '10s', 'timeoutMillis', 10000],
    ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', '-5', 'timeoutMillis', 10000],
  ])('warns once on %s=%s and uses the default', (name, value, field, fallback) => {
    const r = resolveTracingOptions({}, { [name]: value });
    expect((r.otlp as unknown as Record<string, unknown>)[field]).toBe(fallback);
    expectOneWarning(name, JSON.stringify(value));
  });
  it.each(['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'])('discards a malformed %s with one warning', (name) => {
    expect(resolveTracingOptions({}, { [name]: 'novalue' }).otlp.headers).toEqual({});
    expectOneWarning(name, '"novalue"');
  });
});

describe('OTEL_BSP_*', () => {
  it('reads every variable', () => {
    const r = resolveTracingOptions(
      {},
      { OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10', OTEL_BSP_SCHEDULE_DELAY: '250', OTEL_BSP_EXPORT_TIMEOUT: '900' },
    );
    expect(r.processor).toEqual({ maxQueueSize: 100, maxExportBatchSize: 10, scheduledDelayMillis: 250, exportTimeoutMillis: 900, maxConcurrentExports: 1 });
  });
  it('lets processor options win', () => {
    const r = resolveTracingOptions({ processor: { maxQueueSize: 7, maxExportBatchSize: 7, scheduledDelayMillis: 1, exportTimeoutMillis: 2, maxConcurrentExports: 3 } }, { OTEL_BSP_MAX_QUEUE_SIZE: '100' });
    expect(r.processor).toEqual({ maxQueueSize: 7, maxExportBatchSize: 7, scheduledDelayMillis: 1, exportTimeoutMillis: 2, maxConcurrentExports: 3 });
  });
  it('clamps a batch larger than the queue, with one warning', () => {
    const r = resolveTracingOptions({}, { OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500' });
    expect(r.processor.maxExportBatchSize).toBe(100);
    expectOneWarning('500', '100');
  });
  it.each([
    ['OTEL_BSP_MAX_QUEUE_SIZE', '0', 'maxQueueSize', 2048],
    ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 'lots', 'maxExportBatchSize', 512],
    ['OTEL_BSP_SCHEDULE_DELAY', '1.5', 'scheduledDelayMillis', 5000],
    ['OTEL_BSP_EXPORT_TIMEOUT', '-1', 'exportTimeoutMillis', 30000],
  ])('warns once on %s=%s and uses the default', (name, value, field, fallback) => {
    const r = resolveTracingOptions({}, { [name]: value });
    expect((r.processor as unknown as Record<string, unknown>)[field]).toBe(fallback);
    expectOneWarning(name, JSON.stringify(value));
  });
});

describe('span limits', () => {
  it('reads the general attribute limits', () => {
    const r = resolveTracingOptions({}, { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '64', OTEL_ATTRIBUTE_COUNT_LIMIT: '16' });
    expect(r.limits).toMatchObject({ attributeValueLengthLimit: 64, attributeCountLimit: 16 });
  });
  it('lets the span-specific attribute limits win over the general ones', () => {
    const r = resolveTracingOptions(
      {},
      { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '64', OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '32', OTEL_ATTRIBUTE_COUNT_LIMIT: '16', OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '8' },
    );
    expect(r.limits).toMatchObject({ attributeValueLengthLimit: 32, attributeCountLimit: 8 });
  });
  it('reads the event and link limits', () => {
    const r = resolveTracingOptions(
      {},
      { OTEL_SPAN_EVENT_COUNT_LIMIT: '5', OTEL_SPAN_LINK_COUNT_LIMIT: '6', OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '7', OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '9' },
    );
    expect(r.limits).toMatchObject({ eventCountLimit: 5, linkCountLimit: 6, attributePerEventCountLimit: 7, attributePerLinkCountLimit: 9 });
  });
  it('lets limits options win', () => {
    const r = resolveTracingOptions({ limits: { attributeCountLimit: 3, eventCountLimit: 4 } }, { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '8', OTEL_SPAN_EVENT_COUNT_LIMIT: '5' });
    expect(r.limits).toMatchObject({ attributeCountLimit: 3, eventCountLimit: 4 });
  });
  it.each([
    'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
    'OTEL_ATTRIBUTE_COUNT_LIMIT',
    'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
    'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
    'OTEL_SPAN_EVENT_COUNT_LIMIT',
    'OTEL_SPAN_LINK_COUNT_LIMIT',
    'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT',
    'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT',
  ])('warns once on a bad %s and keeps the default', (name) => {
    const r = resolveTracingOptions({}, { [name]: 'many' });
    expect(r.limits).toEqual(DEFAULT_SPAN_LIMITS);
    expectOneWarning(name, '"many"');
  });
});

describe('OTEL_LOG_LEVEL', () => {
  it('sets the diag level', () => {
    const r = resolveTracingOptions({}, { OTEL_LOG_LEVEL: 'debug' });
    expect(r.logLevel).toBe(DiagLogLevel.DEBUG);
    expect(diag.level).toBe(DiagLogLevel.DEBUG);
  });
  it('silences the resolver warnings when set to NONE', () => {
    resolveTracingOptions({}, { OTEL_LOG_LEVEL: 'none', OTEL_BSP_MAX_QUEUE_SIZE: 'x' });
    expect(warnings).toEqual([]);
  });
  it('warns once on an unknown level', () => {
    expect(resolveTracingOptions({}, { OTEL_LOG_LEVEL: 'chatty' }).logLevel).toBeUndefined();
    expectOneWarning('OTEL_LOG_LEVEL', '"chatty"');
  });
});

describe('options given in code', () => {
  it('warns once on a bad numeric option and uses the default', () => {
    const r = resolveTracingOptions({ processor: { maxQueueSize: -3 } }, {});
    expect(r.processor.maxQueueSize).toBe(2048);
    expectOneWarning('processor.maxQueueSize', '-3');
  });
});
