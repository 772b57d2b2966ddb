import { defaultGetter, defaultSetter } from '../../lib/propagation/index.js';

describe('defaultGetter', () => {
  it('reads the exact lowercase key of a plain object (Node IncomingHttpHeaders)', () => {
    expect(defaultGetter.get({ traceparent: 'x' }, 'traceparent')).toBe('x');
  });

  it('finds a key whatever its letter case', () => {
    expect(defaultGetter.get({ TraceParent: 'x' }, 'traceparent')).toBe('x');
    expect(defaultGetter.get({ 'X-B3-TraceId': 'y' }, 'x-b3-traceid')).toBe('y');
  });

  it('returns arrays of strings, unwraps one-element arrays and ignores non-strings', () => {
    expect(defaultGetter.get({ baggage: ['a=1', 'b=2'] }, 'baggage')).toEqual(['a=1', 'b=2']);
    expect(defaultGetter.get({ baggage: ['a=1'] }, 'baggage')).toBe('a=1');
    expect(defaultGetter.get({ baggage: ['a=1', 7] }, 'baggage')).toBe('a=1');
    expect(defaultGetter.get({ traceparent: 42 }, 'traceparent')).toBeUndefined();
    expect(defaultGetter.get({ traceparent: { a: 1 } }, 'traceparent')).toBeUndefined();
    expect(defaultGetter.get({ traceparent: [] }, 'traceparent')).toBeUndefined();
  });

  it('decodes byte values (Kafka message headers) as UTF-8', () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(defaultGetter.get({ traceparent: Buffer.from(tp) }, 'traceparent')).toBe(tp);
    expect(defaultGetter.get({ baggage: [Buffer.from('a=1'), 'b=2', 3] }, 'baggage')).toEqual(['a=1', 'b=2']);
  });

  it('reads a Map case-insensitively', () => {
    expect(defaultGetter.get(new Map([['traceparent', 'a']]), 'traceparent')).toBe('a');
    expect(defaultGetter.get(new Map([['TRACEPARENT', 'b']]), 'traceparent')).toBe('b');
    expect(defaultGetter.keys(new Map<unknown, string>([['a', '1'], [2, '2']]))).toEqual(['a']);
  });

  it('reads Fetch Headers through get()', () => {
    const headers = new Headers({ TraceParent: 'h' });
    expect(defaultGetter.get(headers, 'traceparent')).toBe('h');
    expect(defaultGetter.get(headers, 'tracestate')).toBeUndefined();
    expect(defaultGetter.keys(headers)).toEqual(['traceparent']);
  });

  it('reads gRPC-Metadata-like objects whose get() returns an array', () => {
    const store = new Map<string, Array<string | Buffer>>([['traceparent', ['m']], ['bin', [Buffer.from('x')]]]);
    const metadata = {
      get: (k: string) => store.get(k.toLowerCase()) ?? [],
      getMap: () => Object.fromEntries([...store].map(([k, v]) => [k, v[0]])),
      set: (k: string, v: string) => store.set(k.toLowerCase(), [v]),
    };
    expect(defaultGetter.get(metadata, 'traceparent')).toBe('m');
    expect(defaultGetter.get(metadata, 'bin')).toBe('x');
    expect(defaultGetter.get(metadata, 'absent')).toBeUndefined();
    expect(defaultGetter.keys(metadata)).toEqual(['traceparent', 'bin']);
  });

  it('returns undefined / [] for non-objects', () => {
    for (const c of [undefined, null, 'str', 5]) {
      expect(defaultGetter.get(c, 'traceparent')).toBeUndefined();
      expect(defaultGetter.keys(c)).toEqual([]);
    }
  });
});

describe('defaultSetter', () => {
  it('writes the lowercase key on a plain object', () => {
    const carrier: Record<string, unknown> = {};
    defaultSetter.set(carrier, 'X-B3-TraceId', 'v');
    expect(carrier).toEqual({ 'x-b3-traceid': 'v' });
  });

  it('replaces differently-cased existing keys so two never coexist', () => {
    const carrier: Record<string, unknown> = { Traceparent: 'old1', TRACEPARENT: 'old2', other: 'kept' };
    defaultSetter.set(carrier, 'traceparent', 'new');
    expect(carrier).toEqual({ traceparent: 'new', other: 'kept' });
  });

  it('replaces differently-cased keys of a Map', () => {
    const carrier = new Map<string, string>([['TraceParent', 'old']]);
    defaultSetter.set(carrier, 'traceparent', 'new');
    expect([...carrier]).toEqual([['traceparent', 'new']]);
  });

  it('calls set() on Fetch Headers (case-insensitive by itself)', () => {
    const headers = new Headers({ TraceParent: 'old' });
    defaultSetter.set(headers, 'traceparent', 'new');
    expect([...headers]).toEqual([['traceparent', 'new']]);
  });

  it('calls setHeader() on objects that only have it (node:http requests)', () => {
    const written: Array<[string, string]> = [];
    defaultSetter.set({ setHeader: (k: string, v: string) => written.push([k, v]) }, 'traceparent', 'v');
    expect(written).toEqual([['traceparent', 'v']]);
  });

  it('ignores non-objects', () => {
    expect(() => defaultSetter.set(undefined, 'traceparent', 'v')).not.toThrow();
    expect(() => defaultSetter.set('str', 'traceparent', 'v')).not.toThrow();
  });
});
