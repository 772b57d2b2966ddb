import { diag, diagLevelFromName, type DiagLogLevel } from '../core/diag.js';
import { DEFAULT_SPAN_LIMITS, type ResolvedSpanLimits } from '../core/limits.js';
import { samplerFromName, type Sampler } from '../core/sampler.js';
import type { Attributes } from '../core/types.js';
import { envBoolean, envInteger, envKeyValues, envList, envString, optionInteger, warnInvalid, type Env } from './env-parsers.js';
import type { ResolvedOtlpOptions, ResolvedProcessorOptions, ResolvedTracingOptions } from './resolved-tracing-options.js';
import { DEFAULT_SERVICE_NAME, SDK_LANGUAGE, SDK_NAME, SDK_VERSION } from './sdk-info.js';
import { KNOWN_PROPAGATORS, TRACING_DEFAULTS as D } from './tracing-defaults.js';
import type { TracingModuleOptions } from './tracing-options.js';

/**
 * Resolves the module options once: options passed in code win over OTEL_* environment
 * variables, which win over OpenTelemetry's defaults. A value that cannot be used gets
 * exactly one warning naming the variable (or option) and the value, and the default is
 * used. OTEL_LOG_LEVEL is applied to `diag` first, so it governs these warnings too.
 * Never throws.
 */
