import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Observable, defer, of, throwError } from 'rxjs';
import {
  AlwaysOffSampler,
  NOOP_SPAN,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  Tracer,
  activeContext,
  suppressTracing,
  isValidSpanId,
  isValidTraceId,
  newSpanId,
  newTraceId,
  type SpanContext,
} from '../../lib/core/index.js';
import { CollectingProcessor } from './collect.js';

function setup(config: ConstructorParameters<typeof Tracer>[0] = {}) {
  const processor = new CollectingProcessor();
  const tracer = new Tracer({ serviceName: 'core-test', processor, ...config });
  return { tracer, processor };
}

describe('ids', () => {
  it('are lowercase hex of the right length, valid, and distinct', () => {
    const traces = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const t = newTraceId();
      const s = newSpanId();
      expect(isValidTraceId(t)).toBe(true);
      expect(isValidSpanId(s)).toBe(true);
      traces.add(t);
    }
    expect(traces.size).toBe(2000);
  });
});

describe('Tracer spans', () => {
  it('nests startActiveSpan children under the active span, in one trace', () => {
    const { tracer, processor } = setup();
    tracer.startActiveSpan('parent', () => {
      tracer.startActiveSpan('child', () => tracer.startSpan('grandchild').end());
    });
    const parent = processor.byName('parent');
    const child = processor.byName('child');
    const grandchild = processor.byName('grandchild');
    expect(parent.parentSpanId).toBeUndefined();
    expect(child.parentSpanId).toBe(parent.spanContext().spanId);
    expect(grandchild.parentSpanId).toBe(child.spanContext().spanId);
    expect(new Set(processor.spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(parent.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
  });

  it('keeps the parent across await, setTimeout, setImmediate, Promise.all fan-out and event emitters', async () => {
    const { tracer, processor } = setup();
    const emitter = new EventEmitter();
    await tracer.startActiveSpan('root', async () => {
      await sleep(1);
      tracer.startSpan('after-await').end();
      await new Promise<void>((resolve) => setTimeout(() => (tracer.startSpan('in-timeout').end(), resolve()), 1));
      await new Promise<void>((resolve) => setImmediate(() => (tracer.startSpan('in-immediate').end(), resolve())));
      await Promise.all(
        [1, 2, 3].map((i) =>
          tracer.startActiveSpan(`fan-${i}`, async () => {
            await sleep(3 - i);
            tracer.startSpan(`leaf-${i}`).end();
          }),
        ),
      );
      emitter.on('evt', () => tracer.startSpan('in-listener').end());
      emitter.emit('evt');
    });
    const root = processor.byName('root').spanContext().spanId;
    for (const name of ['after-await', 'in-timeout', 'in-immediate', 'fan-1', 'fan-2', 'fan-3', 'in-listener'])
      expect(processor.byName(name).parentSpanId).toBe(root);
    for (const i of [1, 2, 3])
      expect(processor.byName(`leaf-${i}`).parentSpanId).toBe(processor.byName(`fan-${i}`).spanContext().spanId);
  });

  it('ends a span when its Promise settles and records a rejection unchanged', async () => {
    const { tracer, processor } = setup();
    const error = new TypeError('boom');
    await expect(tracer.startActiveSpan('fails', async () => Promise.reject(error))).rejects.toBe(error);
    const span = processor.byName('fails');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(span.events[0].name).toBe('exception');
    expect(span.events[0].attributes['exception.type']).toBe('TypeError');
    expect(span.events[0].attributes['exception.message']).toBe('boom');
    expect(String(span.events[0].attributes['exception.stacktrace'])).toContain('boom');
  });

  it('rethrows a synchronous throw as the same object', () => {
    const { tracer, processor } = setup();
    const error = new Error('sync');
    let caught: unknown;
    try {
      tracer.startActiveSpan('throws', () => {
        throw error;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(error);
    expect(processor.byName('throws').status.code).toBe(SpanStatusCode.ERROR);
  });

  it('calls a lazy thenable only when the caller does, once, inside the span', async () => {
    const { tracer, processor } = setup();
    let thenCalls = 0;
    const seenParents: Array<string | undefined> = [];
    const lazy = {
      where() {
        return this;
      },
      then(resolve: (v: number) => void) {
        thenCalls++;
        seenParents.push(tracer.currentSpan()?.spanContext().spanId);
        resolve(42);
      },
    };
    const result = tracer.startActiveSpan('query', () => lazy);
    expect(thenCalls).toBe(0);
    expect(processor.spans).toHaveLength(0);
    expect(result.where()).toBeDefined();
    expect(await result).toBe(42);
    expect(thenCalls).toBe(1);
    const span = processor.byName('query');
    expect(seenParents[0]).toBe(span.spanContext().spanId);
  });

  it('ends a span on Observable complete and error, not before subscribe', async () => {
    const { tracer, processor } = setup();
    const ok$ = tracer.startActiveSpan('obs', () => defer(() => of(1, 2)));
    expect(processor.spans).toHaveLength(0);
    const values: number[] = [];
    await new Promise<void>((resolve) => ok$.subscribe({ next: (v) => values.push(v), complete: resolve }));
    expect(values).toEqual([1, 2]);
    expect(processor.byName('obs').status.code).toBe(SpanStatusCode.UNSET);
    const err$ = tracer.startActiveSpan('obs-err', () => throwError(() => new Error('nope')));
    await new Promise<void>((resolve) => err$.subscribe({ error: () => resolve() }));
    expect(processor.byName('obs-err').status.code).toBe(SpanStatusCode.ERROR);
  });

  it('ends an Observable span on unsubscribe', () => {
    const { tracer, processor } = setup();
    const never$ = tracer.startActiveSpan('never', () => new Observable<number>(() => undefined));
    const sub = never$.subscribe();
    expect(processor.spans).toHaveLength(0);
    sub.unsubscribe();
    expect(processor.byName('never')).toBeDefined();
  });

  it('ignores a second end and anything recorded after end', () => {
    const { tracer, processor } = setup();
    const span = tracer.startSpan('once');
    span.end();
    span.setAttribute('late', 1).addEvent('late').setStatus({ code: SpanStatusCode.ERROR }).updateName('renamed');
    span.end();
    expect(processor.spans).toHaveLength(1);
    expect(processor.spans[0].name).toBe('once');
    expect(processor.spans[0].attributes).toEqual({});
    expect(processor.spans[0].status.code).toBe(SpanStatusCode.UNSET);
  });

  it('records times in ns since the epoch, child within parent', () => {
    const { tracer, processor } = setup();
    const before = BigInt(Date.now()) * 1_000_000n;
    tracer.startActiveSpan('p', () => tracer.startSpan('c').end());
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    const p = processor.byName('p');
    const c = processor.byName('c');
    expect(p.startTime >= before - 2_000_000n && p.endTime <= after).toBe(true);
    expect(c.startTime >= p.startTime && c.endTime <= p.endTime).toBe(true);
  });

  it('applies attribute, event and link limits and counts what it dropped', () => {
    const { tracer, processor } = setup({
      limits: { attributeCountLimit: 2, attributeValueLengthLimit: 3, eventCountLimit: 1, linkCountLimit: 1 },
    });
    const link: SpanContext = { traceId: newTraceId(), spanId: newSpanId(), traceFlags: 1 };
    tracer
      .startSpan('limited')
      .setAttributes({ a: 'abcdef', b: ['xyzw', 'q'], c: 3 })
      .setAttribute('a', 'zzzz')
      .addEvent('e1')
      .addEvent('e2')
      .addLink(link)
      .addLink(link)
      .end();
    const span = processor.byName('limited');
    expect(span.attributes).toEqual({ a: 'zzz', b: ['xyz', 'q'] });
    expect(span.droppedAttributesCount).toBe(1);
    expect(span.events).toHaveLength(1);
    expect(span.droppedEventsCount).toBe(1);
    expect(span.links).toHaveLength(1);
    expect(span.droppedLinksCount).toBe(1);
  });

  it('ignores invalid attribute values instead of throwing', () => {
    const { tracer, processor } = setup();
    tracer
      .startSpan('bad-attrs')
      .setAttribute('obj', { a: 1 } as never)
      .setAttribute('mixed', [1, 'a'] as never)
      .setAttribute('', 'x')
      .setAttribute('ok', [1, null, 2])
      .end();
    expect(processor.byName('bad-attrs').attributes).toEqual({ ok: [1, null, 2] });
  });

  it('gives every span started inside withAttributes the context attributes, at any depth', async () => {
    const { tracer, processor } = setup();
    await tracer.startActiveSpan('req', () =>
      tracer.withAttributes({ 'tenant.id': 't1' }, async () => {
        await sleep(1);
        tracer.startActiveSpan('deep', () => tracer.startSpan('deeper', { attributes: { x: 1 } }).end());
      }),
    );
    expect(processor.byName('deep').attributes).toEqual({ 'tenant.id': 't1' });
    expect(processor.byName('deeper').attributes).toEqual({ 'tenant.id': 't1', x: 1 });
    expect(processor.byName('req').attributes).toEqual({});
  });

  it('returns the NoOp singleton when disabled or not sampled, and keeps the parent context active', () => {
    const disabled = new Tracer({ enabled: false });
    expect(disabled.startSpan('x')).toBe(NOOP_SPAN);
    const { tracer, processor } = setup({ sampler: new AlwaysOffSampler() });
    const remote: SpanContext = { traceId: newTraceId(), spanId: newSpanId(), traceFlags: 0, isRemote: true };
    tracer.withContext(activeContext().withRemote(remote), () => {
      tracer.startActiveSpan('unsampled', (span) => {
        expect(span).toBe(NOOP_SPAN);
        expect(activeContext().parentContext()).toBe(remote);
      });
    });
    expect(processor.spans).toHaveLength(0);
    expect(Object.isFrozen(NOOP_SPAN)).toBe(true);
  });

  it('follows a remote parent: same trace, parent span id, sampled flag and random flag', () => {
    const { tracer, processor } = setup();
    const remote: SpanContext = { traceId: newTraceId(), spanId: newSpanId(), traceFlags: 0x03, isRemote: true };
    tracer.withContext(activeContext().withRemote(remote), () => tracer.startSpan('server', { kind: SpanKind.SERVER }).end());
    const span = processor.byName('server');
    expect(span.spanContext().traceId).toBe(remote.traceId);
    expect(span.parentSpanId).toBe(remote.spanId);
    expect(span.spanContext().traceFlags).toBe(0x03);
    expect(span.kind).toBe(SpanKind.SERVER);
  });

  it('starts a new trace with root: true', () => {
    const { tracer, processor } = setup();
    tracer.startActiveSpan('a', () => tracer.startSpan('b', { root: true }).end());
    expect(processor.byName('b').parentSpanId).toBeUndefined();
    expect(processor.byName('b').spanContext().traceId).not.toBe(processor.byName('a').spanContext().traceId);
  });

  it('correlationId is traceId:8-spanId:8 of the active span, empty outside', () => {
    const { tracer } = setup();
    expect(tracer.correlationId()).toBe('');
    tracer.startActiveSpan('c', (span) => {
      const { traceId, spanId } = span.spanContext();
      expect(tracer.correlationId()).toBe(`${traceId.slice(0, 8)}-${spanId.slice(0, 8)}`);
    });
  });

  it('keeps baggage set in a context for the rest of it', async () => {
    const { tracer } = setup();
    await tracer.startActiveSpan('b', async () => {
      tracer.setBaggage('user.id', '42');
      await sleep(1);
      expect(tracer.getBaggage('user.id')).toBe('42');
      tracer.startActiveSpan('inner', () => expect(tracer.getBaggage('user.id')).toBe('42'));
    });
    expect(tracer.getBaggage('user.id')).toBeUndefined();
    tracer.withBaggage({ k: 'v' }, () => expect(tracer.getBaggage('k')).toBe('v'));
  });

  it('catches a throwing processor: the application never sees it', async () => {
    const tracer = new Tracer({
      processor: {
        onStart: () => {
          throw new Error('start');
        },
        onEnd: () => {
          throw new Error('end');
        },
        forceFlush: () => Promise.reject(new Error('flush')),
        shutdown: () => Promise.reject(new Error('shutdown')),
      },
    });
    expect(() => tracer.startSpan('x').end()).not.toThrow();
    await expect(tracer.forceFlush()).resolves.toBeUndefined();
    await expect(tracer.shutdown()).resolves.toBeUndefined();
  });

  it('shutdown runs once and later spans are NoOp; Tracer.active() follows the owner of the context', async () => {
    const a = setup({ serviceName: 'a' }).tracer.makeDefault();
    const b = setup({ serviceName: 'b' }).tracer;
    expect(Tracer.active()).toBe(a);
    b.startActiveSpan('in-b', () => expect(Tracer.active()).toBe(b));
    const p1 = a.shutdown();
    expect(a.shutdown()).toBe(p1);
    await p1;
    expect(a.startSpan('after')).toBe(NOOP_SPAN);
    expect(Tracer.active()).not.toBe(a);
  });
});

describe('Context', () => {
  it('stays suppressed when derived inside suppressTracing', () => {
    const { tracer, processor } = setup();
    suppressTracing(() => {
      tracer.withAttributes({ a: 1 }, () => tracer.withBaggage({ b: 'c' }, () => tracer.startSpan('hidden').end()));
    });
    expect(processor.spans).toHaveLength(0);
  });

  it('marks a span whose parent came from a carrier as having a remote parent', () => {
    const { tracer, processor } = setup();
    const remote: SpanContext = { traceId: newTraceId(), spanId: newSpanId(), traceFlags: 1, isRemote: true };
    tracer.withContext(activeContext().withRemote(remote), () =>
      tracer.startActiveSpan('server', () => tracer.startSpan('local-child').end()),
    );
    expect((processor.byName('server') as { parentIsRemote?: boolean }).parentIsRemote).toBe(true);
    expect((processor.byName('local-child') as { parentIsRemote?: boolean }).parentIsRemote).toBe(false);
  });
});

describe('extractContext', () => {
  it('gives each call its own context, so baggage set in one request never reaches another', () => {
    const { tracer } = setup({ sampler: new AlwaysOffSampler() });
    const first = tracer.extractContext({});
    const second = tracer.extractContext({});
    expect(first).not.toBe(second);
    tracer.withContext(first, () => tracer.startActiveSpan('dropped', () => tracer.setBaggage('user', 'alice')));
    tracer.withContext(second, () => expect(tracer.getBaggage('user')).toBeUndefined());
  });
});

describe('diagnostics', () => {
  // Runs the built output (npm test builds it first) in a fresh process, where diag is created.
  it('start at the level OTEL_LOG_LEVEL names, without lib/config', () => {
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    const code = [
      "const { diag, DiagLogLevel } = require('./dist/cjs/core/diag.js');",
      "process.stdout.write(String(diag.level === DiagLogLevel.DEBUG));",
    ].join('\n');
    const out = execFileSync(process.execPath, ['-e', code], {
      cwd: require('node:path').join(__dirname, '..', '..'),
      env: { ...process.env, OTEL_LOG_LEVEL: 'debug' },
      encoding: 'utf8',
    });
    expect(out).toBe('true');
  });
});
