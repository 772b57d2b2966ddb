import { checkListenEndpoint } from './collector-config.check.js';
import { isMap } from './yaml-file.js';

/** What other files need to know about a Tempo config. */
export interface TempoFacts {
  httpPort?: number;
  otlpGrpcPort?: number;
  otlpHttpPort?: number;
  /** Directories Tempo writes to (WAL, local blocks): they must be on a persistent volume. */
  dataPaths: string[];
}

const BACKENDS = ['local', 's3', 'gcs', 'azure'];

/** Checks a parsed Tempo (single binary) config; returns problems, [] when it is consistent. */
export function checkTempoConfig(config: unknown): string[] {
  if (!isMap(config)) return ['tempo config: top level is not a mapping'];
  const problems: string[] = [];

  const server = config.server;
  if (!isMap(server) || !isPort(server.http_listen_port)) {
    problems.push('server.http_listen_port: set it explicitly (Grafana\'s data source URL depends on it; the default moved from 80 to 3200 in Tempo 2.8)');
  }

  const otlp = isMap(config.distributor) && isMap(config.distributor.receivers) ? config.distributor.receivers.otlp : undefined;
  const protocols = isMap(otlp) ? otlp.protocols : undefined;
  if (!isMap(protocols)) problems.push('distributor.receivers.otlp.protocols: missing; Tempo would accept no OTLP');
  else {
    for (const protocol of ['grpc', 'http']) {
      const p = protocols[protocol];
      if (!isMap(p)) problems.push(`distributor.receivers.otlp.protocols.${protocol}: missing`);
      else problems.push(...checkListenEndpoint(`distributor.receivers.otlp.protocols.${protocol}.endpoint`, p.endpoint));
    }
  }

  const trace = isMap(config.storage) ? config.storage.trace : undefined;
  if (!isMap(trace)) return [...problems, 'storage.trace: missing'];
  const backend = trace.backend;
  if (typeof backend !== 'string' || !BACKENDS.includes(backend)) {
    problems.push(`storage.trace.backend: "${String(backend)}" is not one of ${BACKENDS.join(', ')}`);
  }
  if (!isMap(trace.wal) || typeof trace.wal.path !== 'string') problems.push('storage.trace.wal.path: required');
  if (backend === 'local' && !(isMap(trace.local) && typeof trace.local.path === 'string')) {
    problems.push('storage.trace.local.path: required with the local backend');
  }
  if (backend === 's3') {
    const s3 = trace.s3;
    if (!isMap(s3) || typeof s3.bucket !== 'string') problems.push('storage.trace.s3.bucket: required with the s3 backend');
    if (isMap(s3) && (s3.access_key !== undefined || s3.secret_key !== undefined)) {
      problems.push('storage.trace.s3: holds access keys; use the task role (no keys in files)');
    }
  }
  return problems;
}

/** Ports and data directories from a Tempo config (undefined where not set). */
export function tempoFacts(config: unknown): TempoFacts {
  const facts: TempoFacts = { dataPaths: [] };
  if (!isMap(config)) return facts;
  if (isMap(config.server) && isPort(config.server.http_listen_port)) facts.httpPort = config.server.http_listen_port;
  const otlp = isMap(config.distributor) && isMap(config.distributor.receivers) ? config.distributor.receivers.otlp : undefined;
  const protocols = isMap(otlp) && isMap(otlp.protocols) ? otlp.protocols : {};
  const port = (p: unknown) => (isMap(p) && typeof p.endpoint === 'string' ? Number(/:(\d+)$/.exec(p.endpoint)?.[1]) || undefined : undefined);
  facts.otlpGrpcPort = port(protocols.grpc);
  facts.otlpHttpPort = port(protocols.http);
  const trace = isMap(config.storage) && isMap(config.storage.trace) ? config.storage.trace : {};
  for (const block of [trace.wal, trace.local]) {
    if (isMap(block) && typeof block.path === 'string') facts.dataPaths.push(block.path);
  }
  return facts;
}

function isPort(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536;
}
