import { SpanKind, SpanStatusCode } from './enums.js';
import { diag } from './diag.js';
import { fromTimeInput, now, toEpochNanos } from './clock.js';
import type { SpanId } from './ids.js';
import type { ResolvedSpanLimits } from './limits.js';
import type {
  AttributeValue,
  Attributes,
  FinishedSpan,
  InstrumentationScope,
  Link,
  Resource,
  Span,
  SpanContext,
  SpanEvent,
  SpanStatus,
  TimeInput,
} from './types.js';

/** What a span needs from the tracer that started it. */
export interface SpanOwner {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly limits: ResolvedSpanLimits;
  onSpanEnd(span: RecordingSpan): void;
}

const EMPTY_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;
const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });

const NO_ATTRIBUTES: ReadonlyArray<string | AttributeValue> = Object.freeze([]);
/** From this many attributes on, a span keeps a key -> position index instead of scanning. */
const INDEXED_FROM = 16;

/** Position of `key` in a flat key/value list, or -1. */
function scanFor(list: ReadonlyArray<string | AttributeValue>, key: string): number {
  for (let i = 0; i < list.length; i += 2) if (list[i] === key) return i;
  return -1;
}

function indexOf(list: ReadonlyArray<string | AttributeValue>): Map<string, number> {
  const index = new Map<string, number>();
  for (let i = 0; i < list.length; i += 2) index.set(list[i] as string, i);
  return index;
}

/** An event recorded on a span; its time is kept relative and read as bigint ns. */
class RecordedEvent implements SpanEvent {
  constructor(
    readonly name: string,
    private readonly at: number,
    readonly attributes: Attributes,
    readonly droppedAttributesCount: number,
  ) {}
  get time(): bigint {
    return toEpochNanos(this.at);
  }
}

function isPrimitive(value: unknown): value is string | number | boolean {
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'boolean';
}

/** An attribute value is a primitive or a homogeneous array of primitives (nulls allowed). */
function isValidValue(value: unknown): value is AttributeValue {
  if (isPrimitive(value)) return true;
  if (!Array.isArray(value)) return false;
  let kind: string | undefined;
  for (const item of value) {
    if (item === null || item === undefined) continue;
    const t = typeof item;
    if (t !== 'string' && t !== 'number' && t !== 'boolean') return false;
    if (kind === undefined) kind = t;
    else if (kind !== t) return false;
  }
  return true;
}

function truncate(value: AttributeValue, limit: number): AttributeValue {
  if (typeof value === 'string') return value.length > limit ? value.substring(0, limit) : value;
  if (Array.isArray(value))
    return value.map((item: unknown) =>
      typeof item === 'string' && item.length > limit ? item.substring(0, limit) : item,
    ) as AttributeValue;
  return value;
}

/** Copies valid attributes within a count limit; returns them and how many were dropped. */
function limitedCopy(attributes: Attributes | undefined, countLimit: number, lengthLimit: number): [Attributes, number] {
  if (attributes === undefined) return [EMPTY_ATTRIBUTES, 0];
  const out: Attributes = {};
  let count = 0;
  let dropped = 0;
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined || key.length === 0 || !isValidValue(value)) continue;
    if (count >= countLimit) {
      dropped++;
      continue;
    }
    out[key] = lengthLimit === Infinity ? value : truncate(value, lengthLimit);
    count++;
  }
  return [out, dropped];
}

function describeException(exception: unknown): Attributes {
  const attributes: Attributes = {};
  if (exception instanceof Error || (typeof exception === 'object' && exception !== null)) {
    const e = exception as { name?: unknown; message?: unknown; stack?: unknown; constructor?: { name?: unknown } };
    const type = typeof e.name === 'string' && e.name !== 'Error' ? e.name : e.constructor?.name ?? e.name;
    if (typeof type === 'string') attributes['exception.type'] = type;
    if (typeof e.message === 'string') attributes['exception.message'] = e.message;
    if (typeof e.stack === 'string') attributes['exception.stacktrace'] = e.stack;
  } else if (exception !== undefined && exception !== null) {
    attributes['exception.message'] = String(exception);
  }
  return attributes;
}

