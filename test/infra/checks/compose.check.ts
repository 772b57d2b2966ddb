import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { checkCollectorConfig, collectorEnvReferences, collectorListeners, expandEnv } from './collector-config.check.js';
import { checkTempoConfig, tempoFacts } from './tempo-config.check.js';
import { isMap, readYaml } from './yaml-file.js';

/**
 * Offline checks of infra/docker-compose.yml and everything it points at: the files it mounts
 * exist, each service's config is valid, and the addresses line up (app -> collector ->
 * Tempo <- Grafana) with the ports those configs really listen on.
 */

interface Mount {
  source: string; // host path (absolute) for a bind mount, volume name otherwise
  target: string;
  bind: boolean;
}

interface Service {
  name: string;
  raw: Record<string, unknown>;
  image?: string;
  env: Record<string, string>;
  mounts: Mount[];
  command: string[];
}

const DEPENDS_CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'];

/** Checks a compose file and the files it references; returns problems, [] when consistent. */
export function checkComposeStack(composeFile: string): string[] {
  const dir = dirname(resolve(composeFile));
  const parsed = readYaml(composeFile, 'docker-compose.yml');
  if (parsed.problems.length > 0) return parsed.problems;
  const compose = parsed.value;
  if (!isMap(compose) || !isMap(compose.services) || Object.keys(compose.services).length === 0) {
    return ['docker-compose.yml: no services'];
  }
  const problems: string[] = [];
  const volumes = isMap(compose.volumes) ? Object.keys(compose.volumes) : [];
  const services = new Map<string, Service>();
  const hostPorts = new Map<string, string>();

  for (const [name, raw] of Object.entries(compose.services)) {
    const at = `services.${name}`;
    if (!isMap(raw)) {
      problems.push(`${at}: must be a mapping`);
      continue;
    }
    const svc: Service = { name, raw, env: envOf(raw.environment), mounts: [], command: commandOf(raw.command) };
    services.set(name, svc);

    if (typeof raw.image === 'string') {
      svc.image = raw.image;
      if (!isPinned(raw.image)) problems.push(`${at}.image: "${raw.image}" is not pinned to a version tag or digest`);
    } else if (raw.build !== undefined) {
      problems.push(...checkBuild(at, raw.build, dir));
    } else {
      problems.push(`${at}: needs an image or a build`);
    }

    for (const v of Array.isArray(raw.volumes) ? raw.volumes : []) {
      const mount = parseMount(v, dir);
      if (!mount) {
        problems.push(`${at}.volumes: cannot read "${JSON.stringify(v)}"`);
        continue;
      }
      svc.mounts.push(mount);
      if (mount.bind && !existsSync(mount.source)) problems.push(`${at}.volumes: ${mount.source} does not exist in the repository`);
      if (!mount.bind && !volumes.includes(mount.source)) problems.push(`${at}.volumes: named volume "${mount.source}" is not declared under volumes`);
    }

    const deps = raw.depends_on;
    const depNames = Array.isArray(deps) ? deps.map(String) : isMap(deps) ? Object.keys(deps) : [];
    for (const dep of depNames) {
      if (!isMap(compose.services) || !(dep in compose.services)) problems.push(`${at}.depends_on: no service "${dep}"`);
      const cond = isMap(deps) && isMap(deps[dep]) ? deps[dep].condition : undefined;
      if (cond !== undefined && !DEPENDS_CONDITIONS.includes(String(cond))) problems.push(`${at}.depends_on.${dep}: unknown condition "${cond}"`);
    }

    for (const p of Array.isArray(raw.ports) ? raw.ports : []) {
      const m = /^(?:([\d.]+):)?(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(String(p));
      if (!m) {
        problems.push(`${at}.ports: "${p}" is not [ip:]host:container`);
        continue;
      }
      const key = `${m[1] ?? '0.0.0.0'}:${m[2]}`;
      const other = hostPorts.get(m[2]);
      if (other) problems.push(`${at}.ports: host port ${m[2]} is also published by ${other}`);
      hostPorts.set(m[2], name);
      void key;
    }
  }

  problems.push(...checkWiring(services));
  return problems;
}

/** The app -> collector -> Tempo <- Grafana wiring, read from the configs the services mount. */
function checkWiring(services: Map<string, Service>): string[] {
  const problems: string[] = [];
  const byImage = (part: string) => [...services.values()].find((s) => s.image?.includes(part) && s.command.length > 0);
  const collector = byImage('opentelemetry-collector');
  const tempo = byImage('grafana/tempo');
  const grafana = [...services.values()].find((s) => s.image?.startsWith('grafana/grafana'));
  if (!collector) problems.push('no collector service (an opentelemetry-collector image with a --config command)');
  if (!tempo) problems.push('no Tempo service (a grafana/tempo image with a -config.file command)');
  if (!grafana) problems.push('no Grafana service (a grafana/grafana image)');

  // Tempo: its config, and its data on a volume.
  let tempoPorts: ReturnType<typeof tempoFacts> | undefined;
  if (tempo) {
    const file = configFile(tempo, '-config.file', problems);
    if (file) {
      const y = readYaml(file, 'tempo.yaml');
      problems.push(...y.problems, ...checkTempoConfig(y.value).map((p) => `tempo.yaml: ${p}`));
      tempoPorts = tempoFacts(y.value);
      for (const path of tempoPorts.dataPaths) {
        if (!tempo.mounts.some((m) => !m.bind && isUnder(path, m.target))) {
          problems.push(`services.${tempo.name}: Tempo writes ${path} but no volume is mounted there (traces would vanish with the container)`);
        }
      }
    }
  }

  // Collector: its config, the environment it needs, and where it exports.
  let listeners: ReturnType<typeof collectorListeners> = {};
  if (collector) {
    const file = configFile(collector, '--config', problems);
    if (file) {
      const y = readYaml(file, 'otel-collector config');
      problems.push(...y.problems, ...checkCollectorConfig(y.value).map((p) => `otel-collector config: ${p}`));
      listeners = collectorListeners(y.value);
      for (const name of collectorEnvReferences(y.value)) {
        if (!(name in collector.env)) problems.push(`services.${collector.name}.environment: the collector config reads \${env:${name}} but it is not set`);
      }
      const exporters = isMap(y.value) && isMap(y.value.exporters) ? y.value.exporters : {};
      for (const [id, settings] of Object.entries(exporters)) {
        const type = id.split('/')[0];
        if (!isMap(settings) || typeof settings.endpoint !== 'string') continue;
        const grpc = type === 'otlp' || type === 'otlp_grpc';
        if (!grpc && type !== 'otlphttp' && type !== 'otlp_http') continue;
        const target = hostPort(expandEnv(settings.endpoint, collector.env));
        if (!target) {
          problems.push(`otel-collector config: exporters.${id}.endpoint "${settings.endpoint}" does not resolve to host:port here`);
          continue;
        }
        if (!services.has(target.host)) problems.push(`otel-collector config: exporters.${id} sends to "${target.host}", which is not a compose service`);
        else if (tempo && target.host === tempo.name) {
          const want = grpc ? tempoPorts?.otlpGrpcPort : tempoPorts?.otlpHttpPort;
          if (target.port !== want) {
            problems.push(`otel-collector config: exporters.${id} sends to ${target.host}:${target.port} but Tempo's OTLP ${grpc ? 'gRPC' : 'HTTP'} receiver listens on ${want}`);
          }
        }
      }
    }
  }

  // Grafana: the provisioned Tempo data source points at Tempo's HTTP port.
  if (grafana && tempo) {
    const mount = grafana.mounts.find((m) => m.bind && isUnder('/etc/grafana/provisioning/datasources', m.target));
    const dir = mount && join(mount.source, posix.relative(mount.target, '/etc/grafana/provisioning/datasources'));
    const files = dir && existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];
    const sources = files.flatMap((f) => {
      const y = readYaml(join(dir!, f), `grafana datasources/${f}`);
      problems.push(...y.problems);
      return isMap(y.value) && Array.isArray(y.value.datasources) ? y.value.datasources.filter(isMap) : [];
    });
    const tempoSources = sources.filter((d) => d.type === 'tempo');
    if (tempoSources.length === 0) problems.push(`services.${grafana.name}: no Tempo data source provisioned under /etc/grafana/provisioning/datasources`);
    for (const d of tempoSources) {
      const url = safeUrl(d.url);
      if (!url || url.hostname !== tempo.name || Number(url.port) !== tempoPorts?.httpPort) {
        problems.push(`grafana data source "${String(d.name)}": url ${String(d.url)} should be http://${tempo.name}:${tempoPorts?.httpPort} (Tempo's server.http_listen_port)`);
      }
    }
  }

  // Apps: OTEL_EXPORTER_OTLP_ENDPOINT reaches the collector's receiver for their protocol.
  for (const app of services.values()) {
    const endpoint = app.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    if (endpoint === undefined) continue;
    const at = `services.${app.name}.environment`;
    if (!app.env.OTEL_SERVICE_NAME) problems.push(`${at}: set OTEL_SERVICE_NAME next to OTEL_EXPORTER_OTLP_ENDPOINT`);
    const url = safeUrl(endpoint);
    if (!url || !url.port) {
      problems.push(`${at}: OTEL_EXPORTER_OTLP_ENDPOINT "${endpoint}" is not a URL with a port`);
      continue;
    }
    if (url.pathname !== '/') problems.push(`${at}: OTEL_EXPORTER_OTLP_ENDPOINT is a base URL; the exporter appends /v1/traces itself (drop "${url.pathname}")`);
    if (!collector || url.hostname !== collector.name) {
      problems.push(`${at}: OTEL_EXPORTER_OTLP_ENDPOINT host "${url.hostname}" is not the collector service${collector ? ` ("${collector.name}")` : ''}`);
      continue;
    }
    const protocol = app.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
    const want = protocol === 'grpc' ? listeners.grpc : listeners.http;
    if (Number(url.port) !== want) {
      problems.push(`${at}: OTEL_EXPORTER_OTLP_ENDPOINT port ${url.port} is not the collector's OTLP ${protocol === 'grpc' ? 'gRPC' : 'HTTP'} receiver port (${want ?? 'none'})`);
    }
    const depends = app.raw.depends_on;
    const deps = Array.isArray(depends) ? depends : isMap(depends) ? Object.keys(depends) : [];
    if (!deps.includes(collector.name)) problems.push(`services.${app.name}.depends_on: should include ${collector.name}`);
  }
  return problems;
}

