import { diag, DiagLogLevel } from '../../lib/core/diag.js';
import { parseTraceState, W3CTraceState } from '../../lib/propagation/index.js';

describe('parseTraceState', () => {
  // W3C Trace Context §3.3.1.4 examples.
  it('reads a single tracing system (spec example)', () => {
    const state = parseTraceState('rojo=00f067aa0ba902b7')!;
    expect(state.get('rojo')).toBe('00f067aa0ba902b7');
    expect(state.serialize()).toBe('rojo=00f067aa0ba902b7');
  });

  it('reads multiple tracing systems in order (spec example)', () => {
    const state = parseTraceState('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')!;
    expect(state.entries()).toEqual([
      ['rojo', '00f067aa0ba902b7'],
      ['congo', 't61rcWkgMzE'],
    ]);
  });

  it('joins several header values with "," in order', () => {
    const state = parseTraceState(['rojo=00f067aa0ba902b7', 'congo=t61rcWkgMzE'])!;
    expect(state.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });

  it('trims OWS around members and ignores empty members', () => {
    const state = parseTraceState(' ,\trojo=00f067aa0ba902b7 , , congo=t61rcWkgMzE\t,')!;
    expect(state.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });

  it('keeps leading spaces of a value, drops trailing ones (§3.3.1.3.2)', () => {
    expect(parseTraceState('a= x y  ')!.get('a')).toBe(' x y');
  });

  it('accepts multi-tenant keys', () => {
    const state = parseTraceState('fw529a3039@dt=d4cda95b652f4a1592b449d5929fda1b,0tenant@vendor=1')!;
    expect(state.get('fw529a3039@dt')).toBe('d4cda95b652f4a1592b449d5929fda1b');
    expect(state.get('0tenant@vendor')).toBe('1');
  });

  it('accepts the longest keys and values the grammar allows', () => {
    const simple = 'a' + 'b'.repeat(255);
    const tenant = '1' + 'x'.repeat(240) + '@' + 'v' + 'w'.repeat(13);
    const value = 'v'.repeat(256);
    expect(parseTraceState(`${simple}=${value},${tenant}=x`)?.get(simple)).toBe(value);
  });

  it('accepts 32 members', () => {
    const header = Array.from({ length: 32 }, (_, i) => `k${i}=v${i}`).join(',');
    expect(parseTraceState(header)?.serialize()).toBe(header);
  });

  it.each([
    ['33 members', Array.from({ length: 33 }, (_, i) => `k${i}=v${i}`).join(',')],
    ['a duplicate key', 'a=1,b=2,a=3'],
    ['an uppercase key', 'Rojo=1'],
    ['a key starting with a digit (not multi-tenant)', '1abc=1'],
    ['a key of 257 characters', 'a'.repeat(257) + '=1'],
    ['a tenant of 242 characters', 'a'.repeat(242) + '@v=1'],
    ['a system of 15 characters', 't@' + 'v'.repeat(15) + '=1'],
    ['a system starting with a digit', 't@1v=1'],
    ['a tenant starting with "_"', '_t@v=1'],
    ['two @ in a key', 'a@b@c=1'],
    ['an empty key', '=1'],
    ['a member without "="', 'rojo'],
    ['an empty value', 'rojo='],
    ['a value of only spaces', 'rojo=   '],
    ['a value of 257 characters', 'a=' + 'v'.repeat(257)],
    ['"=" in a value', 'a=b=c'],
    ['a tab inside a value', 'a=b\tc'],
    ['a non-ASCII value', 'a=é'],
    ['a control character', 'a=b\u0001'],
    ['a space inside a key', 'ro jo=1'],
    ['one valid and one invalid member', 'rojo=00f067aa0ba902b7,BAD=1'],
  ])('drops the whole tracestate for %s', (_name, header) => {
    expect(parseTraceState(header)).toBeUndefined();
  });

  it('returns undefined for empty and whitespace-only headers', () => {
    expect(parseTraceState('')).toBeUndefined();
    expect(parseTraceState(' , \t ,')).toBeUndefined();
    expect(parseTraceState([])).toBeUndefined();
  });

  it('returns undefined for non-strings instead of throwing', () => {
    for (const v of [undefined, null, 7, {}, ['a=1', 2], Symbol('s')]) {
      expect(parseTraceState(v as never)).toBeUndefined();
    }
  });
});

describe('W3CTraceState', () => {
  afterEach(() => {
    diag.setSink(undefined);
    diag.setLevel(DiagLogLevel.WARN);
  });

  it('set moves an updated key to the front (§3.5) and leaves the original unchanged', () => {
    const original = parseTraceState('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')!;
    const updated = original.set('congo', 'lZWRzIHRoNhcm5hbCBwbGVhc3VyZS4');
    expect(updated.serialize()).toBe('congo=lZWRzIHRoNhcm5hbCBwbGVhc3VyZS4,rojo=00f067aa0ba902b7');
    expect(original.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });

  it('set adds a new key at the front', () => {
    expect(W3CTraceState.EMPTY.set('a', '1').set('b', '2').serialize()).toBe('b=2,a=1');
  });

  it('set drops the rightmost entry when a 33rd key is added', () => {
    let state = W3CTraceState.EMPTY;
    for (let i = 0; i < 32; i++) state = state.set(`k${i}`, `${i}`);
    const full = state.set('new', 'x');
    expect(full.size).toBe(32);
    expect(full.get('new')).toBe('x');
    expect(full.get('k0')).toBeUndefined();
    expect(full.get('k31')).toBe('31');
  });

  it('set with an invalid key or value returns the same state and logs a debug diagnostic', () => {
    const messages: string[] = [];
    diag.setLevel(DiagLogLevel.DEBUG);
    diag.setSink({ error: () => {}, warn: () => {}, info: () => {}, debug: (m) => messages.push(m) });
    const state = parseTraceState('rojo=1')!;
    expect(state.set('Bad', 'x')).toBe(state);
    expect(state.set('ok', 'a,b')).toBe(state);
    expect(state.set('ok', '')).toBe(state);
    expect(state.set('ok', 'trailing ')).toBe(state);
    expect(messages.length).toBe(4);
    expect(messages[0]).toMatch(/tracestate/);
  });

  it('unset removes a key and returns the same state when absent', () => {
    const state = parseTraceState('a=1,b=2,c=3')!;
    expect(state.unset('b').serialize()).toBe('a=1,c=3');
    expect(state.unset('zzz')).toBe(state);
    expect(parseTraceState('a=1')!.unset('a').serialize()).toBe('');
  });

  it('serializes an unchanged parsed header to the very same string (no re-encoding)', () => {
    const header = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE';
    expect(parseTraceState(header)!.serialize()).toBe(header);
  });
});
