import { normalizeMethod, splitHostPort } from '../../lib/nest/http/http-semconv';
import { stripCredentials } from '../../lib/nest/http/http-client.span';
import type { Span } from 'nestjs-tracing';
import { Tracer } from 'nestjs-tracing';

describe('HTTP attribute helpers', () => {
  it('normalizes methods as the semantic conventions say', () => {
    expect(normalizeMethod('GET')).toBe('GET');
    expect(normalizeMethod('patch')).toBe('PATCH');
    expect(normalizeMethod('PURGE')).toBe('_OTHER');
    expect(normalizeMethod(undefined)).toBe('_OTHER');
  });

  it('splits Host headers into server.address and server.port', () => {
    expect(splitHostPort('example.com:8080', 80)).toEqual(['example.com', 8080]);
    expect(splitHostPort('example.com', 443)).toEqual(['example.com', 443]);
    expect(splitHostPort('[::1]:3000', 80)).toEqual(['::1', 3000]);
    expect(splitHostPort('[::1]', 80)).toEqual(['::1', 80]);
    expect(splitHostPort('host:notaport', 80)).toEqual(['host', 80]);
    expect(splitHostPort(undefined, 80)).toEqual([undefined, undefined]);
  });

  it('strips credentials and signed-URL secrets from url.full', () => {
    expect(stripCredentials(new URL('https://user:secret@api.example.com:8443/a?b=1'))).toBe('https://api.example.com:8443/a?b=1');
    expect(stripCredentials(new URL('http://127.0.0.1/x'))).toBe('http://127.0.0.1/x');
    expect(stripCredentials(new URL('https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIA&Signature=abc&x=1'))).toBe(
      'https://b.s3.amazonaws.com/k?AWSAccessKeyId=REDACTED&Signature=REDACTED&x=1',
    );
  });

  it('exports Span as both the decorator and the span type', () => {
    const span: Span = new Tracer().startSpan('typed');
    expect(span.isRecording()).toBe(true);
  });
});