/**
 * A span being recorded, and after `end()` the finished span handed to processors.
 * Times are milliseconds relative to the process time origin internally; the bigint
 * `startTime`/`endTime` (ns since the epoch) are computed when read.
 */
export class RecordingSpan implements Span, FinishedSpan {
  private _name: string;
  readonly kind: SpanKind;
  readonly parentSpanId: SpanId | undefined;
  /** True when the parent was extracted from a carrier (another process); OTLP span flags carry it. */
  readonly parentIsRemote: boolean;
  /** Start, in ms since the process time origin (see clock.ts). */
  readonly startMs: number;
  /** End, in ms since the process time origin; -1 while recording. */
  endMs = -1;
  /**
   * Attributes as a flat `[key, value, key, value, ...]` list in insertion order, allocated on
   * the first attribute: appending to an array is 2-3x cheaper than adding properties to a
   * fresh object (measured in bench/), and `attributes` builds the object when read.
   */
  private _attrs: Array<string | AttributeValue> | undefined = undefined;
  /** key -> index in `_attrs`, built once a span has INDEXED_FROM attributes (a scan is cheaper below). */
  private _attrIndex: Map<string, number> | undefined = undefined;
  /** The object built by `attributes` once the span has ended (it cannot change any more). */
  private _attrObject: Attributes | undefined = undefined;
  private _events: RecordedEvent[] | undefined = undefined;
  private _links: Link[] | undefined = undefined;
  private _status: SpanStatus = UNSET_STATUS;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;

  constructor(
    private readonly owner: SpanOwner,
    name: string,
    kind: SpanKind,
    private readonly context: SpanContext,
    parentSpanId: SpanId | undefined,
    startTime: TimeInput | undefined,
    parentIsRemote = false,
  ) {
    this._name = name;
    this.kind = kind;
    this.parentSpanId = parentSpanId;
    this.parentIsRemote = parentIsRemote;
    this.startMs = startTime === undefined ? now() : fromTimeInput(startTime);
  }

  spanContext(): SpanContext {
    return this.context;
  }

  get name(): string {
    return this._name;
  }
  get startTime(): bigint {
    return toEpochNanos(this.startMs);
  }
  get endTime(): bigint {
    return toEpochNanos(this.endMs < 0 ? this.startMs : this.endMs);
  }
  /** Duration in milliseconds (0 while recording). */
  get durationMs(): number {
    return this.endMs < 0 ? 0 : this.endMs - this.startMs;
  }
  /** The span's attributes as an object (built from the internal list; cached once ended). */
  get attributes(): Attributes {
    const list = this._attrs;
    if (list === undefined) return EMPTY_ATTRIBUTES;
    if (this._attrObject !== undefined) return this._attrObject;
    const out: Attributes = {};
    for (let i = 0; i < list.length; i += 2) out[list[i] as string] = list[i + 1] as AttributeValue;
    if (this.endMs >= 0) this._attrObject = out;
    return out;
  }
  /**
   * The attributes as a flat `[key, value, key, value, ...]` list in insertion order, without
   * building an object: the fast path for encoders. Read-only; empty when there are none.
   */
  attributeList(): ReadonlyArray<string | AttributeValue> {
    return this._attrs ?? NO_ATTRIBUTES;
  }
  get events(): readonly SpanEvent[] {
    return this._events ?? [];
  }
  get links(): readonly Link[] {
    return this._links ?? [];
  }
  get status(): SpanStatus {
    return this._status;
  }
  get resource(): Resource {
    return this.owner.resource;
  }
  get instrumentationScope(): InstrumentationScope {
    return this.owner.scope;
  }
  get ended(): boolean {
    return this.endMs >= 0;
  }

