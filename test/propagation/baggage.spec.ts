import { Baggage } from '../../lib/core/baggage.js';
import { MAX_BAGGAGE_BYTES, parseBaggage, serializeBaggage } from '../../lib/propagation/index.js';

function plain(b: Baggage): Record<string, { value: string; metadata?: string }> {
  return Object.fromEntries(b.all().map(([k, e]) => [k, { ...e }]));
}

describe('parseBaggage', () => {
  it('reads the spec example with properties (W3C Baggage §3.3.4)', () => {
    const b = parseBaggage('key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue');
    expect(plain(b)).toEqual({
      key1: { value: 'value1', metadata: 'property1;property2' },
      key2: { value: 'value2' },
      key3: { value: 'value3', metadata: 'propertyKey=propertyValue' },
    });
  });

  it('percent-decodes values (spec example serverNode=DF%2028)', () => {
    const b = parseBaggage('userId=alice,serverNode=DF%2028,isProduction=false');
    expect(plain(b)).toEqual({
      userId: { value: 'alice' },
      serverNode: { value: 'DF 28' },
      isProduction: { value: 'false' },
    });
  });

  it('combines several header values (spec example)', () => {
    const b = parseBaggage(['userId=alice', 'serverNode=DF%2028,isProduction=false']);
    expect(b.get('serverNode')?.value).toBe('DF 28');
    expect(b.size).toBe(3);
  });

  it('trims spaces around keys and values (spec example)', () => {
    const b = parseBaggage(['userId =   alice', 'serverNode = DF%2028, isProduction = false']);
    expect(plain(b)).toEqual({
      userId: { value: 'alice' },
      serverNode: { value: 'DF 28' },
      isProduction: { value: 'false' },
    });
  });

  it('decodes UTF-8 and keeps "=" inside values', () => {
    const b = parseBaggage('city=S%C3%A3o%20Paulo,expr=a=b');
    expect(b.get('city')?.value).toBe('São Paulo');
    expect(b.get('expr')?.value).toBe('a=b');
  });

  it('replaces bytes that are not UTF-8 with U+FFFD and keeps a lone "%"', () => {
    expect(parseBaggage('k=%FF').get('k')?.value).toBe('\uFFFD');
    expect(parseBaggage('k=100%').get('k')?.value).toBe('100%');
    expect(parseBaggage('k=%zz').get('k')?.value).toBe('%zz');
  });

  it('skips invalid members, not the whole header', () => {
    const b = parseBaggage('good=1,bad key=2,no-equals,=empty,quote="x",also-good=2,semi=a;;b=,tab=a\tb');
    expect(b.all().map(([k]) => k)).toEqual(['good', 'also-good']);
  });

  it('accepts an empty value', () => {
    expect(parseBaggage('k=').get('k')).toEqual({ value: '' });
  });

  it('keeps the last value of a repeated key', () => {
    expect(parseBaggage('k=1,k=2').get('k')?.value).toBe('2');
  });

  it('keeps the first 64 members and drops the rest', () => {
    const header = Array.from({ length: 100 }, (_, i) => `k${i}=v${i}`).join(',');
    const b = parseBaggage(header);
    expect(b.size).toBe(64);
    expect(b.get('k63')?.value).toBe('v63');
    expect(b.get('k64')).toBeUndefined();
  });

  it('keeps at most 8192 bytes, dropping the members past the limit', () => {
    const big = 'x'.repeat(4000);
    const b = parseBaggage(`a=${big},b=${big},c=${big},d=1`);
    // a (4002) + ",b=…" (4003) fit in 8192; c would not; d still fits.
    expect(b.all().map(([k]) => k)).toEqual(['a', 'b', 'd']);
    const exactly = `k=${'v'.repeat(MAX_BAGGAGE_BYTES - 2)}`;
    expect(parseBaggage(exactly).get('k')?.value.length).toBe(MAX_BAGGAGE_BYTES - 2);
    expect(parseBaggage(exactly + 'v').size).toBe(0);
  });

  it('returns the empty baggage for garbage without throwing', () => {
    for (const v of [undefined, null, 5, {}, [1], '', ',,,', 'x'.repeat(100_000)]) {
      expect(parseBaggage(v as never)).toBe(Baggage.EMPTY);
    }
  });
});

describe('serializeBaggage', () => {
  it('percent-encodes values and writes metadata', () => {
    const b = Baggage.from([
      ['userId', { value: 'alice' }],
      ['serverNode', { value: 'DF 28' }],
      ['city', { value: 'São Paulo, 100%;' }],
      ['k', { value: 'v', metadata: 'prop1;p2=x' }],
    ]);
    expect(serializeBaggage(b)).toBe('userId=alice,serverNode=DF%2028,city=S%C3%A3o%20Paulo%2C%20100%25%3B,k=v;prop1;p2=x');
  });

  it('round-trips the spec examples', () => {
    const header = 'userId=alice,serverNode=DF%2028,isProduction=false';
    expect(serializeBaggage(parseBaggage(header))).toBe(header);
  });

  it('leaves out entries with an invalid key and metadata that is not a property list', () => {
    const b = Baggage.from([
      ['bad key', { value: '1' }],
      ['ok', { value: '2', metadata: 'has,comma' }],
      ['', { value: '3' }],
    ]);
    expect(serializeBaggage(b)).toBe('ok=2');
  });

  it('never writes more than 64 members', () => {
    const b = Baggage.from(Array.from({ length: 80 }, (_, i) => [`k${i}`, { value: 'v' }] as const));
    expect(serializeBaggage(b).split(',').length).toBe(64);
  });

  it('never writes more than 8192 bytes', () => {
    const b = Baggage.from(Array.from({ length: 10 }, (_, i) => [`k${i}`, { value: 'x'.repeat(1500) }] as const));
    const header = serializeBaggage(b);
    expect(Buffer.byteLength(header)).toBeLessThanOrEqual(MAX_BAGGAGE_BYTES);
    expect(header.split(',').length).toBe(5);
  });

  it('is empty for the empty baggage', () => {
    expect(serializeBaggage(Baggage.EMPTY)).toBe('');
  });

  it('encodes a lone surrogate as U+FFFD instead of throwing', () => {
    expect(serializeBaggage(Baggage.from([['k', { value: '\uD800' }]]))).toBe('k=%EF%BF%BD');
  });
});
