import type { AttributeValue, Attributes, FinishedSpan, Link, Resource, SpanContext, SpanEvent } from '../../core/types.js';
import { ProtoWriter } from './proto-writer.js';
import { exportedResourceAttributes } from './resource-attributes.js';
import { groupSpans } from './span-groups.js';
import { attributeList, hasValidIds, linkFlags, spanFlags, text, writeEndTime, writeEventTime, writeStartTime } from './span-fields.js';

// Field tags, `(field << 3) | wireType`, from opentelemetry-proto trace/v1/trace.proto and
// common/v1/common.proto. Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
const T_REQ_RESOURCE_SPANS = 0x0a;
const T_RS_RESOURCE = 0x0a;
const T_RS_SCOPE_SPANS = 0x12;
const T_RES_ATTRIBUTES = 0x0a;
const T_SS_SCOPE = 0x0a;
const T_SS_SPANS = 0x12;
const T_SCOPE_NAME = 0x0a;
const T_SCOPE_VERSION = 0x12;
const T_KV_KEY = 0x0a;
const T_KV_VALUE = 0x12;
const T_ANY_STRING = 0x0a;
const T_ANY_BOOL = 0x10;
const T_ANY_INT = 0x18;
const T_ANY_DOUBLE = 0x21;
const T_ANY_ARRAY = 0x2a;
const T_ARRAY_VALUES = 0x0a;
const T_SPAN_TRACE_ID = 0x0a;
const T_SPAN_SPAN_ID = 0x12;
const T_SPAN_TRACE_STATE = 0x1a;
const T_SPAN_PARENT_SPAN_ID = 0x22;
const T_SPAN_NAME = 0x2a;
const T_SPAN_KIND = 0x30;
const T_SPAN_START = 0x39;
const T_SPAN_END = 0x41;
const T_SPAN_ATTRIBUTES = 0x4a;
const T_SPAN_DROPPED_ATTRIBUTES = 0x50;
const T_SPAN_EVENTS = 0x5a;
const T_SPAN_DROPPED_EVENTS = 0x60;
const T_SPAN_LINKS = 0x6a;
const T_SPAN_DROPPED_LINKS = 0x70;
const T_SPAN_STATUS = 0x7a;
// Span.flags is field 16 (fixed32): its tag needs two varint bytes, 0x85 0x01.
const T_SPAN_FLAGS_0 = 0x85;
const T_SPAN_FLAGS_1 = 0x01;
const T_EVENT_TIME = 0x09;
const T_EVENT_NAME = 0x12;
const T_EVENT_ATTRIBUTES = 0x1a;
const T_EVENT_DROPPED = 0x20;
const T_LINK_TRACE_ID = 0x0a;
const T_LINK_SPAN_ID = 0x12;
const T_LINK_TRACE_STATE = 0x1a;
const T_LINK_ATTRIBUTES = 0x22;
const T_LINK_DROPPED = 0x28;
const T_LINK_FLAGS = 0x35;
const T_STATUS_MESSAGE = 0x12;
const T_STATUS_CODE = 0x18;

/** Encoded Resource messages, one per resource object (resources are immutable). */
const resourceCache = new WeakMap<Resource, Buffer>();

/**
 * Encodes an OTLP `ExportTraceServiceRequest` (protobuf) into a reusable writer. Spans
 * are grouped by resource and instrumentation scope. Not re-entrant per writer.
 */
export class ProtobufTraceEncoder {
  private readonly w: ProtoWriter;

  constructor(initialSize?: number) {
    this.w = new ProtoWriter(initialSize);
  }

  /** The request bytes (a fresh Buffer owned by the caller). */
  encode(spans: readonly FinishedSpan[]): Buffer {
    const w = this.w;
    w.reset();
    for (const group of groupSpans(spans)) {
      w.tag(T_REQ_RESOURCE_SPANS);
      const rs = w.begin();
      w.tag(T_RS_RESOURCE);
      w.raw(encodedResource(group.resource));
      for (const sg of group.scopes) {
        w.tag(T_RS_SCOPE_SPANS);
        const ss = w.begin();
        w.tag(T_SS_SCOPE);
        const sc = w.begin();
        w.tag(T_SCOPE_NAME);
        w.string(sg.scope.name);
        if (sg.scope.version) {
          w.tag(T_SCOPE_VERSION);
          w.string(sg.scope.version);
        }
        w.end(sc);
        const list = sg.spans;
        for (let i = 0; i < list.length; i++) {
          w.tag(T_SS_SPANS);
          writeSpan(w, list[i]!);
        }
        w.end(ss);
      }
      w.end(rs);
    }
    return w.finish();
  }
}

