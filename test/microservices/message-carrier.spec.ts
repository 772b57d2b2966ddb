import { mergeCarrier, readCarrier } from '../../lib/nest/microservices/message.carrier.js';

describe('message carriers', () => {
  const carrier = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', baggage: 'k=v' };

  it('replaces trace headers whatever their letter case, keeps the others, and never modifies the original', () => {
    const user = { TraceParent: 'stale', TRACESTATE: 'vendor=1', Baggage: 'old=1', 'x-user': 'alice', 'X-Tenant': 't1' };
    const merged = mergeCarrier(user, carrier);
    expect(merged).toEqual({ 'x-user': 'alice', 'X-Tenant': 't1', ...carrier });
    expect(user.TraceParent).toBe('stale');
  });

  it('starts from nothing when the existing headers are not an object', () => {
    expect(mergeCarrier(undefined, carrier)).toEqual(carrier);
    expect(mergeCarrier(['a'], carrier)).toEqual(carrier);
    expect(mergeCarrier('text', carrier)).toEqual(carrier);
  });

  it('reads plain headers, Buffer values (Kafka), arrays (MQTT user properties) and lowercases keys', () => {
    expect(readCarrier({ TraceParent: Buffer.from('tp'), baggage: ['a=1', 'b=2'], n: 5 })).toEqual({ traceparent: 'tp', baggage: ['a=1', 'b=2'] });
    expect(readCarrier({ traceparent: [Buffer.from('only')] })).toEqual({ traceparent: 'only' });
  });

  it('reads NATS-style headers objects through keys() and get()', () => {
    const values = new Map([['traceparent', 'tp'], ['x-user', 'alice']]);
    const headers = { keys: () => [...values.keys()], get: (key: string) => values.get(key) ?? '' };
    expect(readCarrier(headers)).toEqual({ traceparent: 'tp', 'x-user': 'alice' });
  });

  it('gives undefined (a new root trace) for anything that cannot hold headers', () => {
    for (const value of [undefined, null, 'traceparent', 42, {}, { n: 1 }]) expect(readCarrier(value)).toBeUndefined();
  });
});