/** The host file behind the path in a `--config=` style argument, via the service's bind mounts. */
function configFile(svc: Service, flag: string, problems: string[]): string | undefined {
  const path = svc.command.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  if (!path) {
    problems.push(`services.${svc.name}.command: no ${flag}=<file> argument`);
    return undefined;
  }
  const mount = svc.mounts.find((m) => m.bind && isUnder(path, m.target));
  if (!mount) {
    problems.push(`services.${svc.name}: its command reads ${path}, but no file from the repository is mounted there`);
    return undefined;
  }
  const file = join(mount.source, posix.relative(mount.target, path));
  if (!existsSync(file) || !statSync(file).isFile()) {
    problems.push(`services.${svc.name}: ${path} maps to ${file}, which is not a file`);
    return undefined;
  }
  return file;
}

function checkBuild(at: string, build: unknown, dir: string): string[] {
  const context = resolve(dir, typeof build === 'string' ? build : isMap(build) && typeof build.context === 'string' ? build.context : '.');
  if (!existsSync(context)) return [`${at}.build.context: ${context} does not exist`];
  const dockerfile = isMap(build) && typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile';
  if (!existsSync(resolve(context, dockerfile))) return [`${at}.build.dockerfile: ${dockerfile} not found in ${context}`];
  return [];
}

