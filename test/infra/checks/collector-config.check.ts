import { isMap } from './yaml-file.js';

/**
 * Offline checks of an OpenTelemetry Collector config, the ones `otelcol validate` would make
 * plus a few deployment mistakes it would not catch. Each returned string is one problem.
 */

const SECTIONS = ['receivers', 'processors', 'exporters', 'extensions', 'connectors'] as const;
type Section = (typeof SECTIONS)[number];

// Component types of the contrib distribution that this project may plausibly use. An id's
// type (before the '/') outside this list is almost always a typo (`tailsampling`, `otlphttps`).
const KNOWN_TYPES: Record<Section, readonly string[]> = {
  receivers: ['otlp', 'jaeger', 'zipkin', 'prometheus', 'hostmetrics', 'filelog', 'kafka'],
  processors: [
    'batch', 'memory_limiter', 'tail_sampling', 'probabilistic_sampler', 'attributes', 'resource',
    'resourcedetection', 'filter', 'transform', 'k8sattributes', 'groupbytrace', 'span', 'redaction',
  ],
  exporters: ['otlp', 'otlp_grpc', 'otlphttp', 'otlp_http', 'debug', 'loadbalancing', 'kafka', 'file', 'nop'],
  extensions: ['health_check', 'healthcheckv2', 'pprof', 'zpages', 'file_storage', 'basicauth', 'bearertokenauth'],
  connectors: ['spanmetrics', 'servicegraph', 'forward', 'routing'],
};

const SIGNALS = ['traces', 'metrics', 'logs', 'profiles'];

// Tail sampling policy types (tailsamplingprocessor config.go) and how to check their settings.
const POLICY_TYPES = [
  'always_sample', 'latency', 'numeric_attribute', 'probabilistic', 'status_code', 'string_attribute',
  'rate_limiting', 'bytes_limiting', 'span_count', 'trace_state', 'boolean_attribute', 'ottl_condition',
  'trace_flags', 'and', 'not', 'drop', 'composite',
];

/** The collector's `type[/name]` component id grammar. */
const ID = /^[a-z][a-z0-9_]*(\/[^/\s]+)?$/;

/** Ports the config's OTLP receivers listen on, by protocol. */
export interface CollectorListeners {
  grpc?: number;
  http?: number;
}

/** Checks a parsed collector config; returns problems, [] when it is consistent. */
export function checkCollectorConfig(config: unknown): string[] {
  const problems: string[] = [];
  if (!isMap(config)) return ['collector config: top level is not a mapping'];

  for (const key of Object.keys(config)) {
    if (![...SECTIONS, 'service'].includes(key)) problems.push(`collector config: unknown top-level key "${key}"`);
  }

  const defined = new Map<Section, Set<string>>();
  for (const section of SECTIONS) {
    const block = config[section];
    const ids = new Set<string>();
    if (block !== undefined && block !== null && !isMap(block)) problems.push(`${section}: must be a mapping`);
    for (const id of isMap(block) ? Object.keys(block) : []) {
      ids.add(id);
      const type = id.split('/')[0];
      if (!ID.test(id)) problems.push(`${section}.${id}: not a valid component id (type[/name])`);
      else if (!KNOWN_TYPES[section].includes(type)) {
        problems.push(`${section}.${id}: unknown ${section.slice(0, -1)} type "${type}" (known: ${KNOWN_TYPES[section].join(', ')})`);
      }
    }
    defined.set(section, ids);
  }

  const service = config.service;
  if (!isMap(service)) return [...problems, 'service: missing; the collector would start nothing'];
  const used = new Map<Section, Set<string>>(SECTIONS.map((s) => [s, new Set<string>()]));

  const extensions = service.extensions ?? [];
  if (!Array.isArray(extensions)) problems.push('service.extensions: must be a list');
  else {
    for (const id of extensions) {
      used.get('extensions')!.add(String(id));
      if (!defined.get('extensions')!.has(String(id))) problems.push(`service.extensions: "${id}" is not defined under extensions`);
    }
  }

  const pipelines = service.pipelines;
  if (!isMap(pipelines) || Object.keys(pipelines).length === 0) {
    problems.push('service.pipelines: missing or empty');
  } else {
    for (const [name, pipeline] of Object.entries(pipelines)) {
      problems.push(...checkPipeline(name, pipeline, defined, used));
    }
  }

  for (const section of SECTIONS) {
    for (const id of defined.get(section)!) {
      if (!used.get(section)!.has(id)) {
        problems.push(`${section}.${id}: defined but not used by any pipeline${section === 'extensions' ? ' (add it to service.extensions)' : ''}`);
      }
    }
  }

  const processors = isMap(config.processors) ? config.processors : {};
  for (const [id, settings] of Object.entries(processors)) {
    if (id.split('/')[0] === 'tail_sampling') problems.push(...checkTailSampling(`processors.${id}`, settings));
    if (id.split('/')[0] === 'memory_limiter') problems.push(...checkMemoryLimiter(`processors.${id}`, settings));
  }
  const receivers = isMap(config.receivers) ? config.receivers : {};
  for (const [id, settings] of Object.entries(receivers)) {
    if (id.split('/')[0] === 'otlp') problems.push(...checkOtlpReceiver(`receivers.${id}`, settings));
  }
  const exporters = isMap(config.exporters) ? config.exporters : {};
  for (const [id, settings] of Object.entries(exporters)) {
    const type = id.split('/')[0];
    if (['otlp', 'otlp_grpc', 'otlphttp', 'otlp_http'].includes(type) && !(isMap(settings) && typeof settings.endpoint === 'string' && settings.endpoint !== '')) {
      problems.push(`exporters.${id}: needs an endpoint`);
    }
  }
  return problems;
}

