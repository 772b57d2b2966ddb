import { RecordingSpan, Tracer, type TracerConfig } from '../../lib/core/index.js';
import { CollectingProcessor } from './collect.js';

// RecordingSpan keeps attributes in a flat list (with an index from 16 keys on) for speed;
// these tests pin down that what a user and an exporter see is the same as with an object.
function span(limits: TracerConfig['limits'] = {}) {
  const processor = new CollectingProcessor();
  const tracer = new Tracer({ serviceName: 'attributes-test', processor, limits });
  return { span: tracer.startSpan('s') as RecordingSpan, processor };
}

describe('span attributes', () => {
  it('keeps insertion order and overwrites a repeated key in place', () => {
    const { span: s } = span();
    s.setAttribute('a', 1).setAttribute('b', 'two').setAttribute('a', 3).setAttribute('c', true);
    expect(Object.entries(s.attributes)).toEqual([
      ['a', 3],
      ['b', 'two'],
      ['c', true],
    ]);
    expect(s.attributeList()).toEqual(['a', 3, 'b', 'two', 'c', true]);
  });

  it('overwrites and counts correctly past the point where the span indexes its keys', () => {
    const { span: s } = span({ attributeCountLimit: 40 });
    for (let i = 0; i < 50; i++) s.setAttribute(`k${i}`, i);
    for (let i = 0; i < 50; i++) s.setAttribute(`k${i}`, i * 10);
    const attributes = s.attributes;
    expect(Object.keys(attributes)).toHaveLength(40);
    expect(attributes.k0).toBe(0 * 10);
    expect(attributes.k39).toBe(390);
    expect(attributes.k40).toBeUndefined();
    expect(s.droppedAttributesCount).toBe(20);
  });

  it('drops every attribute when the count limit is 0', () => {
    const { span: s } = span({ attributeCountLimit: 0 });
    s.setAttribute('a', 1).setAttribute('b', 2);
    expect(s.attributes).toEqual({});
    expect(s.droppedAttributesCount).toBe(2);
  });

  it('gives exporters the same object after end, and nothing changes it any more', () => {
    const { span: s, processor } = span();
    s.setAttribute('http.route', '/orders/:id');
    s.end();
    s.setAttribute('late', 1);
    const finished = processor.spans[0];
    expect(finished.attributes).toBe(finished.attributes);
    expect(finished.attributes).toEqual({ 'http.route': '/orders/:id' });
  });

  it('shows attributes set so far while the span is recording', () => {
    const { span: s } = span();
    expect(s.attributes).toEqual({});
    s.setAttribute('a', 1);
    expect(s.attributes).toEqual({ a: 1 });
    s.setAttribute('b', 2);
    expect(s.attributes).toEqual({ a: 1, b: 2 });
  });
});