export function resolveTracingOptions(options: TracingModuleOptions = {}, env: Env = process.env): ResolvedTracingOptions {
  const logLevel = resolveLogLevel(env);
  if (logLevel !== undefined) diag.setLevel(logLevel);

  const disabled = envBoolean(env, 'OTEL_SDK_DISABLED', false);
  const enabled = options.enabled ?? (disabled === undefined ? true : !disabled);

  const envResource = envKeyValues(env, 'OTEL_RESOURCE_ATTRIBUTES') ?? {};
  const serviceName =
    nonEmpty(options.serviceName) ??
    nonEmptyAttr(options.resource?.['service.name']) ??
    envString(env, 'OTEL_SERVICE_NAME') ??
    nonEmpty(envResource['service.name']) ??
    DEFAULT_SERVICE_NAME;
  const resource: Attributes = {
    'telemetry.sdk.name': SDK_NAME,
    'telemetry.sdk.language': SDK_LANGUAGE,
    'telemetry.sdk.version': SDK_VERSION,
    ...envResource,
    ...options.resource,
    'service.name': serviceName,
  };

  return {
    enabled,
    serviceName,
    resource: Object.freeze(resource),
    sampler: resolveSampler(options, env),
    propagators: resolvePropagators(options, env),
    exporter: resolveExporter(options, env),
    otlp: resolveOtlp(options, env),
    processor: resolveProcessor(options, env),
    limits: resolveLimits(options, env),
    logLevel,
    shutdownTimeoutMillis: optionInteger('shutdownTimeoutMillis', options.shutdownTimeoutMillis, 0, D.shutdownTimeoutMillis) ?? D.shutdownTimeoutMillis,
    globalInterceptor: options.globalInterceptor ?? true,
    http: options.http ?? {},
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function nonEmptyAttr(value: unknown): string | undefined {
  return typeof value === 'string' ? nonEmpty(value) : undefined;
}

function resolveLogLevel(env: Env): DiagLogLevel | undefined {
  const value = envString(env, 'OTEL_LOG_LEVEL');
  if (value === undefined) return undefined;
  const level = diagLevelFromName(value);
  if (level === undefined) warnInvalid('OTEL_LOG_LEVEL', value, 'NONE, ERROR, WARN, INFO, DEBUG, VERBOSE or ALL', 'WARN');
  return level;
}

function resolveSamplerArg(options: TracingModuleOptions, env: Env): number {
  if (options.samplerArg !== undefined) {
    if (typeof options.samplerArg === 'number' && options.samplerArg >= 0 && options.samplerArg <= 1) return options.samplerArg;
    warnInvalid('samplerArg', options.samplerArg, 'a number from 0 to 1', D.samplerArg);
    return D.samplerArg;
  }
  const value = envString(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (value === undefined) return D.samplerArg;
  const n = Number(value);
  if (/^[+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) && n >= 0 && n <= 1) return n;
  warnInvalid('OTEL_TRACES_SAMPLER_ARG', value, 'a number from 0 to 1', D.samplerArg);
  return D.samplerArg;
}

function resolveSampler(options: TracingModuleOptions, env: Env): Sampler {
  if (options.sampler !== undefined && typeof options.sampler === 'object') return options.sampler;
  const arg = resolveSamplerArg(options, env);
  if (typeof options.sampler === 'string') {
    const sampler = samplerFromName(options.sampler.trim().toLowerCase(), arg);
    if (sampler !== undefined) return sampler;
    warnInvalid('sampler', options.sampler, 'a sampler name such as parentbased_always_on or traceidratio', D.sampler);
  } else {
    const name = envString(env, 'OTEL_TRACES_SAMPLER');
    if (name !== undefined) {
      const sampler = samplerFromName(name.toLowerCase(), arg);
      if (sampler !== undefined) return sampler;
      warnInvalid(
        'OTEL_TRACES_SAMPLER',
        name,
        'always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio',
        D.sampler,
      );
    }
  }
  return samplerFromName(D.sampler, arg)!;
}

function resolvePropagators(options: TracingModuleOptions, env: Env): string[] {
  const fromOptions = options.propagators !== undefined;
  const names = fromOptions ? options.propagators!.map((n) => String(n).trim().toLowerCase()) : envList(env, 'OTEL_PROPAGATORS')?.map((n) => n.toLowerCase());
  if (names === undefined) return [...D.propagators];
  const source = fromOptions ? 'propagators' : 'OTEL_PROPAGATORS';
  if (names.includes('none')) return [];
  const out: string[] = [];
  for (const name of names) {
    if (KNOWN_PROPAGATORS.includes(name)) {
      if (!out.includes(name)) out.push(name);
    } else warnInvalid(source, name, `one of ${KNOWN_PROPAGATORS.join(', ')} or none`, 'that entry skipped');
  }
  return out;
}

function resolveExporter(options: TracingModuleOptions, env: Env): ResolvedTracingOptions['exporter'] {
  const option = options.exporter;
  if (option !== undefined && typeof option === 'object' && option !== null) return option;
  if (option !== undefined) {
    if (option === 'otlp' || option === 'console' || option === 'none') return option;
    warnInvalid('exporter', option, 'otlp, console, none or a SpanExporter', D.exporter);
    return D.exporter;
  }
  const list = envList(env, 'OTEL_TRACES_EXPORTER');
  if (list === undefined || list.length === 0) return D.exporter;
  const name = list[0]!.toLowerCase();
  if (list.length > 1) diag.warn(`OTEL_TRACES_EXPORTER=${JSON.stringify(env.OTEL_TRACES_EXPORTER)} names several exporters; only "${name}" is used.`);
  if (name === 'otlp' || name === 'console' || name === 'none') return name;
  warnInvalid('OTEL_TRACES_EXPORTER', list[0], 'otlp, console or none', D.exporter);
  return D.exporter;
}

function validUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function resolveEndpoint(options: TracingModuleOptions, env: Env): string {
  const option = options.otlp?.endpoint;
  if (option !== undefined) {
    if (validUrl(option)) return option;
    warnInvalid('otlp.endpoint', option, 'an http(s) URL', D.otlpEndpoint);
    return D.otlpEndpoint;
  }
  // OTLP exporter spec: the signal-specific URL is used as-is; the generic one gets /v1/traces.
  const traces = envString(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (traces !== undefined) {
    if (validUrl(traces)) return traces;
    warnInvalid('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', traces, 'an http(s) URL', D.otlpEndpoint);
    return D.otlpEndpoint;
  }
  const base = envString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (base !== undefined) {
    if (validUrl(base)) return base.endsWith('/') ? `${base}v1/traces` : `${base}/v1/traces`;
    warnInvalid('OTEL_EXPORTER_OTLP_ENDPOINT', base, 'an http(s) URL', D.otlpEndpoint);
  }
  return D.otlpEndpoint;
}

/** The traces-specific variable if set, else the generic one; returns the name used too. */
function tracesOrGeneric(env: Env, suffix: string): [string, string] | undefined {
  const specific = `OTEL_EXPORTER_OTLP_TRACES_${suffix}`;
  const value = envString(env, specific);
  if (value !== undefined) return [specific, value];
  const generic = `OTEL_EXPORTER_OTLP_${suffix}`;
  const g = envString(env, generic);
  return g === undefined ? undefined : [generic, g];
}

function resolveProtocol(options: TracingModuleOptions, env: Env): ResolvedOtlpOptions['protocol'] {
  const option = options.otlp?.protocol;
  if (option !== undefined) {
    if (option === 'http/protobuf' || option === 'http/json') return option;
    warnInvalid('otlp.protocol', option, 'http/protobuf or http/json', D.otlpProtocol);
    return D.otlpProtocol;
  }
  const found = tracesOrGeneric(env, 'PROTOCOL');
  if (found === undefined) return D.otlpProtocol;
  const value = found[1].toLowerCase();
  if (value === 'http/protobuf' || value === 'http/json') return value;
  warnInvalid(found[0], found[1], 'http/protobuf or http/json (grpc is not supported)', D.otlpProtocol);
  return D.otlpProtocol;
}

function resolveCompression(options: TracingModuleOptions, env: Env): ResolvedOtlpOptions['compression'] {
  const option = options.otlp?.compression;
  if (option !== undefined) {
    if (option === 'gzip' || option === 'none') return option;
    warnInvalid('otlp.compression', option, 'gzip or none', D.otlpCompression);
    return D.otlpCompression;
  }
  const found = tracesOrGeneric(env, 'COMPRESSION');
  if (found === undefined) return D.otlpCompression;
  const value = found[1].toLowerCase();
  if (value === 'gzip' || value === 'none') return value;
  warnInvalid(found[0], found[1], 'gzip or none', D.otlpCompression);
  return D.otlpCompression;
}

function resolveOtlp(options: TracingModuleOptions, env: Env): ResolvedOtlpOptions {
  const timeoutVar = envString(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT' : 'OTEL_EXPORTER_OTLP_TIMEOUT';
  const timeoutMillis =
    optionInteger('otlp.timeoutMillis', options.otlp?.timeoutMillis, 1, D.otlpTimeoutMillis) ??
    (options.otlp?.timeoutMillis === undefined ? envInteger(env, timeoutVar, 1, D.otlpTimeoutMillis) : undefined) ??
    D.otlpTimeoutMillis;
  const headers: Record<string, string> = {
    ...envKeyValues(env, 'OTEL_EXPORTER_OTLP_HEADERS'),
    ...envKeyValues(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
    ...options.otlp?.headers,
  };
  return {
    endpoint: resolveEndpoint(options, env),
    protocol: resolveProtocol(options, env),
    headers: Object.freeze(headers),
    compression: resolveCompression(options, env),
    timeoutMillis,
  };
}

function pick(option: number | undefined, optionName: string, env: Env, envName: string, min: number, fallback: number): number {
  if (option !== undefined) return optionInteger(optionName, option, min, fallback) ?? fallback;
  return envInteger(env, envName, min, fallback) ?? fallback;
}

function resolveProcessor(options: TracingModuleOptions, env: Env): ResolvedProcessorOptions {
  const p = options.processor ?? {};
  const maxQueueSize = pick(p.maxQueueSize, 'processor.maxQueueSize', env, 'OTEL_BSP_MAX_QUEUE_SIZE', 1, D.maxQueueSize);
  let maxExportBatchSize = pick(p.maxExportBatchSize, 'processor.maxExportBatchSize', env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 1, D.maxExportBatchSize);
  if (maxExportBatchSize > maxQueueSize) {
    diag.warn(
      `the export batch size (${maxExportBatchSize}) is larger than the queue (${maxQueueSize}); using ${maxQueueSize}. ` +
        'Lower OTEL_BSP_MAX_EXPORT_BATCH_SIZE / processor.maxExportBatchSize or raise the queue size.',
    );
    maxExportBatchSize = maxQueueSize;
  }
  return {
    maxQueueSize,
    maxExportBatchSize,
    scheduledDelayMillis: pick(p.scheduledDelayMillis, 'processor.scheduledDelayMillis', env, 'OTEL_BSP_SCHEDULE_DELAY', 0, D.scheduledDelayMillis),
    exportTimeoutMillis: pick(p.exportTimeoutMillis, 'processor.exportTimeoutMillis', env, 'OTEL_BSP_EXPORT_TIMEOUT', 1, D.exportTimeoutMillis),
    maxConcurrentExports: optionInteger('processor.maxConcurrentExports', p.maxConcurrentExports, 1, D.maxConcurrentExports) ?? D.maxConcurrentExports,
  };
}

function resolveLimits(options: TracingModuleOptions, env: Env): ResolvedSpanLimits {
  const l = options.limits ?? {};
  // The span-specific variables win over the general OTEL_ATTRIBUTE_* ones (SDK environment spec).
  const generalLength = envInteger(env, 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 0, DEFAULT_SPAN_LIMITS.attributeValueLengthLimit);
  const generalCount = envInteger(env, 'OTEL_ATTRIBUTE_COUNT_LIMIT', 0, DEFAULT_SPAN_LIMITS.attributeCountLimit);
  const spanLength = envInteger(env, 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 0, generalLength ?? DEFAULT_SPAN_LIMITS.attributeValueLengthLimit);
  const spanCount = envInteger(env, 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 0, generalCount ?? DEFAULT_SPAN_LIMITS.attributeCountLimit);
  const fromEnv = (name: string, fallback: number): number => envInteger(env, name, 0, fallback) ?? fallback;
  const opt = (name: keyof typeof l, fallback: number): number | undefined => optionInteger(`limits.${name}`, l[name], 0, fallback);
  return Object.freeze({
    attributeCountLimit: opt('attributeCountLimit', 128) ?? spanCount ?? generalCount ?? DEFAULT_SPAN_LIMITS.attributeCountLimit,
    attributeValueLengthLimit: opt('attributeValueLengthLimit', Infinity) ?? spanLength ?? generalLength ?? DEFAULT_SPAN_LIMITS.attributeValueLengthLimit,
    eventCountLimit: opt('eventCountLimit', 128) ?? fromEnv('OTEL_SPAN_EVENT_COUNT_LIMIT', DEFAULT_SPAN_LIMITS.eventCountLimit),
    linkCountLimit: opt('linkCountLimit', 128) ?? fromEnv('OTEL_SPAN_LINK_COUNT_LIMIT', DEFAULT_SPAN_LIMITS.linkCountLimit),
    attributePerEventCountLimit:
      opt('attributePerEventCountLimit', 128) ?? fromEnv('OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', DEFAULT_SPAN_LIMITS.attributePerEventCountLimit),
    attributePerLinkCountLimit:
      opt('attributePerLinkCountLimit', 128) ?? fromEnv('OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', DEFAULT_SPAN_LIMITS.attributePerLinkCountLimit),
  });
}
