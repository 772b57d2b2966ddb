import { backoffDelay, DEFAULT_RETRY, isRetryableError, isRetryableStatus, parseRetryAfter } from '../../lib/export/otlp/retry-policy.js';
import { readErrorMessage, readPartialSuccess } from '../../lib/export/otlp/otlp-response.js';

const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const Response = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

describe('retry policy', () => {
  it('retries only 429, 502, 503 and 504', () => {
    const retryable = [400, 401, 403, 404, 408, 413, 429, 500, 501, 502, 503, 504].filter(isRetryableStatus);
    expect(retryable).toEqual([429, 502, 503, 504]);
  });

  it('retries refused, reset and timed-out connections, not other errors', () => {
    expect(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].every((code) => isRetryableError({ code }))).toBe(true);
    expect(isRetryableError(new Error('socket hang up'))).toBe(true);
    expect(isRetryableError({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' })).toBe(false);
    expect(isRetryableError(new Error('unexpected'))).toBe(false);
  });

  it('backs off from 1 s growing x1.5 up to 5 s', () => {
    const middle = () => 0.5; // no jitter
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, DEFAULT_RETRY, middle))).toEqual([1000, 1500, 2250, 3375, 5000, 5000]);
  });

  it('spreads each delay by at most ±20%', () => {
    expect(backoffDelay(1, DEFAULT_RETRY, () => 0)).toBe(800);
    expect(backoffDelay(1, DEFAULT_RETRY, () => 0.999999)).toBe(1200);
    expect(backoffDelay(9, DEFAULT_RETRY, () => 0.999999)).toBe(6000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('Wed, 25 Nov 2026 04:00:00 GMT');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 04:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 03:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('collector responses', () => {
  it('reads partial_success from a protobuf ExportTraceServiceResponse', () => {
    const body = Buffer.from(Response.encode(Response.fromObject({ partialSuccess: { rejectedSpans: 7, errorMessage: 'too big' } })).finish());
    expect(readPartialSuccess(body, false)).toEqual({ rejectedSpans: 7, errorMessage: 'too big' });
    expect(readPartialSuccess(Buffer.alloc(0), false)).toBeUndefined();
    expect(readPartialSuccess(Buffer.from(Response.encode(Response.fromObject({ partialSuccess: {} })).finish()), false)).toBeUndefined();
  });

  it('reads partial_success from OTLP/JSON (int64 as a string)', () => {
    expect(readPartialSuccess(Buffer.from('{"partialSuccess":{"rejectedSpans":"2","errorMessage":"x"}}'), true)).toEqual({ rejectedSpans: 2, errorMessage: 'x' });
    expect(readPartialSuccess(Buffer.from('{}'), true)).toBeUndefined();
    expect(readPartialSuccess(Buffer.from('not json'), true)).toBeUndefined();
  });

  it('reads the message of a google.rpc.Status, a JSON error, or plain text', () => {
    const status = Buffer.concat([Buffer.from([0x08, 0x03, 0x12, 0x05]), Buffer.from('nope!')]);
    expect(readErrorMessage(status, 'application/x-protobuf')).toBe('nope!');
    expect(readErrorMessage(Buffer.from('{"code":3,"message":"bad span"}'), 'application/json')).toBe('bad span');
    expect(readErrorMessage(Buffer.from('Bad Gateway'), 'text/plain')).toBe('Bad Gateway');
    expect(readErrorMessage(Buffer.from([0x12, 0x50]), 'application/x-protobuf')).toBe(''); // truncated: best effort, no throw
  });
});