function checkPipeline(
  name: string,
  pipeline: unknown,
  defined: Map<Section, Set<string>>,
  used: Map<Section, Set<string>>,
): string[] {
  const problems: string[] = [];
  const where = `service.pipelines.${name}`;
  const signal = name.split('/')[0];
  if (!SIGNALS.includes(signal)) problems.push(`${where}: pipeline id must start with one of ${SIGNALS.join(', ')}`);
  if (!isMap(pipeline)) return [...problems, `${where}: must be a mapping`];
  for (const key of Object.keys(pipeline)) {
    if (!['receivers', 'processors', 'exporters'].includes(key)) problems.push(`${where}: unknown key "${key}"`);
  }
  for (const kind of ['receivers', 'processors', 'exporters'] as const) {
    const list = pipeline[kind] ?? [];
    if (!Array.isArray(list)) {
      problems.push(`${where}.${kind}: must be a list`);
      continue;
    }
    if (kind !== 'processors' && list.length === 0) problems.push(`${where}.${kind}: a pipeline needs at least one`);
    const seen = new Set<string>();
    for (const raw of list) {
      const id = String(raw);
      if (seen.has(id)) problems.push(`${where}.${kind}: "${id}" is listed twice`);
      seen.add(id);
      // A connector may stand in for a receiver or an exporter.
      const section: Section = kind !== 'processors' && defined.get('connectors')!.has(id) ? 'connectors' : kind;
      used.get(section)!.add(id);
      if (!defined.get(section)!.has(id)) problems.push(`${where}.${kind}: "${id}" is not defined under ${kind}`);
    }
  }
  const processors = (Array.isArray(pipeline.processors) ? pipeline.processors : []).map((p) => String(p).split('/')[0]);
  const limiter = processors.indexOf('memory_limiter');
  if (limiter > 0) problems.push(`${where}.processors: memory_limiter must come first (it is at position ${limiter + 1})`);
  const sampler = processors.indexOf('tail_sampling');
  if (sampler >= 0 && signal !== 'traces') problems.push(`${where}.processors: tail_sampling only works in a traces pipeline`);
  const batch = processors.indexOf('batch');
  if (sampler >= 0 && batch >= 0 && batch < sampler) {
    problems.push(`${where}.processors: batch must come after tail_sampling (tail_sampling regroups spans by trace anyway)`);
  }
  return problems;
}

