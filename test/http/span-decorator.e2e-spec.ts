import 'reflect-metadata';
import { Injectable, SetMetadata, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Observable, defer, firstValueFrom, lastValueFrom, of, throwError, timer, map } from 'rxjs';
import { NoSpan, Span, SpanKind, SpanStatusCode, Traced, Tracer } from 'nestjs-tracing';
import { InMemorySpanExporter, TracingTestingModule } from 'nestjs-tracing/testing';
import { named, one } from '../support/http-apps';

const LABEL = 'test:label';
const Label = (value: string) => SetMetadata(LABEL, value);
/** A decorator that writes onto `target[key]` (the original function while TypeScript applies the list). */
const LateLabel = (value: string): MethodDecorator => (target, key) => {
  Reflect.defineMetadata(LABEL, value, (target as Record<string | symbol, object>)[key]);
};

/** A lazy thenable (like a query builder): runs its work once per `then` call. */
class LazyQuery implements PromiseLike<number> {
  thenCalls = 0;
  runs = 0;
  then<A = number, B = never>(onOk?: ((v: number) => A | PromiseLike<A>) | null, onErr?: ((e: unknown) => B | PromiseLike<B>) | null): PromiseLike<A | B> {
    this.thenCalls++;
    this.runs++;
    return Promise.resolve(42).then(onOk, onErr);
  }
}

@Injectable()
class Service {
  lastQuery: LazyQuery | undefined;

  @Span()
  add(a: number, b: number, _c?: number): number {
    return a + b;
  }

  @Span('custom.name')
  async later(): Promise<string> {
    await new Promise((r) => setTimeout(r, 2));
    return 'done';
  }

  @Span({ kind: SpanKind.CLIENT, attributes: { 'static.attr': 'yes' }, args: (id: string) => ({ 'order.id': id }) })
  withArgs(id: string): string {
    return id;
  }

  @Span()
  failSync(): never {
    throw new TypeError('sync boom');
  }

  @Span()
  async failAsync(): Promise<never> {
    throw new RangeError('async boom');
  }

  @Span()
  query(): LazyQuery {
    this.lastQuery = new LazyQuery();
    return this.lastQuery;
  }

  @Span()
  stream(): Observable<number> {
    return timer(1).pipe(map(() => 7));
  }

  @Span()
  failingStream(): Observable<number> {
    return throwError(() => new Error('stream boom'));
  }

  // No design:returntype Observable here: the span starts at the call.
  @Span()
  untypedStream() {
    return defer(() => of(1, 2, 3)) as unknown;
  }

  @Span()
  async outer(): Promise<number> {
    return this.inner();
  }

  @Span()
  async inner(): Promise<number> {
    return 1;
  }

  @Label('after')
  @Span()
  labelledAfter(): string {
    return 'a';
  }

  @Span()
  @Label('before')
  labelledBefore(): string {
    return 'b';
  }

  @LateLabel('late')
  @Span()
  labelledLate(): string {
    return 'l';
  }

  @Span({ root: true })
  newTrace(): string {
    return 'root';
  }
}

@Traced({ exclude: ['skipped'] })
class TracedService {
  constructor() {}
  one(): number {
    return 1;
  }
  async two(): Promise<number> {
    return 2;
  }
  @NoSpan()
  quiet(): number {
    return 3;
  }
  skipped(): number {
    return 4;
  }
  @Span('explicit')
  explicit(): number {
    return 5;
  }
  get value(): number {
    return 6;
  }
  set value(_v: number) {}
}

