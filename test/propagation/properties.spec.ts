import fc from 'fast-check';
import { Baggage } from '../../lib/core/baggage.js';
import { Context } from '../../lib/core/context.js';
import {
  createPropagator,
  formatTraceparent,
  parseB3Single,
  parseBaggage,
  parseTraceparent,
  parseTraceState,
  serializeBaggage,
} from '../../lib/propagation/index.js';

const RUNS = { numRuns: 500 };

const hexChar = fc.constantFrom(...'0123456789abcdef');
const hex = (n: number) =>
  fc.string({ unit: hexChar, minLength: n, maxLength: n }).filter((s) => /[1-9a-f]/.test(s));
const byte = fc.integer({ min: 0, max: 255 }).map((n) => n.toString(16).padStart(2, '0'));

const validTraceparent = fc
  .tuple(hex(32), hex(16), byte)
  .map(([traceId, spanId, flags]) => ({ header: `00-${traceId}-${spanId}-${flags}`, traceId, spanId, flags }));

// Characters that matter to the grammars, so random strings hit the interesting branches.
const interesting = fc.constantFrom(...'0123456789abcdefABCDEF-_=,;%@ \t*/~é\u0000\uD800z');
const adversarialString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({ unit: interesting, maxLength: 120 }),
  validTraceparent.map((t) => t.header),
  // a valid header with one character replaced, inserted or removed
  fc.tuple(validTraceparent, fc.nat(60), fc.string({ unit: interesting, maxLength: 2 })).map(
    ([t, i, s]) => t.header.slice(0, i) + s + t.header.slice(i + (s.length === 0 ? 1 : s.length % 2)),
  ),
);
const headerValue = fc.oneof(adversarialString, fc.array(adversarialString, { maxLength: 4 }));
const garbage = fc.oneof(headerValue, fc.anything());

const validTraceState = fc.constantFrom('rojo=00f067aa0ba902b7', 'a=1,b=2', ' congo=t61rcWkgMzE ,');

describe('parsers never throw', () => {
  it('on random and adversarial strings, arrays of them and any other value', () => {
    fc.assert(
      fc.property(garbage, (value) => {
        const v = value as never;
        parseTraceparent(v);
        parseTraceState(v);
        parseBaggage(v);
        parseB3Single(v);
      }),
      { numRuns: 2000 },
    );
  });

  it('extract never throws and returns the context unchanged when nothing is valid', () => {
    const propagator = createPropagator(['tracecontext', 'baggage', 'b3', 'b3multi']);
    fc.assert(
      fc.property(
        fc.record({
          traceparent: fc.oneof(garbage, validTraceparent.map((t) => t.header)),
          tracestate: fc.oneof(garbage, validTraceState),
          baggage: garbage,
          b3: garbage,
          'x-b3-traceid': garbage,
        }),
        fc.anything(),
        (headers, other) => {
          const ctx = propagator.extract(Context.ROOT, headers);
          // whatever was accepted, what goes out again is valid
          const out: Record<string, string> = {};
          propagator.inject(ctx, out);
          if (out.traceparent !== undefined) expect(parseTraceparent(out.traceparent)).toBeDefined();
          if (out.tracestate !== undefined) expect(parseTraceState(out.tracestate)?.serialize()).toBe(out.tracestate);
          if (out.baggage !== undefined) expect(parseBaggage(out.baggage).size).toBeGreaterThan(0);
          if (out.b3 !== undefined) expect(parseB3Single(out.b3)).toBeDefined();
          expect(propagator.extract(Context.ROOT, other)).toBe(Context.ROOT);
        },
      ),
      RUNS,
    );
  });

  it('handles huge strings', () => {
    const huge = 'a=b,'.repeat(250_000);
    expect(parseTraceState(huge)).toBeUndefined();
    expect(parseBaggage(huge).size).toBe(1);
    expect(parseTraceparent(huge)).toBeUndefined();
    expect(parseB3Single(huge)).toBeUndefined();
  });
});

