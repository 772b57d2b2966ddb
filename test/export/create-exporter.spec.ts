import { resolveTracingOptions } from '../../lib/config/resolve-tracing-options.js';
import { Tracer } from '../../lib/core/tracer.js';
import { BufferedSpanProcessor } from '../../lib/export/buffered-span.processor.js';
import { ConsoleSpanExporter } from '../../lib/export/console-span.exporter.js';
import { createExporter, NoopSpanExporter } from '../../lib/export/create-exporter.js';
import { InMemorySpanExporter } from '../../lib/export/in-memory-span.exporter.js';
import { OtlpHttpSpanExporter } from '../../lib/export/otlp/otlp-http.exporter.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { burst } from './export-test-kit.js';

describe('createExporter', () => {
  it('builds what OTEL_TRACES_EXPORTER names', () => {
    expect(createExporter(resolveTracingOptions({}, { OTEL_TRACES_EXPORTER: 'console' }))).toBeInstanceOf(ConsoleSpanExporter);
    expect(createExporter(resolveTracingOptions({}, { OTEL_TRACES_EXPORTER: 'none' }))).toBeInstanceOf(NoopSpanExporter);
    const otlp = createExporter(resolveTracingOptions({}, {})) as OtlpHttpSpanExporter;
    expect(otlp).toBeInstanceOf(OtlpHttpSpanExporter);
    expect(otlp.endpoint).toBe('http://localhost:4318/v1/traces');
    expect(otlp.protocol).toBe('http/protobuf');
    void otlp.shutdown();
  });

  it('passes a user exporter through', () => {
    const mine = new InMemorySpanExporter();
    expect(createExporter(resolveTracingOptions({ exporter: mine }, {}))).toBe(mine);
  });

  it('sends what the OTEL_EXPORTER_OTLP_* variables configure to the collector', async () => {
    const rx = await OtlpReceiver.start();
    try {
      const resolved = resolveTracingOptions(
        {},
        {
          OTEL_SERVICE_NAME: 'from-env',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging,team=payments%20core',
          OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint,
          OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
          OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20t0ken',
          OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
          OTEL_BSP_SCHEDULE_DELAY: '60000',
        },
      );
      const processor = new BufferedSpanProcessor(createExporter(resolved), resolved.processor);
      const tracer = new Tracer({ serviceName: resolved.serviceName, resource: { ...resolved.resource }, processor });
      const ids = burst(tracer, 3);
      await tracer.shutdown();
      const [req] = rx.requests;
      expect(req!.path).toBe('/v1/traces');
      expect(req!.contentType).toBe('application/json');
      expect(req!.gzip).toBe(true);
      expect(req!.headers['authorization']).toBe('Bearer t0ken');
      const spans = rx.spans();
      expect(spans.map((s) => s.spanId)).toEqual(ids);
      expect(spans[0]!.resource).toMatchObject({ 'service.name': 'from-env', 'deployment.environment': 'staging', team: 'payments core' });
    } finally {
      await rx.close();
    }
  });
});
