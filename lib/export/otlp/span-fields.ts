import type { AttributeValue, FinishedSpan, SpanContext, SpanEvent } from '../../core/types.js';
import type { JsonWriter } from './json-writer.js';
import type { ProtoWriter } from './proto-writer.js';

// Span flags (trace.proto SpanFlags): the low 8 bits are the W3C trace flags; bit 8 says
// whether bit 9 is known; bit 9 says the parent (or the linked context) is remote.
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/** Optional extras a span implementation may offer to skip slower paths. */
interface SpanExtras {
  readonly parentIsRemote?: boolean;
  readonly parentSpanContext?: SpanContext;
}

/** The OTLP `Span.flags` value: W3C flags plus the has-remote-parent bits when known. */
export function spanFlags(span: FinishedSpan, traceFlags: number): number {
  const extras = span as FinishedSpan & SpanExtras;
  let remote = extras.parentIsRemote;
  if (remote === undefined && extras.parentSpanContext !== undefined) remote = extras.parentSpanContext.isRemote === true;
  if (remote === undefined) {
    // A root span has no parent, so "parent is remote" is known to be false.
    if (span.parentSpanId === undefined) return (traceFlags & 0xff) | HAS_IS_REMOTE;
    return traceFlags & 0xff;
  }
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (remote ? IS_REMOTE : 0);
}

/** The OTLP `Span.Link.flags` value. */
export function linkFlags(ctx: SpanContext): number {
  return (ctx.traceFlags & 0xff) | HAS_IS_REMOTE | (ctx.isRemote === true ? IS_REMOTE : 0);
}

// Fast times. RecordingSpan (core/span.ts) keeps times as ms since performance.timeOrigin
// (core/clock.ts); its bigint getters add the origin in BigInt arithmetic. Here the same
// value is built from 32-bit halves: origin + round(ms * 1e6), with no BigInt per span.
const originMs = performance.timeOrigin;
const originWholeMs = Math.floor(originMs);
const ORIGIN_NS = BigInt(originWholeMs) * 1_000_000n + BigInt(Math.round((originMs - originWholeMs) * 1e6));
const ORIGIN_LO = Number(ORIGIN_NS & 0xffffffffn);
const ORIGIN_HI = Number(ORIGIN_NS >> 32n);
const TWO_32 = 4294967296;

/** Writes origin + relativeMs as fixed64 ns; false when the delta is out of exact double range. */
function writeRelative(w: ProtoWriter, relativeMs: number): boolean {
  const whole = Math.floor(relativeMs);
  const delta = whole * 1e6 + Math.round((relativeMs - whole) * 1e6);
  if (!(delta > -9e15 && delta < 9e15)) return false;
  const dHi = Math.floor(delta / TWO_32);
  let lo = ORIGIN_LO + (delta - dHi * TWO_32);
  let hi = ORIGIN_HI + dHi;
  if (lo >= TWO_32) {
    lo -= TWO_32;
    hi += 1;
  }
  w.fixed64(lo, hi >>> 0);
  return true;
}

const ORIGIN_SECONDS = Number(ORIGIN_NS / 1_000_000_000n);
const ORIGIN_SUB_NS = Number(ORIGIN_NS % 1_000_000_000n);

/** Writes origin + relativeMs as decimal ns digits; false when out of exact range. */
function writeRelativeDecimal(w: JsonWriter, relativeMs: number): boolean {
  const whole = Math.floor(relativeMs);
  const delta = whole * 1e6 + Math.round((relativeMs - whole) * 1e6);
  if (!(delta > -9e15 && delta < 9e15)) return false;
  const sub = ORIGIN_SUB_NS + delta;
  const carry = Math.floor(sub / 1e9);
  const seconds = ORIGIN_SECONDS + carry;
  if (seconds <= 0) return false;
  w.nanos(seconds, sub - carry * 1e9);
  return true;
}

/** Writes the start time's decimal ns digits (OTLP/JSON fixed64 is a string; quotes not included). */
export function writeStartTimeDecimal(w: JsonWriter, span: FinishedSpan): void {
  const rel = (span as FinishedSpan & RelativeTimes).startMs;
  if (typeof rel === 'number' && writeRelativeDecimal(w, rel)) return;
  w.ascii(String(span.startTime));
}

export function writeEndTimeDecimal(w: JsonWriter, span: FinishedSpan): void {
  const rel = (span as FinishedSpan & RelativeTimes).endMs;
  if (typeof rel === 'number' && rel >= 0 && writeRelativeDecimal(w, rel)) return;
  w.ascii(String(span.endTime));
}

export function writeEventTimeDecimal(w: JsonWriter, event: SpanEvent): void {
  const rel = (event as SpanEvent & { readonly at?: unknown }).at;
  if (typeof rel === 'number' && writeRelativeDecimal(w, rel)) return;
  w.ascii(String(event.time));
}

function writeNanos(w: ProtoWriter, t: bigint): void {
  w.fixed64(Number(t & 0xffffffffn), Number(BigInt.asUintN(32, t >> 32n)));
}

interface RelativeTimes {
  readonly startMs?: unknown;
  readonly endMs?: unknown;
}

export function writeStartTime(w: ProtoWriter, span: FinishedSpan): void {
  const rel = (span as FinishedSpan & RelativeTimes).startMs;
  if (typeof rel === 'number' && writeRelative(w, rel)) return;
  writeNanos(w, span.startTime);
}

export function writeEndTime(w: ProtoWriter, span: FinishedSpan): void {
  const s = span as FinishedSpan & RelativeTimes;
  const rel = s.endMs;
  if (typeof rel === 'number' && rel >= 0 && writeRelative(w, rel)) return;
  writeNanos(w, span.endTime);
}

/** An event's time; RecordingSpan's events keep a relative `at` (ms since the origin). */
export function writeEventTime(w: ProtoWriter, event: SpanEvent): void {
  const rel = (event as SpanEvent & { readonly at?: unknown }).at;
  if (typeof rel === 'number' && writeRelative(w, rel)) return;
  writeNanos(w, event.time);
}

type AttributeList = ReadonlyArray<string | AttributeValue>;

/**
 * A span's attributes as a flat `[key, value, ...]` list when the span keeps them that way
 * (RecordingSpan.attributeList(): no object is built), else undefined.
 */
export function attributeList(span: FinishedSpan): AttributeList | undefined {
  const fn = (span as FinishedSpan & { attributeList?: () => AttributeList }).attributeList;
  return typeof fn === 'function' ? fn.call(span) : undefined;
}

/** A span or event name as text (a non-string from loosely typed callers is converted). */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

/** True when a (link) context has 32 + 16 hex-character ids, as the encoders need. */
export function hasValidIds(ctx: SpanContext | undefined): boolean {
  return (
    ctx !== undefined &&
    ctx !== null &&
    typeof ctx.traceId === 'string' &&
    ctx.traceId.length === 32 &&
    typeof ctx.spanId === 'string' &&
    ctx.spanId.length === 16 &&
    /^[0-9a-f]+$/i.test(ctx.traceId) &&
    /^[0-9a-f]+$/i.test(ctx.spanId)
  );
}