describe('traceparent round trip', () => {
  it('format(parse(x)) gives x back (reserved flag bits cleared)', () => {
    fc.assert(
      fc.property(validTraceparent, ({ header, traceId, spanId, flags }) => {
        const ctx = parseTraceparent(header);
        expect(ctx).toMatchObject({ traceId, spanId, isRemote: true });
        const expectedFlags = (parseInt(flags, 16) & 3).toString(16).padStart(2, '0');
        expect(formatTraceparent(ctx!)).toBe(`00-${traceId}-${spanId}-${expectedFlags}`);
      }),
      RUNS,
    );
  });

  it('accepts any future version 01..fe followed by "-" and more fields', () => {
    const version = fc.integer({ min: 1, max: 0xfe }).map((n) => n.toString(16).padStart(2, '0'));
    fc.assert(
      fc.property(validTraceparent, version, fc.string({ maxLength: 20 }), (t, v, rest) => {
        const header = v + t.header.slice(2) + '-' + rest;
        expect(parseTraceparent(header)?.traceId).toBe(t.traceId);
      }),
      RUNS,
    );
  });
});

// An oracle for values of exactly 55 characters, written from §3.2.2 and §3.2.4 separately
// from the library: version (2 lowercase hex, not ff), trace-id (32, not all zeros), parent-id
// (16, not all zeros), flags (2), joined by dashes; at this length OWS cannot be present.
function oracle55(h: string): { traceId: string; spanId: string; traceFlags: number } | undefined {
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(h);
  if (m === null || m[1] === 'ff' || /^0+$/.test(m[2]) || /^0+$/.test(m[3])) return undefined;
  return { traceId: m[2], spanId: m[3], traceFlags: parseInt(m[4], 16) & 3 };
}
const substitute = fc
  .tuple(
    validTraceparent,
    fc.array(fc.tuple(fc.nat(54), fc.constantFrom(...'0123456789abcdefABCDEFg:/`-_ \t\n\u00e9\u0660\uff10\ud800')), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([t, edits]) => {
    let h = t.header;
    for (const [i, c] of edits) h = h.slice(0, i) + c + h.slice(i + 1);
    return h;
  });

describe('traceparent of exactly 55 characters', () => {
  it('is accepted exactly when the spec grammar accepts it, with the same ids and flags', () => {
    fc.assert(
      fc.property(fc.oneof(substitute, fc.string({ unit: interesting, minLength: 55, maxLength: 55 })), (header) => {
        const expected = oracle55(header);
        const got = parseTraceparent(header);
        if (expected === undefined) expect(got).toBeUndefined();
        else expect(got).toMatchObject({ ...expected, isRemote: true });
      }),
      { numRuns: 3000 },
    );
  });
});

const keyChars = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
const simpleKey = fc
  .tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), fc.string({ unit: fc.constantFrom(...keyChars), maxLength: 20 }))
  .map(([a, b]) => a + b);
const tenantKey = fc
  .tuple(
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
    fc.string({ unit: fc.constantFrom(...keyChars), maxLength: 10 }),
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
    fc.string({ unit: fc.constantFrom(...keyChars), maxLength: 13 }),
  )
  .map(([a, b, c, d]) => `${a}${b}@${c}${d}`);
const valueChars = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).filter((c) => c !== ',' && c !== '=');
const traceStateValue = fc
  .tuple(fc.string({ unit: fc.constantFrom(...valueChars), maxLength: 30 }), fc.constantFrom(...valueChars.filter((c) => c !== ' ')))
  .map(([a, b]) => a + b);
const traceStateMembers = fc.uniqueArray(fc.tuple(fc.oneof(simpleKey, tenantKey), traceStateValue), {
  selector: ([k]) => k,
  minLength: 1,
  maxLength: 32,
});
const ows = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 2 });