function parseMount(v: unknown, dir: string): Mount | undefined {
  let source: string | undefined;
  let target: string | undefined;
  if (typeof v === 'string') {
    const parts = v.split(':');
    if (parts.length < 2) return undefined;
    [source, target] = parts;
  } else if (isMap(v) && typeof v.source === 'string' && typeof v.target === 'string') {
    source = v.source;
    target = v.target;
  }
  if (!source || !target) return undefined;
  const bind = /^[./~]/.test(source);
  return { source: bind ? resolve(dir, source) : source, target, bind };
}

function envOf(env: unknown): Record<string, string> {
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e) => String(e)).map((e) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]));
  }
  return isMap(env) ? Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)])) : {};
}

function commandOf(cmd: unknown): string[] {
  if (Array.isArray(cmd)) return cmd.map(String);
  return typeof cmd === 'string' ? cmd.split(/\s+/).filter(Boolean) : [];
}

/** A tag other than `latest`, or a digest. */
export function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const last = image.split('/').pop() ?? '';
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag !== '' && tag !== 'latest';
}

function isUnder(path: string, dir: string): boolean {
  const rel = posix.relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !posix.isAbsolute(rel));
}

function hostPort(endpoint: string): { host: string; port: number } | undefined {
  const m = /^(?:[a-z]+:\/\/)?([A-Za-z0-9.-]+):(\d+)\/?$/.exec(endpoint);
  return m ? { host: m[1], port: Number(m[2]) } : undefined;
}