describe('@Span() and @Traced()', () => {
  let moduleRef: INestApplicationContext;
  let exporter: InMemorySpanExporter;
  let service: Service;
  let tracer: Tracer;

  beforeAll(async () => {
    exporter = new InMemorySpanExporter();
    moduleRef = await Test.createTestingModule({
      imports: [TracingTestingModule.forRoot({ exporter })],
      providers: [Service],
    }).compile();
    await moduleRef.init();
    service = moduleRef.get(Service);
    tracer = moduleRef.get(Tracer);
  });
  afterAll(() => moduleRef.close());
  beforeEach(() => exporter.reset());

  it('names a span ClassName.method by default and keeps the result', () => {
    expect(service.add(1, 2)).toBe(3);
    const span = one(exporter.getFinishedSpans(), 'Service.add');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.parentSpanId).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('keeps the method name and length', () => {
    expect(Service.prototype.add.name).toBe('add');
    expect(Service.prototype.add.length).toBe(3);
    expect(TracedService.prototype.two.name).toBe('two');
  });

  it('ends the span of an async method when its promise settles', async () => {
    await expect(service.later()).resolves.toBe('done');
    const span = one(exporter.getFinishedSpans(), 'custom.name');
    expect(span.endTime - span.startTime).toBeGreaterThan(1_000_000n);
  });

  it('records kind, static attributes and attributes from arguments', () => {
    service.withArgs('o-1');
    const span = one(exporter.getFinishedSpans(), 'Service.withArgs');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({ 'static.attr': 'yes', 'order.id': 'o-1' });
  });

  it('records a sync exception and rethrows the same object', () => {
    let thrown: unknown;
    try {
      service.failSync();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).stack).toContain('failSync');
    const span = one(exporter.getFinishedSpans(), 'Service.failSync');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'sync boom' });
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
    expect(span.events[0].attributes['exception.type']).toBe('TypeError');
  });

  it('records a rejection and rejects with the same object', async () => {
    const error = await service.failAsync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    const span = one(exporter.getFinishedSpans(), 'Service.failAsync');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events[0].name).toBe('exception');
  });

  it('calls then() of a lazy thenable only as often as the caller does', async () => {
    const result = service.query();
    expect(service.lastQuery!.thenCalls).toBe(0);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(await result).toBe(42);
    expect(service.lastQuery!.thenCalls).toBe(1);
    expect(service.lastQuery!.runs).toBe(1);
    expect(named(exporter.getFinishedSpans(), 'Service.query')).toHaveLength(1);
  });

  it('starts nothing for an Observable until it is subscribed, then one span per subscription', async () => {
    const stream = service.stream();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 20));
    const subscribedAt = BigInt(Date.now() - 1) * 1_000_000n;
    expect(await lastValueFrom(stream)).toBe(7);
    expect(await firstValueFrom(stream)).toBe(7);
    const spans = named(exporter.getFinishedSpans(), 'Service.stream');
    expect(spans).toHaveLength(2);
    expect(spans[0].spanContext().spanId).not.toBe(spans[1].spanContext().spanId);
    // started at subscription, not at the call 20 ms earlier
    expect(spans[0].startTime).toBeGreaterThanOrEqual(subscribedAt);
  });

  it('ends an Observable span on unsubscribe and on error', async () => {
    const subscription = service.stream().subscribe();
    subscription.unsubscribe();
    expect(named(exporter.getFinishedSpans(), 'Service.stream')).toHaveLength(1);
    await expect(lastValueFrom(service.failingStream())).rejects.toThrow('stream boom');
    const failed = one(exporter.getFinishedSpans(), 'Service.failingStream');
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('gives each subscription its own span even without a declared Observable return type', async () => {
    const stream = service.untypedStream() as Observable<number>;
    expect(await lastValueFrom(stream)).toBe(3);
    expect(await lastValueFrom(stream)).toBe(3);
    expect(named(exporter.getFinishedSpans(), 'Service.untypedStream')).toHaveLength(2);
  });

  it('nests spans: a decorated method called from another is its child', async () => {
    await service.outer();
    const spans = exporter.getFinishedSpans();
    const outer = one(spans, 'Service.outer');
    const inner = one(spans, 'Service.inner');
    expect(inner.parentSpanId).toBe(outer.spanContext().spanId);
    expect(inner.spanContext().traceId).toBe(outer.spanContext().traceId);
  });

  it('starts a new trace with root: true', () => {
    tracer.startActiveSpan('parent', () => service.newTrace());
    const root = one(exporter.getFinishedSpans(), 'Service.newTrace');
    const parent = one(exporter.getFinishedSpans(), 'parent');
    expect(root.parentSpanId).toBeUndefined();
    expect(root.spanContext().traceId).not.toBe(parent.spanContext().traceId);
  });

  it('keeps metadata of decorators written before and after it', () => {
    expect(Reflect.getMetadata(LABEL, Service.prototype.labelledAfter)).toBe('after');
    expect(Reflect.getMetadata(LABEL, Service.prototype.labelledBefore)).toBe('before');
    expect(Reflect.getMetadata(LABEL, Service.prototype.labelledLate)).toBe('late');
    expect(service.labelledAfter()).toBe('a');
    expect(named(exporter.getFinishedSpans(), 'Service.labelledAfter')).toHaveLength(1);
  });

  it('@Traced wraps own methods, not getters, setters, @NoSpan or excluded ones', async () => {
    const instance = new TracedService();
    instance.one();
    await instance.two();
    instance.quiet();
    instance.skipped();
    instance.explicit();
    instance.value = instance.value;
    expect(exporter.getFinishedSpans().map((s) => s.name).sort()).toEqual(['TracedService.one', 'TracedService.two', 'explicit']);
  });

  it('@Traced include limits wrapping to the listed methods', () => {
    @Traced({ include: ['a'], prefix: 'P' })
    class Partial {
      a() {
        return 1;
      }
      b() {
        return 2;
      }
    }
    new Partial().a();
    new Partial().b();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['P.a']);
  });

  it('traces a static method as ClassName.method', () => {
    class Util {
      @Span()
      static twice(n: number): number {
        return n * 2;
      }
    }
    expect(Util.twice(4)).toBe(8);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['Util.twice']);
  });

  it('refuses to decorate a getter, saying what to do', () => {
    expect(() => {
      class Bad {
        @Span()
        get x(): number {
          return 1;
        }
      }
      return Bad;
    }).toThrow(/can only decorate methods/);
  });
});

describe('@Span() with tracing disabled', () => {
  it('is a pass-through: same results, same errors, no spans', async () => {
    const exporter = new InMemorySpanExporter();
    const moduleRef = await Test.createTestingModule({
      imports: [TracingTestingModule.forRoot({ exporter, enabled: false })],
      providers: [Service],
    }).compile();
    await moduleRef.init();
    const service = moduleRef.get(Service);
    expect(service.add(2, 3)).toBe(5);
    await expect(service.later()).resolves.toBe('done');
    expect(() => service.failSync()).toThrow('sync boom');
    expect(await lastValueFrom(service.stream())).toBe(7);
    const q = service.query();
    expect(await q).toBe(42);
    expect(service.lastQuery!.thenCalls).toBe(1);
    expect(moduleRef.get(Tracer).enabled).toBe(false);
    await moduleRef.close();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});
