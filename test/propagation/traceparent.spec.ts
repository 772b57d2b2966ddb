import { formatTraceparent, hasValidIds, parseTraceparent } from '../../lib/propagation/index.js';
import type { SpanContext } from '../../lib/core/types.js';

// Examples from W3C Trace Context Level 2 §3.2.3.
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const SAMPLED = `00-${TRACE_ID}-${SPAN_ID}-01`;
const NOT_SAMPLED = `00-${TRACE_ID}-${SPAN_ID}-00`;

describe('parseTraceparent', () => {
  it('reads the spec example of a sampled request', () => {
    expect(parseTraceparent(SAMPLED)).toEqual({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: 1,
      traceState: undefined,
      isRemote: true,
    });
  });

  it('reads the spec example of a request the caller did not sample', () => {
    expect(parseTraceparent(NOT_SAMPLED)?.traceFlags).toBe(0);
  });

  it('keeps the random flag (0x02) of Level 2 together with sampled', () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-02`)?.traceFlags).toBe(2);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-03`)?.traceFlags).toBe(3);
  });

  it('drops reserved flag bits so they are never re-emitted', () => {
    const ctx = parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-ff`)!;
    expect(ctx.traceFlags).toBe(3);
    expect(formatTraceparent(ctx)).toBe(`00-${TRACE_ID}-${SPAN_ID}-03`);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-09`)?.traceFlags).toBe(1);
  });

  it('tolerates surrounding spaces and tabs (OWS)', () => {
    expect(parseTraceparent(`  \t${SAMPLED}\t `)?.spanId).toBe(SPAN_ID);
  });

  it.each([
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['uppercase hex in the trace id', `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['uppercase hex in the parent id', `00-${TRACE_ID}-00F067AA0BA902B7-01`],
    ['uppercase hex in the flags', `00-${TRACE_ID}-${SPAN_ID}-0A`],
    ['uppercase version', `0A-${TRACE_ID}-${SPAN_ID}-01`],
    ['all-zero trace id', `00-00000000000000000000000000000000-${SPAN_ID}-01`],
    ['all-zero parent id', `00-${TRACE_ID}-0000000000000000-01`],
    ['version 00 with extra data', `${SAMPLED}-what-the-future-will-be-like`],
    ['version 00 one character longer', `${SAMPLED}0`],
    ['a short trace id', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['a long parent id', `00-${TRACE_ID}-${SPAN_ID}0-01`],
    ['a one-digit flags field', `00-${TRACE_ID}-${SPAN_ID}-1`],
    ['underscores instead of dashes', `00_${TRACE_ID}_${SPAN_ID}_01`],
    ['a non-hex character', `00-${TRACE_ID.slice(0, 31)}g-${SPAN_ID}-01`],
    ['an empty string', ''],
    ['a one-digit version', `0-${TRACE_ID}-${SPAN_ID}-01`],
    ['a space inside', `00- ${TRACE_ID}-${SPAN_ID}-01`],
    ['a future version shorter than 55', `01-${TRACE_ID}-${SPAN_ID}-0`],
    ['a future version with no dash after the flags', `01-${TRACE_ID}-${SPAN_ID}-01x`],
  ])('rejects %s', (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('accepts a future version (01..fe) of exactly 55 characters', () => {
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01`)).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
  });

  it('accepts a future version with more fields after a dash, ignoring them (§3.2.4)', () => {
    const ctx = parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-01-what-the-future-will-be-like`)!;
    expect(ctx).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    // and re-emits it as version 00
    expect(formatTraceparent(ctx)).toBe(SAMPLED);
  });

  it('accepts a single header given as a one-element array', () => {
    expect(parseTraceparent([SAMPLED])?.traceId).toBe(TRACE_ID);
  });

  it('treats two or more traceparent values as invalid (a new trace starts)', () => {
    expect(parseTraceparent([SAMPLED, SAMPLED])).toBeUndefined();
    expect(parseTraceparent([SAMPLED, NOT_SAMPLED])).toBeUndefined();
    // Node joins repeated unknown headers with ', '
    expect(parseTraceparent(`${SAMPLED}, ${NOT_SAMPLED}`)).toBeUndefined();
  });

  it('returns undefined for non-strings instead of throwing', () => {
    for (const v of [undefined, null, 42, {}, [], [42], [SAMPLED, 1], Symbol('x'), () => SAMPLED]) {
      expect(parseTraceparent(v as never)).toBeUndefined();
    }
  });

  it('handles a huge string without throwing', () => {
    expect(parseTraceparent(SAMPLED + '-'.repeat(1_000_000))).toBeUndefined();
    expect(parseTraceparent('01' + SAMPLED.slice(2) + '-' + 'x'.repeat(1_000_000))?.traceId).toBe(TRACE_ID);
  });
});

// A version-00 value of exactly 55 characters takes a precompiled-regex fast path; these
// are the cases at that exact length that it must reject or leave to the full validation.
describe('parseTraceparent on exactly 55 characters (the version-00 fast path)', () => {
  const at = (i: number, c: string) => SAMPLED.slice(0, i) + c + SAMPLED.slice(i + 1);

  it.each([
    ['uppercase hex as the first trace-id digit', at(3, 'A')],
    ['uppercase hex as the last trace-id digit', at(34, 'F')],
    ['uppercase hex as the first parent-id digit', at(36, 'B')],
    ['uppercase hex as the last parent-id digit', at(51, 'E')],
    ['uppercase hex in the flags', at(54, 'F')],
    ['uppercase version', at(1, 'A')],
    ['version ff', `ff${SAMPLED.slice(2)}`],
    ['a leading tab (trimmed, 54 characters remain)', at(0, '\t')],
    ['a trailing tab (trimmed, 54 characters remain)', at(54, '\t')],
    ['a trailing space', at(54, ' ')],
    ['a tab in the trace id', at(10, '\t')],
    ['a trailing newline', at(54, '\n')],
    ['a dash moved into the trace id', `00-${TRACE_ID.slice(0, 31)}--${SPAN_ID}-01`],
    ['a non-ASCII letter in the trace id', at(5, 'é')],
    ['a fullwidth digit in the parent id', at(40, '\uff10')],
    ['an Arabic-Indic digit in the trace id', at(20, '\u0660')],
    ['a lone surrogate in the parent id', at(45, '\ud800')],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['a colon (the character after 9) as a digit', at(3, ':')],
    ['a g (the letter after f) as a digit', at(36, 'g')],
  ])('rejects %s', (_name, header) => {
    expect(header).toHaveLength(55);
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('accepts ids that are zero except for one digit at either end', () => {
    const traceId = '0'.repeat(31) + '1';
    const spanId = '1' + '0'.repeat(15);
    expect(parseTraceparent(`00-${traceId}-${spanId}-01`)).toMatchObject({ traceId, spanId, traceFlags: 1 });
    expect(parseTraceparent(`00-${'f' + '0'.repeat(31)}-${'0'.repeat(15) + 'a'}-00`)?.traceFlags).toBe(0);
  });

  it('still reads 55-character values the fast path leaves to the full validation', () => {
    // a future version of exactly 55 characters, and version 00 with OWS around it
    expect(parseTraceparent(`01${SAMPLED.slice(2)}`)?.traceId).toBe(TRACE_ID);
    expect(parseTraceparent(`fe${SAMPLED.slice(2)}`)?.traceId).toBe(TRACE_ID);
    expect(parseTraceparent(`\t${SAMPLED}`)?.spanId).toBe(SPAN_ID);
    expect(parseTraceparent(`${SAMPLED} `)?.spanId).toBe(SPAN_ID);
  });

  it('rejects version 00 followed by more data, whatever follows', () => {
    for (const tail of ['-', '-00', ' x', '\t-', ',', `, ${SAMPLED}`]) expect(parseTraceparent(SAMPLED + tail)).toBeUndefined();
  });
});

describe('formatTraceparent', () => {
  it('writes version 00 with the sampled flag', () => {
    const ctx: SpanContext = { traceId: TRACE_ID as never, spanId: SPAN_ID as never, traceFlags: 1 };
    expect(formatTraceparent(ctx)).toBe(SAMPLED);
  });

  it('round-trips the spec examples', () => {
    for (const header of [SAMPLED, NOT_SAMPLED]) expect(formatTraceparent(parseTraceparent(header)!)).toBe(header);
  });
});

describe('hasValidIds', () => {
  it('accepts generated-looking ids and rejects zero, uppercase and wrong lengths', () => {
    const ok = { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 } as unknown as SpanContext;
    expect(hasValidIds(ok)).toBe(true);
    expect(hasValidIds({ ...ok, traceId: '0'.repeat(32) } as never)).toBe(false);
    expect(hasValidIds({ ...ok, spanId: '0'.repeat(16) } as never)).toBe(false);
    expect(hasValidIds({ ...ok, traceId: TRACE_ID.toUpperCase() } as never)).toBe(false);
    expect(hasValidIds({ ...ok, spanId: SPAN_ID + '0' } as never)).toBe(false);
    expect(hasValidIds({ ...ok, traceId: 42 } as never)).toBe(false);
  });
});

describe('long inputs', () => {
  it('parses a future-version header padded to a megabyte and keeps plain ids', () => {
    const header = `01-${TRACE_ID}-${SPAN_ID}-01-${'x'.repeat(1 << 20)}`;
    const ctx = parseTraceparent(`${' '.repeat(1000)}${header}`)!;
    expect(ctx.traceId).toBe(TRACE_ID);
    expect(ctx.spanId).toBe(SPAN_ID);
  });
});
