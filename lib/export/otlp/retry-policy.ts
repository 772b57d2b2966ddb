/** Backoff settings for retryable OTLP failures. */
export interface RetryOptions {
  /** Attempts in total, the first included. Default 5. */
  maxAttempts?: number;
  /** Delay before the first retry. Default 1000. */
  initialBackoffMillis?: number;
  /** Delay cap. Default 5000. */
  maxBackoffMillis?: number;
  /** Growth per retry. Default 1.5. */
  backoffMultiplier?: number;
  /** Random spread either side, as a fraction. Default 0.2 (±20%). */
  jitter?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = Object.freeze({
  maxAttempts: 5,
  initialBackoffMillis: 1000,
  maxBackoffMillis: 5000,
  backoffMultiplier: 1.5,
  jitter: 0.2,
});

/** OTLP/HTTP spec: only these statuses are retryable; the rest drop the batch. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

/** Network failures worth retrying: refused, reset, timed out, or the socket hung up. */
export function isRetryableError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; message?: unknown; retryable?: unknown };
  if (e.retryable === true) return true;
  if (typeof e.code === 'string' && RETRYABLE_CODES.has(e.code)) return true;
  return typeof e.message === 'string' && /socket hang up/i.test(e.message);
}

/** The delay before retry number `retry` (1 for the first retry), with jitter. */
export function backoffDelay(retry: number, options: Required<RetryOptions>, random: () => number = Math.random): number {
  const base = Math.min(options.initialBackoffMillis * options.backoffMultiplier ** (retry - 1), options.maxBackoffMillis);
  const spread = (random() * 2 - 1) * options.jitter;
  return Math.max(0, Math.round(base * (1 + spread)));
}

/** Milliseconds from a Retry-After header (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
