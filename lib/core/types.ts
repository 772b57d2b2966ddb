import type { SpanKind, SpanStatusCode } from './enums.js';
import type { SpanId, TraceId } from './ids.js';

/** A primitive attribute value or a homogeneous array of them (OTel attribute rules). */
export type AttributeValue =
  | string
  | number
  | boolean
  | ReadonlyArray<string | null | undefined>
  | ReadonlyArray<number | null | undefined>
  | ReadonlyArray<boolean | null | undefined>;

export type Attributes = Record<string, AttributeValue | undefined>;

/**
 * Vendor-specific trace state (W3C `tracestate`). Immutable: `set` and `unset` return a
 * copy; `set` moves the key to the front, as the spec requires on update.
 */
export interface TraceState {
  get(key: string): string | undefined;
  set(key: string, value: string): TraceState;
  unset(key: string): TraceState;
  serialize(): string;
}

/** The part of a span that crosses process boundaries. */
export interface SpanContext {
  readonly traceId: TraceId;
  readonly spanId: SpanId;
  /** W3C trace-flags: bit 0 sampled, bit 1 random. */
  readonly traceFlags: number;
  readonly traceState?: TraceState;
  /** True when this context was extracted from an incoming carrier. */
  readonly isRemote?: boolean;
}

export interface SpanStatus {
  code: SpanStatusCode;
  message?: string;
}

export interface Link {
  context: SpanContext;
  attributes?: Attributes;
  droppedAttributesCount?: number;
}

export interface SpanEvent {
  readonly name: string;
  /** Nanoseconds since the Unix epoch. */
  readonly time: bigint;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

/** A point in time: bigint nanoseconds, number milliseconds (as Date.now()), or a Date, all since the epoch. */
export type TimeInput = bigint | number | Date;

export interface SpanOptions {
  /** Default INTERNAL. */
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  startTime?: TimeInput;
  /** Start a new trace even when a span is active. */
  root?: boolean;
  /** An explicit parent instead of the active span. */
  parent?: SpanContext;
}

/** A span being recorded. Setters return `this`; nothing is recorded after `end()`. */
export interface Span {
  spanContext(): SpanContext;
  setAttribute(key: string, value: AttributeValue | undefined): this;
  setAttributes(attributes: Attributes): this;
  addEvent(name: string, attributes?: Attributes, time?: TimeInput): this;
  addLink(context: SpanContext, attributes?: Attributes): this;
  recordException(exception: unknown, time?: TimeInput): this;
  setStatus(status: SpanStatus): this;
  updateName(name: string): this;
  end(endTime?: TimeInput): void;
  isRecording(): boolean;
}

export interface Resource {
  readonly attributes: Attributes;
}

export interface InstrumentationScope {
  readonly name: string;
  readonly version?: string;
}

/** A span after `end()`: what processors and exporters receive. Times are bigint ns since the epoch. */
export interface FinishedSpan {
  readonly name: string;
  readonly kind: SpanKind;
  spanContext(): SpanContext;
  /** `undefined` on a root span. */
  readonly parentSpanId: SpanId | undefined;
  readonly startTime: bigint;
  readonly endTime: bigint;
  readonly attributes: Attributes;
  readonly events: readonly SpanEvent[];
  readonly links: readonly Link[];
  readonly status: SpanStatus;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

/** Receives every span at start and end. Must not throw; the tracer catches and reports it once if it does. */
export interface SpanProcessor {
  onStart(span: Span, parent: SpanContext | undefined): void;
  onEnd(span: FinishedSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Sends finished spans somewhere. `export` rejects when the batch could not be delivered. */
export interface SpanExporter {
  export(spans: readonly FinishedSpan[]): Promise<void>;
  forceFlush?(): Promise<void>;
  shutdown?(): Promise<void>;
}

/** A baggage entry (W3C Baggage): the value and its optional, opaque property string. */
export interface BaggageEntry {
  readonly value: string;
  readonly metadata?: string;
}

/** Reads a carrier (headers, message metadata). Keys are matched case-insensitively by the propagators' defaults. */
export interface CarrierGetter<C = unknown> {
  keys(carrier: C): string[];
  get(carrier: C, key: string): string | string[] | undefined;
}

/** Writes a carrier. The default setter replaces an existing key whatever its letter case. */
export interface CarrierSetter<C = unknown> {
  set(carrier: C, key: string, value: string): void;
}
