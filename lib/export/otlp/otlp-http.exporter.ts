import * as http from 'node:http';
import * as https from 'node:https';
import { gzip } from 'node:zlib';
import { suppressTracing } from '../../core/context.js';
import { diag } from '../../core/diag.js';
import type { FinishedSpan, SpanExporter } from '../../core/types.js';
import { SDK_NAME, SDK_VERSION } from '../../config/sdk-info.js';
import { TRACING_DEFAULTS as D } from '../../config/tracing-defaults.js';
import { JsonTraceEncoder } from './json-trace.encoder.js';
import { readErrorMessage, readPartialSuccess } from './otlp-response.js';
import { ProtobufTraceEncoder } from './protobuf-trace.encoder.js';
import { DEFAULT_RETRY, backoffDelay, isRetryableError, isRetryableStatus, parseRetryAfter, type RetryOptions } from './retry-policy.js';

/** Options of `OtlpHttpSpanExporter`; every field optional. */
export interface OtlpHttpExporterOptions {
  /** Full traces URL. Default `http://localhost:4318/v1/traces`. */
  endpoint?: string;
  /** Default `http/protobuf`. */
  protocol?: 'http/protobuf' | 'http/json';
  /** Extra request headers (e.g. an API key). */
  headers?: Record<string, string>;
  /** Default `none`. */
  compression?: 'gzip' | 'none';
  /** Timeout of one HTTP request. Default 10000. */
  timeoutMillis?: number;
  /** Bound on one `export()` call, retries and waits included. Default 30000. */
  exportTimeoutMillis?: number;
  /** Backoff for retryable failures (1 s growing x1.5 to 5 s, ±20%, 5 attempts by default). */
  retry?: RetryOptions;
  /** Options for the keep-alive agent; for https, TLS options too (e.g. `ca` for a private CA). */
  agentOptions?: https.AgentOptions;
}

