import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INFRA_DIR } from './checks/infra-copy.js';
import { checkTempoConfig, tempoFacts } from './checks/tempo-config.check.js';
import { readYaml } from './checks/yaml-file.js';

const config = readYaml(join(INFRA_DIR, 'tempo', 'tempo.yaml')).value as Record<string, any>;

function broken(edit: (c: Record<string, any>) => void): Record<string, any> {
  const copy = structuredClone(config);
  edit(copy);
  return copy;
}

describe('infra/tempo/tempo.yaml', () => {
  it('is a consistent single-binary config', () => {
    expect(checkTempoConfig(config)).toEqual([]);
  });

  it('receives OTLP over gRPC and HTTP on all interfaces, answers queries on 3200, stores locally under /var/tempo', () => {
    expect(tempoFacts(config)).toEqual({ httpPort: 3200, otlpGrpcPort: 4317, otlpHttpPort: 4318, dataPaths: ['/var/tempo/wal', '/var/tempo/blocks'] });
    expect(config.storage.trace.backend).toBe('local');
  });

  it('documents S3 object storage for production in its comments', () => {
    const text = readFileSync(join(INFRA_DIR, 'tempo', 'tempo.yaml'), 'utf8');
    expect(text).toMatch(/#\s+backend: s3/);
    expect(text).toMatch(/#\s+bucket:/);
  });

  describe('the checker fails a config that', () => {
    it.each<[string, (c: Record<string, any>) => void, RegExp]>([
      ['has no OTLP HTTP receiver', (c) => delete c.distributor.receivers.otlp.protocols.http, /protocols\.http: missing/],
      ['has no OTLP receivers at all', (c) => delete c.distributor, /Tempo would accept no OTLP/],
      ['leaves the gRPC receiver on the localhost default', (c) => (c.distributor.receivers.otlp.protocols.grpc = {}), /grpc\.endpoint: not set/],
      ['leaves the query port implicit', (c) => delete c.server.http_listen_port, /http_listen_port: set it explicitly/],
      ['uses an unknown storage backend', (c) => (c.storage.trace.backend = 'disk'), /"disk" is not one of/],
      ['has no WAL path', (c) => delete c.storage.trace.wal, /wal\.path: required/],
      ['uses S3 with access keys in the file', (c) => {
        c.storage.trace.backend = 's3';
        c.storage.trace.s3 = { bucket: 'b', access_key: 'x', secret_key: 'y' };
      }, /holds access keys/],
    ])('%s', (_what, edit, message) => {
      expect(checkTempoConfig(broken(edit))).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    });
  });
});