/** Checks the tail_sampling processor's settings and every policy, recursively for `and`. */
export function checkTailSampling(where: string, settings: unknown): string[] {
  const problems: string[] = [];
  if (!isMap(settings)) return [`${where}: needs settings with a list of policies`];
  for (const key of ['decision_wait']) {
    if (settings[key] !== undefined && !isPositiveDuration(settings[key])) {
      problems.push(`${where}.${key}: "${settings[key]}" is not a positive duration such as 10s`);
    }
  }
  for (const key of ['num_traces', 'expected_new_traces_per_sec']) {
    if (settings[key] !== undefined && !(Number.isInteger(settings[key]) && (settings[key] as number) >= 0)) {
      problems.push(`${where}.${key}: must be a non-negative integer`);
    }
  }
  problems.push(...checkPolicies(`${where}.policies`, settings.policies));
  return problems;
}

function checkPolicies(where: string, policies: unknown): string[] {
  if (!Array.isArray(policies) || policies.length === 0) return [`${where}: needs at least one policy`];
  const problems: string[] = [];
  const names = new Set<string>();
  policies.forEach((policy, i) => {
    const at = `${where}[${i}]`;
    if (!isMap(policy)) {
      problems.push(`${at}: must be a mapping with name and type`);
      return;
    }
    if (typeof policy.name !== 'string' || policy.name === '') problems.push(`${at}: needs a name`);
    else if (names.has(policy.name)) problems.push(`${at}: duplicate policy name "${policy.name}"`);
    else names.add(policy.name);
    problems.push(...checkPolicy(`${at} (${String(policy.name)})`, policy));
  });
  return problems;
}

function checkPolicy(at: string, policy: Record<string, unknown>): string[] {
  const type = policy.type;
  if (typeof type !== 'string' || !POLICY_TYPES.includes(type)) {
    return [`${at}: unknown policy type "${String(type)}" (known: ${POLICY_TYPES.join(', ')})`];
  }
  const problems: string[] = [];
  for (const key of Object.keys(policy)) {
    if (key !== 'name' && key !== 'type' && key !== type) {
      problems.push(`${at}: has "${key}" settings but its type is "${type}" (they would be ignored)`);
    }
  }
  const s = policy[type];
  if (type === 'always_sample') return problems;
  if (!isMap(s)) return [...problems, `${at}: type "${type}" needs a "${type}:" block`];
  switch (type) {
    case 'latency': {
      if (!isPositiveNumber(s.threshold_ms)) problems.push(`${at}: latency.threshold_ms must be a positive number of milliseconds`);
      if (s.upper_threshold_ms !== undefined && !(isPositiveNumber(s.upper_threshold_ms) && s.upper_threshold_ms > Number(s.threshold_ms))) {
        problems.push(`${at}: latency.upper_threshold_ms must be above threshold_ms`);
      }
      break;
    }
    case 'probabilistic': {
      const p = s.sampling_percentage;
      if (!(typeof p === 'number' && p > 0 && p <= 100)) problems.push(`${at}: probabilistic.sampling_percentage must be in (0, 100], got ${String(p)}`);
      break;
    }
    case 'status_code': {
      const codes = s.status_codes;
      if (!Array.isArray(codes) || codes.length === 0) problems.push(`${at}: status_code.status_codes must list OK, ERROR and/or UNSET`);
      else for (const c of codes) if (!['OK', 'ERROR', 'UNSET'].includes(String(c))) problems.push(`${at}: status code "${c}" is not OK, ERROR or UNSET`);
      break;
    }
    case 'string_attribute':
    case 'trace_state': {
      if (typeof s.key !== 'string' || s.key === '') problems.push(`${at}: ${type}.key is required`);
      if (!Array.isArray(s.values) || s.values.length === 0) problems.push(`${at}: ${type}.values must list at least one value`);
      break;
    }
    case 'numeric_attribute': {
      if (typeof s.key !== 'string' || s.key === '') problems.push(`${at}: numeric_attribute.key is required`);
      if (typeof s.min_value !== 'number' && typeof s.max_value !== 'number') problems.push(`${at}: numeric_attribute needs min_value and/or max_value`);
      break;
    }
    case 'rate_limiting': {
      if (!isPositiveNumber(s.spans_per_second)) problems.push(`${at}: rate_limiting.spans_per_second must be positive`);
      break;
    }
    case 'and': {
      problems.push(...checkPolicies(`${at}.and.and_sub_policy`, s.and_sub_policy));
      break;
    }
  }
  return problems;
}

