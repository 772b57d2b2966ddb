// The active context is read and written through our own accessors (lib/core/context.ts),
// which on Node 20/22 touch the AsyncLocalStorage's per-resource property directly instead of
// calling getStore()/run(). These tests hold them to the public API's answer at every kind
// of async boundary, with a second AsyncLocalStorage busy in the same process (as with
// OpenTelemetry or nestjs-cls next to us), and check the fallback in a fresh process.
import { execFileSync } from 'node:child_process';
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Tracer, activeContext, runInContext, Context, processState } from '../../lib/core/index.js';
import { usesResourceKey } from '../../lib/core/context.js';
import { CollectingProcessor } from './collect.js';

const storage = processState().storage;
const other = new AsyncLocalStorage<string>();
const tracer = new Tracer({ serviceName: 'context-storage', processor: new CollectingProcessor() });

/** Our accessor and the public API agree, and the active span is `expected`. */
function expectActive(expected: unknown, where: string): void {
  const ours = activeContext();
  const publicApi = storage.getStore() ?? Context.ROOT;
  expect({ where, same: ours === publicApi }).toEqual({ where, same: true });
  expect({ where, span: ours.span === expected }).toEqual({ where, span: true });
}

describe('context storage accessors', () => {
  it('take the fast path exactly when this Node keeps the store on the async resource', () => {
    const hasResourceKey = typeof (storage as unknown as { kResourceStore?: unknown }).kResourceStore === 'symbol';
    expect(usesResourceKey()).toBe(hasResourceKey);
    if (!hasResourceKey) process.stdout.write(`context-storage: Node ${process.version} has no kResourceStore; public API in use\n`);
  });

  it('agree with AsyncLocalStorage#getStore across await, timers, ticks, emitters and bound resources', async () => {
    const a = tracer.startSpan('a');
    const b = tracer.startSpan('b');
    const emitter = new EventEmitter();
    const seen: string[] = [];
    emitter.on('ping', (expected: unknown, where: string) => {
      expectActive(expected, where);
      seen.push(where);
    });
    expectActive(undefined, 'outside');
    const bound = tracer.withSpan(b, () => AsyncResource.bind(() => expectActive(b, 'bound to b')));
    const resource = tracer.withSpan(a, () => new AsyncResource('test-resource'));

    await other.run('other-store', () =>
      tracer.withSpan(a, async () => {
        expectActive(a, 'sync in a');
        await null;
        expectActive(a, 'after await');
        await sleep(1);
        expectActive(a, 'after timer');
        await new Promise<void>((resolve) => setImmediate(resolve));
        expectActive(a, 'after setImmediate');
        await new Promise<void>((resolve) => process.nextTick(resolve));
        expectActive(a, 'after nextTick');
        await new Promise<void>((resolve) =>
          queueMicrotask(() => {
            expectActive(a, 'in queueMicrotask');
            resolve();
          }),
        );
        emitter.emit('ping', a, 'emitter in a');
        bound();
        expectActive(a, 'after bound call');
        tracer.withSpan(b, () => {
          resource.runInAsyncScope(() => expectActive(a, 'resource created in a, run inside b'));
          expectActive(b, 'b after runInAsyncScope');
          emitter.emit('ping', b, 'emitter in b');
        });
        expect(other.getStore()).toBe('other-store');
        await Promise.all([
          tracer.withSpan(b, async () => {
            await sleep(2);
            expectActive(b, 'fan-out b');
          }),
          (async () => {
            await sleep(1);
            expectActive(a, 'fan-out a');
          })(),
        ]);
        expectActive(a, 'after fan-out');
      }),
    );
    expectActive(undefined, 'after the run');
    expect(seen).toEqual(['emitter in a', 'emitter in b']);
    a.end();
    b.end();
  });

  it('restore the previous context when the callback throws, and re-entering the same context is a plain call', () => {
    const a = tracer.startSpan('a');
    const contextA = activeContext().withSpan(a);
    expect(() =>
      runInContext(contextA, () => {
        expectActive(a, 'before throw');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expectActive(undefined, 'after throw');
    runInContext(contextA, () => {
      runInContext(contextA, () => expectActive(a, 'same context again'));
      expectActive(a, 'after the inner run of the same context');
    });
    expectActive(undefined, 'after both');
    a.end();
  });

  // A fresh process: before any run nothing is active; the first run goes through the public
  // API and confirms the layout; context then flows through a timer and an await. Run once as
  // is and once with AsyncLocalStorage#getStore replaced by a wrapper (as an APM agent might
  // do), which must switch us to the public API with the same behaviour.
  function freshProcess(patchGetStore: boolean): Record<string, boolean> {
    const script = `
      const { AsyncLocalStorage } = require('node:async_hooks');
      if (${patchGetStore}) {
        const original = AsyncLocalStorage.prototype.getStore;
        AsyncLocalStorage.prototype.getStore = function getStore() { return original.call(this); };
      }
      const { Tracer, activeContext, Context } = require(${JSON.stringify(join(__dirname, '../../dist/cjs/index.js'))});
      const { usesResourceKey } = require(${JSON.stringify(join(__dirname, '../../dist/cjs/core/context.js'))});
      const out = { before: activeContext() === Context.ROOT, fastBefore: usesResourceKey() };
      const tracer = new Tracer({ serviceName: 'fresh' });
      const span = tracer.startSpan('s');
      tracer.withSpan(span, () => {
        out.inside = tracer.currentSpan() === span;
        setTimeout(async () => {
          out.timer = tracer.currentSpan() === span;
          await new Promise((resolve) => setImmediate(resolve));
          out.afterAwait = tracer.currentSpan() === span;
          out.fastAfter = usesResourceKey();
          console.log(JSON.stringify(out));
        }, 1);
      });
      out.outside = activeContext() === Context.ROOT;
    `;
    return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim());
  }

  it('start from ROOT in a fresh process and keep working from the first run on (built package)', () => {
    const fast = typeof (storage as unknown as { kResourceStore?: unknown }).kResourceStore === 'symbol';
    expect(freshProcess(false)).toEqual({
      before: true,
      fastBefore: fast,
      inside: true,
      outside: true,
      timer: true,
      afterAwait: true,
      fastAfter: fast,
    });
  });

  it('fall back to the public AsyncLocalStorage API when getStore is not the one they were written for', () => {
    expect(freshProcess(true)).toEqual({
      before: true,
      fastBefore: false,
      inside: true,
      outside: true,
      timer: true,
      afterAwait: true,
      fastAfter: false,
    });
  });
});
