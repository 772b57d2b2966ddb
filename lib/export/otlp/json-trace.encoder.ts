import type { AttributeValue, Attributes, FinishedSpan, Link, Resource, SpanContext, SpanEvent } from '../../core/types.js';
import { JsonWriter } from './json-writer.js';
import { exportedResourceAttributes } from './resource-attributes.js';
import { groupSpans } from './span-groups.js';
import { attributeList, hasValidIds, linkFlags, spanFlags, text, writeEndTimeDecimal, writeEventTimeDecimal, writeStartTimeDecimal } from './span-fields.js';

/** Encoded `"resource":{...}` values, one per resource object (resources are immutable). */
const resourceCache = new WeakMap<Resource, Buffer>();

/**
 * Encodes an OTLP `ExportTraceServiceRequest` in the OTLP/JSON mapping: trace and span
 * ids as lowercase hex (not base64), enums as numbers, 64-bit integers (times, intValue)
 * as decimal strings as proto3 JSON requires, field names in lowerCamelCase. Writes UTF-8
 * straight into a reused buffer. Not re-entrant per encoder.
 */
export class JsonTraceEncoder {
  private readonly w: JsonWriter;

  constructor(initialSize?: number) {
    this.w = new JsonWriter(initialSize);
  }

  /** The request body as UTF-8 (a fresh Buffer owned by the caller). */
  encode(spans: readonly FinishedSpan[]): Buffer {
    const w = this.w;
    w.reset();
    w.ascii('{"resourceSpans":[');
    let firstGroup = true;
    for (const group of groupSpans(spans)) {
      if (!firstGroup) w.char(0x2c); // ,
      firstGroup = false;
      w.ascii('{"resource":');
      const resource = encodedResource(group.resource);
      w.ensure(resource.length);
      w.buf.set(resource, w.pos);
      w.pos += resource.length;
      w.ascii(',"scopeSpans":[');
      for (let s = 0; s < group.scopes.length; s++) {
        const sg = group.scopes[s]!;
        if (s > 0) w.char(0x2c); // ,
        w.ascii('{"scope":{"name":');
        w.string(sg.scope.name);
        if (sg.scope.version) {
          w.ascii(',"version":');
          w.string(sg.scope.version);
        }
        w.ascii('},"spans":[');
        const list = sg.spans;
        for (let i = 0; i < list.length; i++) {
          if (i > 0) w.char(0x2c); // ,
          writeSpan(w, list[i]!);
        }
        w.ascii(']}');
      }
      w.ascii(']}');
    }
    w.ascii(']}');
    return w.finish();
  }

  /** The request body as a string (tests, debugging). */
  encodeToString(spans: readonly FinishedSpan[]): string {
    return this.encode(spans).toString('utf8');
  }
}

function encodedResource(resource: Resource): Buffer {
  let bytes = resourceCache.get(resource);
  if (bytes === undefined) {
    const w = new JsonWriter(1024);
    w.ascii('{"attributes":');
    writeAttributes(w, exportedResourceAttributes(resource));
    w.char(0x7d); // }
    bytes = w.finish();
    if (typeof resource === 'object' && resource !== null) resourceCache.set(resource, bytes);
  }
  return bytes;
}

/** Opens a Span or Link object with its `traceId`, `spanId` and non-empty `traceState`. */
function writeIds(w: JsonWriter, ctx: SpanContext): void {
  w.ascii('{"traceId":"');
  w.ascii(ctx.traceId);
  w.ascii('","spanId":"');
  w.ascii(ctx.spanId);
  w.char(0x22); // "
  if (ctx.traceState !== undefined) {
    const ts = ctx.traceState.serialize();
    if (ts.length > 0) {
      w.ascii(',"traceState":');
      w.string(ts);
    }
  }
}

function writeSpan(w: JsonWriter, span: FinishedSpan): void {
  const ctx = span.spanContext();
  writeIds(w, ctx);
  if (span.parentSpanId !== undefined) {
    w.ascii(',"parentSpanId":"');
    w.ascii(span.parentSpanId);
    w.char(0x22); // "
  }
  w.ascii(',"flags":');
  w.integer(spanFlags(span, ctx.traceFlags));
  w.ascii(',"name":');
  w.string(text(span.name));
  w.ascii(',"kind":');
  w.integer(span.kind + 1);
  w.ascii(',"startTimeUnixNano":"');
  writeStartTimeDecimal(w, span);
  w.ascii('","endTimeUnixNano":"');
  writeEndTimeDecimal(w, span);
  w.ascii('","attributes":');
  const list = attributeList(span);
  if (list !== undefined) writeAttributeList(w, list);
  else writeAttributes(w, span.attributes);
  if (span.droppedAttributesCount > 0) {
    w.ascii(',"droppedAttributesCount":');
    w.integer(span.droppedAttributesCount);
  }
  const events = span.events;
  if (events.length > 0) {
    w.ascii(',"events":[');
    for (let i = 0; i < events.length; i++) {
      if (i > 0) w.char(0x2c); // ,
      writeEvent(w, events[i]!);
    }
    w.char(0x5d); // ]
  }
  if (span.droppedEventsCount > 0) {
    w.ascii(',"droppedEventsCount":');
    w.integer(span.droppedEventsCount);
  }
  const links = span.links;
  if (links.length > 0) {
    w.ascii(',"links":[');
    let first = true;
    for (let i = 0; i < links.length; i++) {
      const link = links[i]!;
      if (!hasValidIds(link.context)) continue; // a malformed link must not cost the whole batch
      if (!first) w.char(0x2c); // ,
      first = false;
      writeLink(w, link);
    }
    w.char(0x5d); // ]
  }
  if (span.droppedLinksCount > 0) {
    w.ascii(',"droppedLinksCount":');
    w.integer(span.droppedLinksCount);
  }
  const status = span.status;
  w.ascii(',"status":{');
  if (status.code) {
    w.ascii('"code":');
    w.integer(status.code);
  }
  if (status.message) {
    w.ascii(status.code ? ',"message":' : '"message":');
    w.string(status.message);
  }
  w.ascii('}}');
}