function checkMemoryLimiter(where: string, s: unknown): string[] {
  if (!isMap(s)) return [`${where}: needs check_interval and a limit`];
  const problems: string[] = [];
  if (!isPositiveDuration(s.check_interval)) problems.push(`${where}.check_interval: must be a positive duration (the collector refuses 0)`);
  const hasMib = isPositiveNumber(s.limit_mib);
  const hasPct = isPositiveNumber(s.limit_percentage) && (s.limit_percentage as number) <= 100;
  if (!hasMib && !hasPct) problems.push(`${where}: set limit_mib or limit_percentage (1-100)`);
  if (hasPct && s.spike_limit_percentage !== undefined && !((s.spike_limit_percentage as number) < (s.limit_percentage as number))) {
    problems.push(`${where}.spike_limit_percentage: must be below limit_percentage`);
  }
  return problems;
}

function checkOtlpReceiver(where: string, s: unknown): string[] {
  if (!isMap(s) || !isMap(s.protocols) || Object.keys(s.protocols).length === 0) {
    return [`${where}: needs protocols (grpc and/or http)`];
  }
  const problems: string[] = [];
  for (const [protocol, p] of Object.entries(s.protocols)) {
    if (!['grpc', 'http'].includes(protocol)) problems.push(`${where}.protocols.${protocol}: not grpc or http`);
    problems.push(...checkListenEndpoint(`${where}.protocols.${protocol}.endpoint`, isMap(p) ? p.endpoint : undefined));
  }
  return problems;
}

/**
 * A receiver in a container must listen on all interfaces: since collector 0.104 (and Tempo
 * 2.7) an unset endpoint means localhost, which no other container can reach.
 */
export function checkListenEndpoint(where: string, endpoint: unknown): string[] {
  if (typeof endpoint !== 'string' || endpoint === '') {
    return [`${where}: not set; the default binds to localhost, unreachable from other containers (use 0.0.0.0:<port>)`];
  }
  const m = /^(.*):(\d+)$/.exec(endpoint);
  if (!m) return [`${where}: "${endpoint}" is not host:port`];
  if (['localhost', '127.0.0.1', '[::1]'].includes(m[1])) return [`${where}: "${endpoint}" listens on loopback only; use 0.0.0.0:${m[2]}`];
  return [];
}

/** The ports the config's OTLP receivers listen on (the first `otlp` receiver). */
export function collectorListeners(config: unknown): CollectorListeners {
  const out: CollectorListeners = {};
  if (!isMap(config) || !isMap(config.receivers)) return out;
  const id = Object.keys(config.receivers).find((k) => k.split('/')[0] === 'otlp');
  const r = id ? config.receivers[id] : undefined;
  if (!isMap(r) || !isMap(r.protocols)) return out;
  for (const protocol of ['grpc', 'http'] as const) {
    const p = r.protocols[protocol];
    const port = isMap(p) && typeof p.endpoint === 'string' ? /:(\d+)$/.exec(p.endpoint)?.[1] : undefined;
    if (port) out[protocol] = Number(port);
  }
  return out;
}

/** Names of the environment variables the config reads (`${env:NAME}`, `${env:NAME:-default}`, `${NAME}`). */
export function collectorEnvReferences(config: unknown): string[] {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)) names.add(m[1]);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (isMap(v)) Object.values(v).forEach(walk);
  };
  walk(config);
  return [...names].sort();
}

/** Replaces `${env:NAME}` (and `${NAME}`) with values from `env`; unknown names stay as they are. */
export function expandEnv(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, name: string, fallback?: string) =>
    env[name] ?? fallback ?? whole,
  );
}

function isPositiveNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

function isPositiveDuration(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(v);
  return m !== null && Number(m[1]) > 0;
}