function encodedResource(resource: Resource): Buffer {
  let bytes = resourceCache.get(resource);
  if (bytes === undefined) {
    const w = new ProtoWriter(1024);
    const mark = w.begin();
    writeAttributes(w, T_RES_ATTRIBUTES, exportedResourceAttributes(resource));
    w.end(mark);
    bytes = w.finish();
    if (typeof resource === 'object' && resource !== null) resourceCache.set(resource, bytes);
  }
  return bytes;
}

/** Writes trace id, span id and a non-empty trace state under the given field tags (Span or Link). */
function writeIds(w: ProtoWriter, ctx: SpanContext, traceIdTag: number, spanIdTag: number, traceStateTag: number): void {
  w.tag(traceIdTag);
  w.hexBytes(ctx.traceId);
  w.tag(spanIdTag);
  w.hexBytes(ctx.spanId);
  if (ctx.traceState !== undefined) {
    const ts = ctx.traceState.serialize();
    if (ts.length > 0) {
      w.tag(traceStateTag);
      w.string(ts);
    }
  }
}

function writeSpan(w: ProtoWriter, span: FinishedSpan): void {
  const mark = w.begin();
  const ctx = span.spanContext();
  writeIds(w, ctx, T_SPAN_TRACE_ID, T_SPAN_SPAN_ID, T_SPAN_TRACE_STATE);
  if (span.parentSpanId !== undefined) {
    w.tag(T_SPAN_PARENT_SPAN_ID);
    w.hexBytes(span.parentSpanId);
  }
  w.tag(T_SPAN_NAME);
  w.string(text(span.name));
  w.tag(T_SPAN_KIND);
  w.tag(span.kind + 1); // OTLP SpanKind = API SpanKind + 1 (0 is UNSPECIFIED)
  w.tag(T_SPAN_START);
  writeStartTime(w, span);
  w.tag(T_SPAN_END);
  writeEndTime(w, span);
  const list = attributeList(span);
  if (list !== undefined) {
    for (let i = 0; i < list.length; i += 2) writeKeyValue(w, T_SPAN_ATTRIBUTES, list[i] as string, list[i + 1]);
  } else writeAttributes(w, T_SPAN_ATTRIBUTES, span.attributes);
  if (span.droppedAttributesCount > 0) {
    w.tag(T_SPAN_DROPPED_ATTRIBUTES);
    w.uint32(span.droppedAttributesCount);
  }
  const events = span.events;
  for (let i = 0; i < events.length; i++) writeEvent(w, events[i]!);
  if (span.droppedEventsCount > 0) {
    w.tag(T_SPAN_DROPPED_EVENTS);
    w.uint32(span.droppedEventsCount);
  }
  const links = span.links;
  for (let i = 0; i < links.length; i++) writeLink(w, links[i]!);
  if (span.droppedLinksCount > 0) {
    w.tag(T_SPAN_DROPPED_LINKS);
    w.uint32(span.droppedLinksCount);
  }
  const status = span.status;
  w.tag(T_SPAN_STATUS);
  const sm = w.begin();
  if (status.message) {
    w.tag(T_STATUS_MESSAGE);
    w.string(status.message);
  }
  if (status.code) {
    w.tag(T_STATUS_CODE);
    w.tag(status.code);
  }
  w.end(sm);
  w.tag(T_SPAN_FLAGS_0);
  w.tag(T_SPAN_FLAGS_1);
  w.fixed32(spanFlags(span, ctx.traceFlags));
  w.end(mark);
}