  isRecording(): boolean {
    return this.endMs < 0;
  }

  private endedWarning(what: string): this {
    diag.debug(`${what} on ended span "${this._name}" ignored`);
    return this;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (this.endMs >= 0) return this.endedWarning('setAttribute');
    if (value === undefined || typeof key !== 'string' || key.length === 0) return this;
    if (!isPrimitive(value) && !isValidValue(value)) {
      diag.debugOnce(`invalid-attr:${key}`, `attribute "${key}" has an unsupported value type; ignored`);
      return this;
    }
    const limits = this.owner.limits;
    const stored = limits.attributeValueLengthLimit === Infinity ? value : truncate(value, limits.attributeValueLengthLimit);
    const list = this._attrs;
    if (list === undefined) {
      if (limits.attributeCountLimit < 1) this.droppedAttributesCount++;
      else {
        const first: Array<string | AttributeValue> = [];
        first.push(key, stored);
        this._attrs = first;
      }
      return this;
    }
    const at = this._attrIndex !== undefined ? this._attrIndex.get(key) ?? -1 : scanFor(list, key);
    if (at >= 0) {
      list[at + 1] = stored;
      return this;
    }
    if (list.length >= limits.attributeCountLimit * 2) {
      this.droppedAttributesCount++;
      return this;
    }
    list.push(key, stored);
    if (this._attrIndex !== undefined) this._attrIndex.set(key, list.length - 2);
    else if (list.length === INDEXED_FROM * 2) this._attrIndex = indexOf(list);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    if (attributes === null || typeof attributes !== 'object') return this;
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributes?: Attributes, time?: TimeInput): this {
    if (this.endMs >= 0) return this.endedWarning('addEvent');
    const limits = this.owner.limits;
    const events = (this._events ??= []);
    if (events.length >= limits.eventCountLimit) {
      this.droppedEventsCount++;
      return this;
    }
    const [copy, dropped] = limitedCopy(attributes, limits.attributePerEventCountLimit, limits.attributeValueLengthLimit);
    events.push(new RecordedEvent(String(name), time === undefined ? now() : fromTimeInput(time), copy, dropped));
    return this;
  }

  addLink(context: SpanContext, attributes?: Attributes): this {
    if (this.endMs >= 0) return this.endedWarning('addLink');
    if (context === null || typeof context !== 'object') return this;
    const limits = this.owner.limits;
    const links = (this._links ??= []);
    if (links.length >= limits.linkCountLimit) {
      this.droppedLinksCount++;
      return this;
    }
    const [copy, dropped] = limitedCopy(attributes, limits.attributePerLinkCountLimit, limits.attributeValueLengthLimit);
    links.push({ context, attributes: copy, droppedAttributesCount: dropped });
    return this;
  }

  recordException(exception: unknown, time?: TimeInput): this {
    return this.addEvent('exception', describeException(exception), time);
  }

  setStatus(status: SpanStatus): this {
    if (this.endMs >= 0) return this.endedWarning('setStatus');
    if (status === null || typeof status !== 'object') return this;
    // OTel: OK is final; UNSET never overrides a set status.
    if (this._status.code === SpanStatusCode.OK || status.code === SpanStatusCode.UNSET) return this;
    this._status =
      status.code === SpanStatusCode.ERROR
        ? { code: SpanStatusCode.ERROR, message: typeof status.message === 'string' ? status.message : undefined }
        : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (this.endMs >= 0) return this.endedWarning('updateName');
    this._name = String(name);
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.endMs >= 0) {
      diag.debug(`end() called twice on span "${this._name}"; the second call is ignored`);
      return;
    }
    const end = endTime === undefined ? now() : fromTimeInput(endTime);
    this.endMs = end < this.startMs ? this.startMs : end;
    this.owner.onSpanEnd(this);
  }
}
