import { join } from 'node:path';
import { checkCollectorConfig, collectorEnvReferences, collectorListeners } from './checks/collector-config.check.js';
import { INFRA_DIR } from './checks/infra-copy.js';
import { readYaml } from './checks/yaml-file.js';

const config = readYaml(join(INFRA_DIR, 'otel-collector', 'config.yaml')).value as Record<string, any>;

/** A deep copy of the real config with one thing broken. */
function broken(edit: (c: Record<string, any>) => void): Record<string, any> {
  const copy = structuredClone(config);
  edit(copy);
  return copy;
}

describe('infra/otel-collector/config.yaml', () => {
  it('references only defined receivers, processors, exporters and extensions, and uses all of them', () => {
    expect(checkCollectorConfig(config)).toEqual([]);
  });

  it('listens for OTLP on gRPC 4317 and HTTP 4318 on all interfaces', () => {
    expect(collectorListeners(config)).toEqual({ grpc: 4317, http: 4318 });
    expect(config.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
  });

  it('runs memory_limiter first, then tail sampling, then batch, and exports to Tempo over OTLP gRPC', () => {
    expect(config.service.pipelines.traces.processors).toEqual(['memory_limiter', 'tail_sampling', 'batch']);
    expect(config.service.pipelines.traces.exporters).toEqual(['otlp_grpc/tempo']);
    expect(collectorEnvReferences(config)).toEqual(['TEMPO_OTLP_ENDPOINT']);
  });

  it('keeps errors, traces slower than 500 ms, and a probabilistic share of the rest', () => {
    const policies = config.processors.tail_sampling.policies as Record<string, any>[];
    expect(policies.map((p) => p.type)).toEqual(['status_code', 'latency', 'probabilistic']);
    expect(policies[0].status_code.status_codes).toEqual(['ERROR']);
    expect(policies[1].latency.threshold_ms).toBe(500);
    expect(policies[2].probabilistic.sampling_percentage).toBeGreaterThan(0);
    expect(policies[2].probabilistic.sampling_percentage).toBeLessThan(100);
  });

  describe('infra/otel-collector/loadbalancer.yaml (the tier in front of several samplers)', () => {
    const lb = readYaml(join(INFRA_DIR, 'otel-collector', 'loadbalancer.yaml')).value as Record<string, any>;

    it('is a consistent collector config on the same OTLP ports', () => {
      expect(checkCollectorConfig(lb)).toEqual([]);
      expect(collectorListeners(lb)).toEqual(collectorListeners(config));
    });

    it('routes by trace id to the sampling collectors\' gRPC port, and samples nothing itself', () => {
      expect(lb.exporters.loadbalancing.routing_key).toBe('traceID');
      expect(lb.exporters.loadbalancing.resolver.dns.port).toBe(collectorListeners(config).grpc);
      expect(lb.service.pipelines.traces.processors).not.toContain('tail_sampling');
    });
  });

  describe('the checker fails a config that', () => {
    it.each<[string, (c: Record<string, any>) => void, RegExp]>([
      ['lists an undefined processor in a pipeline', (c) => c.service.pipelines.traces.processors.push('attributes/missing'), /"attributes\/missing" is not defined under processors/],
      ['exports to an undefined exporter', (c) => (c.service.pipelines.traces.exporters = ['otlp_grpc/nowhere']), /"otlp_grpc\/nowhere" is not defined under exporters/],
      ['defines an exporter no pipeline uses', (c) => (c.exporters.debug = {}), /exporters\.debug: defined but not used/],
      ['enables an undefined extension', (c) => c.service.extensions.push('pprof'), /"pprof" is not defined under extensions/],
      ['misspells a component type', (c) => {
        c.processors.tailsampling = c.processors.tail_sampling;
        delete c.processors.tail_sampling;
        c.service.pipelines.traces.processors[1] = 'tailsampling';
      }, /unknown processor type "tailsampling"/],
      ['has a pipeline without receivers', (c) => (c.service.pipelines.traces.receivers = []), /traces\.receivers: a pipeline needs at least one/],
      ['has no pipelines', (c) => delete c.service.pipelines, /service\.pipelines: missing or empty/],
      ['names a pipeline after no signal', (c) => {
        c.service.pipelines.spans = c.service.pipelines.traces;
        delete c.service.pipelines.traces;
      }, /pipeline id must start with one of/],
      ['puts memory_limiter after another processor', (c) => (c.service.pipelines.traces.processors = ['tail_sampling', 'memory_limiter', 'batch']), /memory_limiter must come first/],
      ['batches before tail sampling', (c) => (c.service.pipelines.traces.processors = ['memory_limiter', 'batch', 'tail_sampling']), /batch must come after tail_sampling/],
      ['has a tail sampling policy of an unknown type', (c) => (c.processors.tail_sampling.policies[1].type = 'slowness'), /unknown policy type "slowness"/],
      ['has a latency policy without threshold', (c) => (c.processors.tail_sampling.policies[1].latency = {}), /latency\.threshold_ms must be a positive number/],
      ['has settings for another policy type than its own', (c) => (c.processors.tail_sampling.policies[0].type = 'latency'), /has "status_code" settings but its type is "latency"/],
      ['samples 150 %', (c) => (c.processors.tail_sampling.policies[2].probabilistic.sampling_percentage = 150), /sampling_percentage must be in \(0, 100\]/],
      ['keeps an unknown status code', (c) => (c.processors.tail_sampling.policies[0].status_code.status_codes = ['FAILED']), /"FAILED" is not OK, ERROR or UNSET/],
      ['has two policies with one name', (c) => (c.processors.tail_sampling.policies[1].name = c.processors.tail_sampling.policies[0].name), /duplicate policy name/],
      ['has no policies', (c) => (c.processors.tail_sampling.policies = []), /needs at least one policy/],
      ['has a bad decision_wait', (c) => (c.processors.tail_sampling.decision_wait = 'soon'), /decision_wait: "soon" is not a positive duration/],
      ['has an `and` policy with a broken sub-policy', (c) => c.processors.tail_sampling.policies.push({
        name: 'slow-errors', type: 'and', and: { and_sub_policy: [{ name: 'x', type: 'latency', latency: {} }] },
      }), /and_sub_policy\[0\] \(x\): latency\.threshold_ms/],
      ['lets the OTLP receiver default to localhost', (c) => delete c.receivers.otlp.protocols.http.endpoint, /protocols\.http\.endpoint: not set; the default binds to localhost/],
      ['binds the OTLP receiver to loopback', (c) => (c.receivers.otlp.protocols.grpc.endpoint = '127.0.0.1:4317'), /listens on loopback only/],
      ['gives memory_limiter no limit', (c) => (c.processors.memory_limiter = { check_interval: '1s' }), /set limit_mib or limit_percentage/],
      ['gives an OTLP exporter no endpoint', (c) => delete c.exporters['otlp_grpc/tempo'].endpoint, /otlp_grpc\/tempo: needs an endpoint/],
    ])('%s', (_what, edit, message) => {
      expect(checkCollectorConfig(broken(edit))).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    });
  });
});