function writeEvent(w: ProtoWriter, event: SpanEvent): void {
  w.tag(T_SPAN_EVENTS);
  const mark = w.begin();
  w.tag(T_EVENT_TIME);
  writeEventTime(w, event);
  w.tag(T_EVENT_NAME);
  w.string(text(event.name));
  writeAttributes(w, T_EVENT_ATTRIBUTES, event.attributes);
  if (event.droppedAttributesCount > 0) {
    w.tag(T_EVENT_DROPPED);
    w.uint32(event.droppedAttributesCount);
  }
  w.end(mark);
}

function writeLink(w: ProtoWriter, link: Link): void {
  if (!hasValidIds(link.context)) return; // a malformed link must not cost the whole batch
  w.tag(T_SPAN_LINKS);
  const mark = w.begin();
  const ctx = link.context;
  writeIds(w, ctx, T_LINK_TRACE_ID, T_LINK_SPAN_ID, T_LINK_TRACE_STATE);
  if (link.attributes !== undefined) writeAttributes(w, T_LINK_ATTRIBUTES, link.attributes);
  if (link.droppedAttributesCount) {
    w.tag(T_LINK_DROPPED);
    w.uint32(link.droppedAttributesCount);
  }
  w.tag(T_LINK_FLAGS);
  w.fixed32(linkFlags(ctx));
  w.end(mark);
}

/** Repeated KeyValue under `tag`; undefined values are skipped. */
function writeAttributes(w: ProtoWriter, tag: number, attributes: Attributes): void {
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined) continue;
    writeKeyValue(w, tag, key, value);
  }
}

// Short string values repeat from span to span (method, route, host, user agent): a
// (key, value) pair seen twice gets its encoded KeyValue body cached and copied afterwards.
// Bounded (keys, values per key, value length), so churn cannot grow memory.
const KEY_CACHE_LIMIT = 512;
const VALUES_PER_KEY = 16;
const CACHED_VALUE_LENGTH = 256;
/** key -> (value -> encoded KeyValue body with its length prefix, or null after one sighting) */
const keyValues = new Map<string, Map<string, Buffer | null>>();

function writeKeyValue(w: ProtoWriter, tag: number, key: string, value: AttributeValue | undefined): void {
  if (value === undefined) return;
  if (typeof value === 'string' && value.length <= CACHED_VALUE_LENGTH) {
    let values = keyValues.get(key);
    if (values === undefined && keyValues.size < KEY_CACHE_LIMIT) keyValues.set(key, (values = new Map()));
    const cached = values?.get(value);
    if (cached) {
      w.tag(tag);
      w.raw(cached);
      return;
    }
    w.tag(tag);
    const start = w.pos;
    const kv = w.begin();
    w.tag(T_KV_KEY);
    w.string(key);
    w.tag(T_KV_VALUE);
    writeAnyValue(w, value);
    w.end(kv);
    if (values !== undefined) {
      if (cached === null) values.set(value, Buffer.from(w.buf.subarray(start, w.pos)));
      else if (values.size < VALUES_PER_KEY) values.set(value, null);
    }
    return;
  }
  w.tag(tag);
  const kv = w.begin();
  w.tag(T_KV_KEY);
  w.string(key);
  w.tag(T_KV_VALUE);
  writeAnyValue(w, value);
  w.end(kv);
}

/** An AnyValue message (with its length). A JS integer is an intValue, any other number a doubleValue. */
function writeAnyValue(w: ProtoWriter, value: AttributeValue | null | undefined): void {
  const mark = w.begin();
  switch (typeof value) {
    case 'string':
      w.tag(T_ANY_STRING);
      w.string(value);
      break;
    case 'number':
      if (Number.isSafeInteger(value)) {
        w.tag(T_ANY_INT);
        w.int64(value);
      } else {
        w.tag(T_ANY_DOUBLE);
        w.double(value);
      }
      break;
    case 'boolean':
      w.tag(T_ANY_BOOL);
      w.tag(value ? 1 : 0);
      break;
    case 'object':
      if (Array.isArray(value)) {
        w.tag(T_ANY_ARRAY);
        const arr = w.begin();
        for (let i = 0; i < value.length; i++) {
          w.tag(T_ARRAY_VALUES);
          writeAnyValue(w, value[i]);
        }
        w.end(arr);
      }
      break;
    default:
      // null/undefined array entries: an empty AnyValue
      break;
  }
  w.end(mark);
}