describe('tracestate round trip', () => {
  it('serialize(parse(x)) gives x back for every valid canonical header', () => {
    fc.assert(
      fc.property(traceStateMembers, (members) => {
        const header = members.map(([k, v]) => `${k}=${v}`).join(',');
        const state = parseTraceState(header);
        expect(state?.serialize()).toBe(header);
        expect(state?.entries()).toEqual(members);
      }),
      RUNS,
    );
  });

  it('removes OWS and empty members, and splits over several header values', () => {
    fc.assert(
      fc.property(traceStateMembers, ows, ows, fc.boolean(), (members, before, after, split) => {
        const canonical = members.map(([k, v]) => `${k}=${v}`).join(',');
        const parts = members.map(([k, v]) => `${before}${k}=${v}${after}`);
        const value = split ? parts : [...parts, before].join(',');
        expect(parseTraceState(value)?.serialize()).toBe(canonical);
      }),
      RUNS,
    );
  });

  it('set then get returns the value, at the front', () => {
    fc.assert(
      fc.property(traceStateMembers, fc.oneof(simpleKey, tenantKey), traceStateValue, (members, key, value) => {
        const state = parseTraceState(members.map(([k, v]) => `${k}=${v}`).join(','))!.set(key, value);
        expect(state.get(key)).toBe(value);
        expect(state.serialize().startsWith(`${key}=${value}`)).toBe(true);
        expect(parseTraceState(state.serialize())?.serialize()).toBe(state.serialize());
      }),
      RUNS,
    );
  });
});

const tokenChars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const token = fc.string({ unit: fc.constantFrom(...tokenChars), minLength: 1, maxLength: 12 });
const octetChars = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => !'",;\\'.includes(c));
const property = fc
  .tuple(token, fc.option(fc.string({ unit: fc.constantFrom(...octetChars), maxLength: 8 }), { nil: undefined }))
  .map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
const metadata = fc.option(fc.array(property, { minLength: 1, maxLength: 3 }).map((p) => p.join(';')), { nil: undefined });
const baggageEntries = fc.uniqueArray(
  fc.tuple(token, fc.string({ unit: 'grapheme', maxLength: 20 }), metadata),
  { selector: ([k]) => k, maxLength: 64 },
);

describe('baggage round trip', () => {
  it('parse(serialize(b)) gives the same entries, and serialize(parse(x)) gives x back', () => {
    fc.assert(
      fc.property(baggageEntries, (entries) => {
        const baggage = Baggage.from(
          entries.map(([k, value, m]) => [k, m === undefined ? { value } : { value, metadata: m }] as const),
        );
        // An upper bound of the header size (encodeURIComponent escapes a superset of what we
        // escape): when it fits in 8192 bytes every entry must survive.
        const bound = entries.reduce((n, [k, v, m]) => n + k.length + 2 + encodeURIComponent(v).length + (m === undefined ? 0 : m.length + 1), 0);
        fc.pre(bound <= 8192);
        const header = serializeBaggage(baggage);
        const parsed = parseBaggage(header);
        expect(parsed.all()).toEqual(baggage.all());
        expect(serializeBaggage(parsed)).toBe(header);
      }),
      RUNS,
    );
  });

  it('never serializes more than 64 members or 8192 bytes', () => {
    const many = fc.uniqueArray(fc.tuple(token, fc.string({ unit: 'grapheme', maxLength: 400 })), {
      selector: ([k]) => k,
      maxLength: 120,
    });
    fc.assert(
      fc.property(many, (entries) => {
        const header = serializeBaggage(Baggage.from(entries.map(([k, value]) => [k, { value }] as const)));
        expect(Buffer.byteLength(header)).toBeLessThanOrEqual(8192);
        expect(header === '' ? 0 : header.split(',').length).toBeLessThanOrEqual(64);
      }),
      { numRuns: 200 },
    );
  });
});
