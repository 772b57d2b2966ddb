import type { AttributeValue, Attributes, FinishedSpan, Link, Resource, SpanEvent } from '../../core/types.js';
import { exportedResourceAttributes } from './resource-attributes.js';
import { groupSpans } from './span-groups.js';
import { linkFlags, spanFlags } from './span-fields.js';

const resourceCache = new WeakMap<Resource, string>();
const quote = JSON.stringify;

/**
 * Encodes an OTLP `ExportTraceServiceRequest` in the OTLP/JSON mapping: trace and span
 * ids as lowercase hex (not base64), enums as numbers, 64-bit integers (times, intValue)
 * as decimal strings as proto3 JSON requires, field names in lowerCamelCase.
 */
export class JsonTraceEncoder {
  /** The request body as UTF-8. */
  encode(spans: readonly FinishedSpan[]): Buffer {
    return Buffer.from(this.encodeToString(spans), 'utf8');
  }

  encodeToString(spans: readonly FinishedSpan[]): string {
    let out = '{"resourceSpans":[';
    let firstGroup = true;
    for (const group of groupSpans(spans)) {
      if (!firstGroup) out += ',';
      firstGroup = false;
      out += '{"resource":' + encodedResource(group.resource) + ',"scopeSpans":[';
      for (let s = 0; s < group.scopes.length; s++) {
        const sg = group.scopes[s]!;
        if (s > 0) out += ',';
        out += '{"scope":{"name":' + quote(sg.scope.name);
        if (sg.scope.version) out += ',"version":' + quote(sg.scope.version);
        out += '},"spans":[';
        const list = sg.spans;
        for (let i = 0; i < list.length; i++) {
          if (i > 0) out += ',';
          out += spanJson(list[i]!);
        }
        out += ']}';
      }
      out += ']}';
    }
    return out + ']}';
  }
}

function encodedResource(resource: Resource): string {
  let json = resourceCache.get(resource);
  if (json === undefined) {
    json = '{"attributes":' + attributesJson(exportedResourceAttributes(resource)) + '}';
    if (typeof resource === 'object' && resource !== null) resourceCache.set(resource, json);
  }
  return json;
}

function spanJson(span: FinishedSpan): string {
  const ctx = span.spanContext();
  let out = '{"traceId":"' + ctx.traceId + '","spanId":"' + ctx.spanId + '"';
  if (ctx.traceState !== undefined) {
    const ts = ctx.traceState.serialize();
    if (ts.length > 0) out += ',"traceState":' + quote(ts);
  }
  if (span.parentSpanId !== undefined) out += ',"parentSpanId":"' + span.parentSpanId + '"';
  out +=
    ',"flags":' +
    spanFlags(span, ctx.traceFlags) +
    ',"name":' +
    quote(span.name) +
    ',"kind":' +
    (span.kind + 1) +
    ',"startTimeUnixNano":"' +
    span.startTime +
    '","endTimeUnixNano":"' +
    span.endTime +
    '","attributes":' +
    attributesJson(span.attributes);
  if (span.droppedAttributesCount > 0) out += ',"droppedAttributesCount":' + span.droppedAttributesCount;
  if (span.events.length > 0) {
    out += ',"events":[';
    for (let i = 0; i < span.events.length; i++) {
      if (i > 0) out += ',';
      out += eventJson(span.events[i]!);
    }
    out += ']';
  }
  if (span.droppedEventsCount > 0) out += ',"droppedEventsCount":' + span.droppedEventsCount;
  if (span.links.length > 0) {
    out += ',"links":[';
    for (let i = 0; i < span.links.length; i++) {
      if (i > 0) out += ',';
      out += linkJson(span.links[i]!);
    }
    out += ']';
  }
  if (span.droppedLinksCount > 0) out += ',"droppedLinksCount":' + span.droppedLinksCount;
  const status = span.status;
  out += ',"status":{';
  if (status.code) out += '"code":' + status.code;
  if (status.message) out += (status.code ? ',' : '') + '"message":' + quote(status.message);
  return out + '}}';
}

function eventJson(event: SpanEvent): string {
  let out =
    '{"timeUnixNano":"' + event.time + '","name":' + quote(event.name) + ',"attributes":' + attributesJson(event.attributes);
  if (event.droppedAttributesCount > 0) out += ',"droppedAttributesCount":' + event.droppedAttributesCount;
  return out + '}';
}

function linkJson(link: Link): string {
  const ctx = link.context;
  let out = '{"traceId":"' + ctx.traceId + '","spanId":"' + ctx.spanId + '"';
  if (ctx.traceState !== undefined) {
    const ts = ctx.traceState.serialize();
    if (ts.length > 0) out += ',"traceState":' + quote(ts);
  }
  out += ',"attributes":' + attributesJson(link.attributes ?? {});
  if (link.droppedAttributesCount) out += ',"droppedAttributesCount":' + link.droppedAttributesCount;
  return out + ',"flags":' + linkFlags(ctx) + '}';
}

function attributesJson(attributes: Attributes): string {
  let out = '[';
  let first = true;
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += '{"key":' + quote(key) + ',"value":' + anyValueJson(value) + '}';
  }
  return out + ']';
}

/** AnyValue in proto3 JSON: intValue is a decimal string; non-finite doubles are the strings "NaN", "Infinity", "-Infinity". */
function anyValueJson(value: AttributeValue | null | undefined): string {
  switch (typeof value) {
    case 'string':
      return '{"stringValue":' + quote(value) + '}';
    case 'number':
      if (Number.isSafeInteger(value)) return '{"intValue":"' + value + '"}';
      if (Number.isFinite(value)) return '{"doubleValue":' + value + '}';
      return '{"doubleValue":"' + value + '"}';
    case 'boolean':
      return value ? '{"boolValue":true}' : '{"boolValue":false}';
    case 'object':
      if (Array.isArray(value)) {
        let out = '{"arrayValue":{"values":[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += anyValueJson(value[i]);
        }
        return out + ']}}';
      }
      return '{}';
    default:
      return '{}';
  }
}
