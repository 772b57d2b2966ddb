import { diag } from '../core/diag.js';

/** The environment as resolvers read it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A trimmed, non-empty value of `name`, or undefined. */
export function envString(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const value = raw.trim();
  return value === '' ? undefined : value;
}

/**
 * Warns about a value that cannot be used, saying what is used instead: once per process for
 * each variable and value, however many apps resolve their options.
 */
export function warnInvalid(name: string, value: unknown, expected: string, fallback: unknown): void {
  diag.warnOnce(
    `invalid-env:${name}=${String(value)}`,
    `${name}=${JSON.stringify(value)} is invalid (expected ${expected}); using ${JSON.stringify(fallback)}. Fix or unset ${name}.`,
  );
}

/** A whole number >= `min` from the environment; undefined (after one warning) if unset or invalid. */
export function envInteger(env: Env, name: string, min: number, fallback: number): number | undefined {
  const value = envString(env, name);
  if (value === undefined) return undefined;
  if (/^[+]?\d+$/.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n) && n >= min) return n;
  }
  warnInvalid(name, value, `a whole number >= ${min}`, fallback);
  return undefined;
}

/** A number option from code; undefined (after one warning) when not a whole number >= min. */
export function optionInteger(name: string, value: number | undefined, min: number, fallback: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && (Number.isInteger(value) || value === Infinity) && value >= min) return value;
  warnInvalid(name, value, `a whole number >= ${min}`, fallback);
  return undefined;
}

/** `true`/`false` (any case); undefined when unset, warning on anything else. */
export function envBoolean(env: Env, name: string, fallback: boolean): boolean | undefined {
  const value = envString(env, name);
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  warnInvalid(name, value, '"true" or "false"', fallback);
  return undefined;
}

/** A comma-separated list, trimmed, empty entries removed. */
export function envList(env: Env, name: string): string[] | undefined {
  const value = envString(env, name);
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * A W3C-Baggage-style `key=value,key2=value2` list with percent-encoded keys and values
 * (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS). On any malformed entry the whole
 * value is discarded with one warning, as the OpenTelemetry specification asks.
 */
export function envKeyValues(env: Env, name: string): Record<string, string> | undefined {
  const value = envString(env, name);
  if (value === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    let key: string;
    let val: string;
    try {
      if (eq <= 0) throw new Error('missing "="');
      key = decodeURIComponent(entry.slice(0, eq).trim());
      val = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      warnInvalid(name, value, 'comma-separated key=value pairs, percent-encoded', {});
      return undefined;
    }
    if (key === '') {
      warnInvalid(name, value, 'comma-separated key=value pairs, percent-encoded', {});
      return undefined;
    }
    out[key] = val;
  }
  return out;
}