function safeUrl(v: unknown): URL | undefined {
  try {
    return typeof v === 'string' ? new URL(v) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The image's start command must be the last step of package.json's "start" script, and the
 * Dockerfile must run every step before it, so `npm start` and the container run the same app.
 */
export function checkDockerfileMatchesStart(dockerfile: string, packageJson: string): string[] {
  const text = readFileSync(dockerfile, 'utf8');
  const start = (JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts?: Record<string, string> }).scripts?.start;
  if (!start) return ['package.json has no "start" script'];
  const steps = start.split('&&').map((s) => s.trim().replace(/\s--silent\b/g, ''));
  const last = steps.pop()!;
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(text);
  const problems: string[] = [];
  const argv = cmd ? (JSON.parse(cmd[1]) as string[]).join(' ') : undefined;
  if (argv !== last) problems.push(`${dockerfile}: CMD is "${argv ?? '(none, or not exec form)'}" but npm start runs "${last}"`);
  const runs = [...text.matchAll(/^RUN\s+(.+)$/gm)].flatMap((m) => m[1].split('&&').map((s) => s.trim().replace(/^npx\s+/, '')));
  for (const step of steps) {
    if (!runs.includes(step.replace(/^npx\s+/, ''))) problems.push(`${dockerfile}: no RUN step for "${step}" (a step of npm start)`);
  }
  if (!runs.includes('npm ci')) problems.push(`${dockerfile}: no "RUN npm ci" (install from the lockfile)`);
  return problems;
}

/**
 * Every variable the compose file gives a service (other than OTEL_*, which the tracing module
 * reads) must be read somewhere in the app's sources; otherwise the setting does nothing.
 */
export function checkAppReadsEnv(composeFile: string, service: string, sourceDir: string): string[] {
  const compose = readYaml(composeFile).value;
  const svc = isMap(compose) && isMap(compose.services) ? compose.services[service] : undefined;
  if (!isMap(svc)) return [`no service "${service}" in ${composeFile}`];
  const sources = listFiles(sourceDir).filter((f) => /\.[cm]?[jt]s$/.test(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
  return Object.keys(envOf(svc.environment))
    .filter((name) => !name.startsWith('OTEL_'))
    .filter((name) => !new RegExp(`process\\.env(\\.${name}\\b|\\[['"]${name}['"]\\])`).test(sources))
    .map((name) => `services.${service}.environment.${name}: nothing under ${sourceDir} reads process.env.${name}`);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}
