import fc from 'fast-check';
import { Tracer } from '../../lib/core/tracer.js';
import type { FinishedSpan } from '../../lib/core/types.js';
import { InMemorySpanExporter } from '../../lib/export/in-memory-span.exporter.js';
import { SimpleSpanProcessor } from '../../lib/export/simple-span.processor.js';
import { JsonTraceEncoder } from '../../lib/export/otlp/json-trace.encoder.js';
import { ProtobufTraceEncoder } from '../../lib/export/otlp/protobuf-trace.encoder.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';

const memory = new InMemorySpanExporter();
const tracer = new Tracer({ serviceName: 'property', processor: new SimpleSpanProcessor(memory) });
const protobuf = new ProtobufTraceEncoder(32); // small on purpose: growth paths run too
const json = new JsonTraceEncoder(32);

function span(name: string, value: string | number | boolean): FinishedSpan {
  memory.reset();
  tracer.startSpan(name, { attributes: { v: value } }).end();
  return memory.getFinishedSpans()[0]!;
}

/** What UTF-8 can carry of a JS string (lone surrogates become U+FFFD). */
const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

describe('OTLP encoders on arbitrary values (fast-check)', () => {
  it('carry any string through protobuf and JSON', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 40 }), (value, name) => {
        const s = span(name, value);
        const pb = OtlpReceiver.decode(protobuf.encode([s])).spans[0]!;
        expect(pb.name).toBe(utf8(name));
        expect(pb.attributes['v']).toBe(utf8(value));
        const body = json.encode([s]);
        const js = OtlpReceiver.decode(body, true).spans[0]!;
        expect(js.attributes['v']).toBe(value); // JSON escapes lone surrogates, so even those survive
        // the JSON text itself is what JSON.stringify would write for the value
        expect(body.toString('utf8')).toContain(`"stringValue":${JSON.stringify(value)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('carry any safe integer as intValue and any other number as doubleValue', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeInteger(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), (value) => {
        const s = span('n', value);
        for (const decoded of [OtlpReceiver.decode(protobuf.encode([s])).spans[0]!, OtlpReceiver.decode(json.encode([s]), true).spans[0]!]) {
          expect(decoded.attributeTypes['v']).toBe(Number.isSafeInteger(value) ? 'intValue' : 'doubleValue');
          expect(decoded.attributes['v']).toBe(Object.is(value, -0) ? 0 : value);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('writes span times exactly as the bigint getters give them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), (startMs, durationUs) => {
        memory.reset();
        const sp = tracer.startSpan('t', { startTime: startMs });
        sp.addEvent('e', undefined, startMs + durationUs / 2000);
        sp.end(startMs + durationUs / 1000);
        const s = memory.getFinishedSpans()[0]!;
        for (const decoded of [OtlpReceiver.decode(protobuf.encode([s])).spans[0]!, OtlpReceiver.decode(json.encode([s]), true).spans[0]!]) {
          expect(decoded.startTimeUnixNano).toBe(s.startTime);
          expect(decoded.endTimeUnixNano).toBe(s.endTime);
          expect(decoded.events[0]!.timeUnixNano).toBe(s.events[0]!.time);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('encodes repeated and varying attribute values right on every request (both encoders cache the repeated ones)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('GET', 'POST', '/a', '/b\n', 'ü', ''), fc.string({ maxLength: 20 })), { minLength: 1, maxLength: 60 }), (pairs) => {
        memory.reset();
        for (const [repeated, varying] of pairs) tracer.startSpan('s', { attributes: { repeated, varying } }).end();
        const spans = memory.getFinishedSpans();
        for (let round = 0; round < 2; round++) {
          for (const decoded of [OtlpReceiver.decode(json.encode(spans), true).spans, OtlpReceiver.decode(protobuf.encode(spans)).spans])
            expect(decoded.map((d) => [d.attributes['repeated'], d.attributes['varying']])).toEqual(pairs.map(([r, v]) => [utf8(r), utf8(v)]));
        }
      }),
      { numRuns: 100 },
    );
  });
});