function writeEvent(w: JsonWriter, event: SpanEvent): void {
  w.ascii('{"timeUnixNano":"');
  writeEventTimeDecimal(w, event);
  w.ascii('","name":');
  w.string(text(event.name));
  w.ascii(',"attributes":');
  writeAttributes(w, event.attributes);
  if (event.droppedAttributesCount > 0) {
    w.ascii(',"droppedAttributesCount":');
    w.integer(event.droppedAttributesCount);
  }
  w.char(0x7d); // }
}

function writeLink(w: JsonWriter, link: Link): void {
  const ctx = link.context;
  writeIds(w, ctx);
  w.ascii(',"attributes":');
  writeAttributes(w, link.attributes ?? {});
  if (link.droppedAttributesCount) {
    w.ascii(',"droppedAttributesCount":');
    w.integer(link.droppedAttributesCount);
  }
  w.ascii(',"flags":');
  w.integer(linkFlags(ctx));
  w.char(0x7d); // }
}

// Attribute keys repeat from span to span: `{"key":"<key>","value":` is encoded once per
// key and copied afterwards. Short string values repeat too (method, route, host, user
// agent): a value seen twice for a key gets its whole encoded KeyValue cached and copied.
// Bounded (keys, values per key, value length), so churn cannot grow memory.
const KEY_CACHE_LIMIT = 512;
const VALUES_PER_KEY = 16;
const CACHED_VALUE_LENGTH = 256;

interface KeyEntry {
  readonly fragment: Buffer;
  /** value -> its whole encoded KeyValue, or null after the first sighting. */
  readonly values: Map<string, Buffer | null>;
}

const keyEntries = new Map<string, KeyEntry>();
const keyWriter = new JsonWriter(256);

function keyEntry(key: string): KeyEntry {
  let entry = keyEntries.get(key);
  if (entry === undefined) {
    keyWriter.reset();
    keyWriter.ascii('{"key":');
    keyWriter.string(key);
    keyWriter.ascii(',"value":');
    entry = { fragment: keyWriter.finish(), values: new Map() };
    if (keyEntries.size < KEY_CACHE_LIMIT) keyEntries.set(key, entry);
  }
  return entry;
}

/** One KeyValue; a short string value seen before for this key is copied whole. */
function writeKeyValue(w: JsonWriter, key: string, value: AttributeValue): void {
  const entry = keyEntry(key);
  if (typeof value === 'string' && value.length <= CACHED_VALUE_LENGTH) {
    const values = entry.values;
    const cached = values.get(value);
    if (cached) {
      w.bytes(cached);
      return;
    }
    const start = w.pos;
    w.bytes(entry.fragment);
    writeAnyValue(w, value);
    w.char(0x7d); // }
    if (cached === null) values.set(value, Buffer.from(w.buf.subarray(start, w.pos)));
    else if (values.size < VALUES_PER_KEY) values.set(value, null);
    return;
  }
  w.bytes(entry.fragment);
  writeAnyValue(w, value);
  w.char(0x7d); // }
}

function writeAttributes(w: JsonWriter, attributes: Attributes): void {
  w.char(0x5b); // [
  let first = true;
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined) continue;
    if (!first) w.char(0x2c); // ,
    first = false;
    writeKeyValue(w, key, value);
  }
  w.char(0x5d); // ]
}

function writeAttributeList(w: JsonWriter, list: ReadonlyArray<string | AttributeValue>): void {
  w.char(0x5b); // [
  let first = true;
  for (let i = 0; i < list.length; i += 2) {
    const value = list[i + 1];
    if (value === undefined) continue;
    if (!first) w.char(0x2c); // ,
    first = false;
    writeKeyValue(w, list[i] as string, value);
  }
  w.char(0x5d); // ]
}

/** AnyValue in proto3 JSON: intValue is a decimal string; non-finite doubles are the strings "NaN", "Infinity", "-Infinity". */
function writeAnyValue(w: JsonWriter, value: AttributeValue | null | undefined): void {
  switch (typeof value) {
    case 'string':
      w.ascii('{"stringValue":');
      w.string(value);
      w.char(0x7d); // }
      return;
    case 'number':
      if (Number.isSafeInteger(value)) {
        w.ascii('{"intValue":"');
        w.integer(value);
        w.ascii('"}');
      } else if (Number.isFinite(value)) {
        w.ascii('{"doubleValue":');
        w.ascii(String(value));
        w.char(0x7d); // }
      } else {
        w.ascii('{"doubleValue":"');
        w.ascii(String(value));
        w.ascii('"}');
      }
      return;
    case 'boolean':
      w.ascii(value ? '{"boolValue":true}' : '{"boolValue":false}');
      return;
    case 'object':
      if (Array.isArray(value)) {
        w.ascii('{"arrayValue":{"values":[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) w.char(0x2c); // ,
          writeAnyValue(w, value[i]);
        }
        w.ascii(']}}');
        return;
      }
      w.ascii('{}');
      return;
    default:
      w.ascii('{}');
  }
}