/** Why an export did not deliver its batch. `export()` rejects with it. */
export class OtlpExportError extends Error {
  constructor(
    message: string,
    /** HTTP status, or 0 for a network failure. */
    readonly status: number,
    /** True when the failure was retryable but retries ran out. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'OtlpExportError';
  }
}

interface Outcome {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const gzipAsync = (data: Buffer): Promise<Buffer> =>
  new Promise((resolve, reject) => gzip(data, (error, result) => (error ? reject(error) : resolve(result))));

/**
 * Sends spans to an OpenTelemetry collector over OTLP/HTTP (`http/protobuf` by default,
 * or `http/json`), through a keep-alive agent, optionally gzipped. Retries only what the
 * OTLP spec calls retryable (429, 502, 503, 504, connection refused/reset, timeouts) with
 * exponential backoff and jitter, honouring Retry-After, all within `exportTimeoutMillis`;
 * any other failure drops the batch with one diagnostic naming the status and the
 * collector's message. `export()` rejects when the batch was not delivered. Requests run
 * with tracing suppressed. `shutdown()` aborts requests in flight and frees the agent.
 */
export class OtlpHttpSpanExporter implements SpanExporter {
  readonly endpoint: string;
  readonly protocol: 'http/protobuf' | 'http/json';
  private readonly url: URL;
  private readonly headers: Record<string, string>;
  private readonly gzip: boolean;
  private readonly timeoutMillis: number;
  private readonly exportTimeoutMillis: number;
  private readonly retry: Required<RetryOptions>;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly protobuf = new ProtobufTraceEncoder();
  private readonly json = new JsonTraceEncoder();
  private readonly requests = new Set<http.ClientRequest>();
  private readonly waits = new Set<() => void>();
  private stopped = false;
  /** In a streak of failed exports (see `failure`). */
  private failing = false;

  constructor(options: OtlpHttpExporterOptions = {}) {
    this.endpoint = options.endpoint ?? D.otlpEndpoint;
    let url: URL;
    try {
      url = new URL(this.endpoint);
    } catch {
      diag.warn(`OTLP endpoint ${JSON.stringify(this.endpoint)} is not a URL; using ${D.otlpEndpoint}. Set otlp.endpoint to the collector's traces URL.`);
      url = new URL(D.otlpEndpoint);
      this.endpoint = D.otlpEndpoint;
    }
    this.url = url;
    this.protocol = options.protocol === 'http/json' ? 'http/json' : 'http/protobuf';
    this.gzip = options.compression === 'gzip';
    this.timeoutMillis = positive(options.timeoutMillis, D.otlpTimeoutMillis);
    this.exportTimeoutMillis = positive(options.exportTimeoutMillis, D.exportTimeoutMillis);
    this.retry = { ...DEFAULT_RETRY, ...stripUndefined(options.retry) };
    this.headers = {
      'user-agent': `${SDK_NAME}/${SDK_VERSION}`,
      ...lowerCaseKeys(options.headers ?? {}),
      'content-type': this.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
    };
    if (this.gzip) this.headers['content-encoding'] = 'gzip';
    this.transport = url.protocol === 'https:' ? https : http;
    const AgentClass = url.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new AgentClass({ keepAlive: true, maxSockets: 8, ...options.agentOptions });
  }

  /** Delivers the batch or rejects with an OtlpExportError (after the diagnostics). */
  async export(spans: readonly FinishedSpan[]): Promise<void> {
    if (this.stopped) throw new OtlpExportError('the exporter is shut down', 0, false);
    if (spans.length === 0) return;
    let body: Buffer;
    try {
      body = this.protocol === 'http/json' ? this.json.encode(spans) : this.protobuf.encode(spans);
      if (this.gzip) body = await gzipAsync(body);
    } catch (error) {
      diag.error(`could not encode ${spans.length} spans for OTLP; they are dropped: ${String(error)}`);
      throw new OtlpExportError(`encoding failed: ${String(error)}`, 0, false);
    }
    await suppressTracing(() => this.deliver(body, spans.length));
  }

  private async deliver(body: Buffer, count: number): Promise<void> {
    const deadline = Date.now() + this.exportTimeoutMillis;
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      let outcome: Outcome | undefined;
      let failure: unknown;
      try {
        outcome = await this.send(body, Math.max(1, Math.min(this.timeoutMillis, remaining)));
      } catch (error) {
        failure = error;
      }
      if (this.stopped) throw new OtlpExportError('the exporter was shut down during the export', 0, false);
      if (outcome !== undefined && outcome.status >= 200 && outcome.status < 300) {
        if (this.failing) {
          this.failing = false;
          diag.info(`the collector at ${this.endpoint} accepts spans again.`);
        }
        this.reportPartialSuccess(outcome, count);
        return;
      }
      const status = outcome?.status ?? 0;
      const retryable = outcome !== undefined ? isRetryableStatus(status) : isRetryableError(failure);
      const what = outcome !== undefined ? `HTTP ${status}${describeBody(outcome)}` : describeError(failure);
      if (!retryable) {
        this.failure(
          outcome !== undefined
            ? `the collector at ${this.endpoint} refused ${count} spans (${what}); they are dropped and not retried.`
            : `could not send ${count} spans to ${this.endpoint} (${what}); they are dropped and not retried. Check the endpoint and its TLS settings.`,
        );
        throw new OtlpExportError(`export failed: ${what}`, status, false);
      }
      const retryAfter = outcome !== undefined ? parseRetryAfter(outcome.headers['retry-after']) : undefined;
      const delay = retryAfter ?? backoffDelay(attempt, this.retry);
      if (attempt >= this.retry.maxAttempts || Date.now() + delay >= deadline) {
        this.failure(
          `could not deliver ${count} spans to ${this.endpoint} after ${attempt} attempts (last: ${what}); they are dropped. ` +
            'Check that the collector is reachable.',
        );
        throw new OtlpExportError(`export failed after ${attempt} attempts: ${what}`, status, true);
      }
      diag.debug(`OTLP export attempt ${attempt} failed (${what}); retrying in ${delay} ms`);
      await this.sleep(delay);
      if (this.stopped) throw new OtlpExportError('the exporter was shut down during the export', 0, true);
    }
  }

  /**
   * A dropped batch: a warning for the first failure after a success (or the first ever),
   * debug-level for the rest of the streak, so a collector that stays down does not flood
   * the logs (the processor reports the dropped total at the next success).
   */
  private failure(message: string): void {
    if (this.failing) diag.debug(message);
    else {
      this.failing = true;
      diag.warn(message + ' Further failures are logged at debug level until an export succeeds.');
    }
  }

  private reportPartialSuccess(outcome: Outcome, count: number): void {
    const partial = readPartialSuccess(outcome.body, this.protocol === 'http/json');
    if (partial === undefined) return;
    if (partial.rejectedSpans > 0)
      diag.warn(`the collector rejected ${partial.rejectedSpans} of ${count} spans${partial.errorMessage ? `: ${partial.errorMessage}` : ''}.`);
    else diag.warn(`the collector accepted the spans with a warning: ${partial.errorMessage}`);
  }

  private send(body: Buffer, timeoutMillis: number): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      let settled = false;
      const req = this.transport.request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: { ...this.headers, 'content-length': String(body.length) },
      });
      this.requests.add(req);
      const timer = setTimeout(() => {
        const error = new Error(`request timed out after ${timeoutMillis} ms`) as Error & { code: string };
        error.code = 'ETIMEDOUT';
        req.destroy(error);
      }, timeoutMillis);
      timer.unref?.();
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.requests.delete(req);
        fn();
      };
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < 64 * 1024) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })));
        res.on('error', (error) => finish(() => reject(error)));
        res.on('aborted', () => finish(() => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' }))));
      });
      req.on('error', (error) => finish(() => reject(error)));
      req.end(body);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waits.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref?.();
      this.waits.add(wake);
    });
  }

  /** Nothing is buffered here: resolves at once. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Aborts requests in flight and retry waits (their exports reject), then frees the agent. Runs once. */
  shutdown(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    for (const wake of [...this.waits]) wake();
    for (const req of [...this.requests]) req.destroy(Object.assign(new Error('exporter shut down'), { code: 'ECONNABORTED' }));
    this.agent.destroy();
    return Promise.resolve();
  }
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 ? value : fallback;
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  if (value === undefined) return out;
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(headers)) out[key.toLowerCase()] = String(headers[key]);
  return out;
}

function describeBody(outcome: Outcome): string {
  const message = readErrorMessage(outcome.body, outcome.headers['content-type']);
  return message ? `: ${message}` : '';
}

function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : String(error);
    return code && !message.includes(code) ? `${code} ${message}` : message;
  }
  return String(error);
}
