import { Observable, type Subscription } from 'rxjs';
import { activeContext, isTracingSuppressed, runInContext, type Context } from '../../core/context.js';
import { diag } from '../../core/diag.js';
import { SpanKind } from '../../core/enums.js';
import { NOOP_SPAN } from '../../core/noop-span.js';
import { Tracer } from '../../core/tracer.js';
import type { Span } from '../../core/types.js';
import { recordHandlerError as recordError } from './handler-error.js';
import { injectedCarrier, mergeCarrier } from './message.carrier.js';
import {
  MESSAGING_DESTINATION_NAME,
  MESSAGING_MESSAGE_ID,
  MESSAGING_OPERATION_NAME,
  MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
  OPERATION_SEND,
} from './messaging.attributes.js';
import type { MicroservicesExports } from './microservices.loader.js';
import { clientAdapterFor, type ClientLike, type TransportAdapter } from './transports/index.js';

type Dispatch = (this: ClientLike, pattern: unknown, data: unknown) => unknown;
type DispatchHook = (packet: Record<string, unknown>) => void;

interface PatchState {
  readonly send: Dispatch;
  readonly emit: Dispatch;
  readonly assignPacketId: ((this: ClientLike, packet: Record<string, unknown>) => unknown) | undefined;
  readonly setOnDispatchHook: ((this: ClientLike, hook: DispatchHook) => void) | undefined;
}

// On the prototype (so both the CJS and ESM copies of this package see one patch) and on
// each client instance that got its metadata injection.
const PATCHED = Symbol.for('nestjs-tracing.client-proxy.patched');
const METADATA_INJECTION = Symbol.for('nestjs-tracing.client-proxy.metadata-injection');
const USER_HOOK = Symbol.for('nestjs-tracing.client-proxy.user-dispatch-hook');

/**
 * Instruments every `ClientProxy` of the process, made before or after this runs, by
 * whatever means (`ClientsModule.register`/`registerAsync`, `ClientProxyFactory.create`,
 * `new ClientTCP()`): `ClientProxy.prototype.send` and `emit` are wrapped once per process.
 * `send()` gets a CLIENT span per subscription, `emit()` a PRODUCER span, each a child of
 * the active span, and its context is carried with the message (see the transport
 * adapters). The tracer is the one owning the active context (`Tracer.active()`), so a
 * client used inside a request belongs to that request's app. Idempotent.
 */
export function instrumentClientProxy(mod: MicroservicesExports): void {
  const proto = mod.ClientProxy?.prototype as Record<string | symbol, unknown> | undefined;
  if (proto === undefined || proto[PATCHED] !== undefined) return;
  const state: PatchState = {
    send: proto.send as Dispatch,
    emit: proto.emit as Dispatch,
    setOnDispatchHook: typeof proto.setOnDispatchHook === 'function' ? (proto.setOnDispatchHook as PatchState['setOnDispatchHook']) : undefined,
    assignPacketId: typeof proto.assignPacketId === 'function' ? (proto.assignPacketId as PatchState['assignPacketId']) : undefined,
  };
  if (typeof state.send !== 'function' || typeof state.emit !== 'function') {
    diag.warn('@nestjs/microservices ClientProxy has no send/emit: microservice clients are not traced. Please report your NestJS version.');
    return;
  }
  Object.defineProperty(proto, PATCHED, { value: state, configurable: true });
  proto.send = function send(this: ClientLike, pattern: unknown, data: unknown) {
    return tracedSend(mod, state, this, pattern, data);
  };
  proto.emit = function emit(this: ClientLike, pattern: unknown, data: unknown) {
    return tracedEmit(mod, state, this, pattern, data);
  };
  if (state.assignPacketId !== undefined) {
    const assign = state.assignPacketId;
    // The request id Nest gives a packet (TCP, Redis, NATS, MQTT, Kafka) is its message id.
    proto.assignPacketId = function assignPacketId(this: ClientLike, packet: Record<string, unknown>) {
      const result = assign.call(this, packet);
      recordMessageId(packet);
      return result;
    };
  }
  if (state.setOnDispatchHook !== undefined) {
    const original = state.setOnDispatchHook;
    // Keeps our hook in place when the application sets its own: theirs runs first.
    proto.setOnDispatchHook = function setOnDispatchHook(this: ClientLike, hook: DispatchHook) {
      if (this[METADATA_INJECTION] === true) this[USER_HOOK] = hook;
      else original.call(this, hook);
    };
  }
}

// The CLIENT spans of send(): assignPacketId runs inside their context.
const CLIENT_SPANS = new WeakSet<Span>();

function recordMessageId(packet: Record<string, unknown>): void {
  try {
    const span = activeContext().span;
    const id = packet?.id;
    if (span !== undefined && CLIENT_SPANS.has(span) && (typeof id === 'string' || typeof id === 'number')) {
      span.setAttribute(MESSAGING_MESSAGE_ID, String(id));
    }
  } catch {
    // never into the user's code
  }
}

interface Started {
  readonly span: Span;
  readonly context: Context;
  readonly payload: unknown;
}

/** Starts the client/producer span and prepares the payload; undefined when nothing is traced. */
function start(mod: MicroservicesExports, state: PatchState, client: ClientLike, adapter: TransportAdapter, pattern: unknown, data: unknown, kind: SpanKind): Started | undefined {
  const tracer = Tracer.active();
  if (!tracer.enabled || isTracingSuppressed()) return undefined;
  const destination = destinationOf(client, pattern);
  const span = tracer.startSpan(`${OPERATION_SEND} ${destination}`, {
    kind,
    attributes: {
      [MESSAGING_SYSTEM]: adapter.system,
      [MESSAGING_DESTINATION_NAME]: destination,
      [MESSAGING_OPERATION_TYPE]: OPERATION_SEND,
      [MESSAGING_OPERATION_NAME]: OPERATION_SEND,
    },
  });
  const current = activeContext();
  const context = span === NOOP_SPAN ? current : current.withSpan(span, tracer);
  if (kind === SpanKind.CLIENT && span !== NOOP_SPAN) CLIENT_SPANS.add(span);
  let payload = data;
  try {
    if (adapter.carry(client) === 'metadata') {
      ensureMetadataInjection(state, client);
    } else if (adapter.wrapData !== undefined) {
      const carrier = runInContext(context, () => injectedCarrier(tracer));
      if (carrier !== undefined) payload = adapter.wrapData(mod, client, data, carrier);
    }
  } catch (error) {
    payload = data;
    diag.warnOnce('client-carrier', `could not attach the trace context to a ${adapter.system} message; it is sent without: ${String(error)}`);
  }
  return { span, context, payload };
}

// The adapter of each client instance, looked up once.
const ADAPTERS = new WeakMap<object, TransportAdapter | null>();

function adapterOf(mod: MicroservicesExports, client: ClientLike, pattern: unknown, data: unknown): TransportAdapter | undefined {
  if (pattern === null || pattern === undefined || data === null || data === undefined) return undefined; // Nest rejects these itself
  let adapter = ADAPTERS.get(client);
  if (adapter === undefined) ADAPTERS.set(client, (adapter = clientAdapterFor(mod, client) ?? null));
  return adapter ?? undefined;
}

function tracedSend(mod: MicroservicesExports, state: PatchState, client: ClientLike, pattern: unknown, data: unknown): unknown {
  const adapter = adapterOf(mod, client, pattern, data);
  if (adapter === undefined) return state.send.call(client, pattern, data);
  // `send` is cold: one request, and one span, per subscription.
  return new Observable((subscriber) => {
    let started: Started | undefined;
    try {
      started = start(mod, state, client, adapter, pattern, data, SpanKind.CLIENT);
    } catch (error) {
      diag.warnOnce('client-start', `could not trace a microservice request; it is sent untraced: ${String(error)}`);
    }
    if (started === undefined) return (state.send.call(client, pattern, data) as Observable<unknown>).subscribe(subscriber);
    const { span, context, payload } = started;
    // Replies arrive in the async context of whatever opened the connection (often another
    // request): hand them to the subscriber in the caller's context instead.
    const caller = activeContext();
    let ended = false;
    const end = (error?: unknown, failed = false) => {
      if (ended) return;
      ended = true;
      if (failed) recordError(span, error);
      span.end();
    };
    let subscription: Subscription;
    try {
      subscription = runInContext(context, () =>
        (state.send.call(client, pattern, payload) as Observable<unknown>).subscribe({
          next: (value) => runInContext(caller, () => subscriber.next(value)),
          error: (error: unknown) => {
            end(error, true);
            runInContext(caller, () => subscriber.error(error));
          },
          complete: () => {
            end();
            runInContext(caller, () => subscriber.complete());
          },
        }),
      ) as Subscription;
    } catch (error) {
      end(error, true);
      throw error;
    }
    return () => {
      end();
      subscription.unsubscribe();
    };
  });
}

function tracedEmit(mod: MicroservicesExports, state: PatchState, client: ClientLike, pattern: unknown, data: unknown): unknown {
  const adapter = adapterOf(mod, client, pattern, data);
  if (adapter === undefined) return state.emit.call(client, pattern, data);
  let started: Started | undefined;
  try {
    started = start(mod, state, client, adapter, pattern, data, SpanKind.PRODUCER);
  } catch (error) {
    diag.warnOnce('client-start', `could not trace a microservice event; it is sent untraced: ${String(error)}`);
  }
  if (started === undefined) return state.emit.call(client, pattern, data);
  const { span, context, payload } = started;
  // `emit` is hot (it dispatches now, subscribed or not): the span ends when the dispatch does.
  let result: Observable<unknown>;
  try {
    result = runInContext(context, () => state.emit.call(client, pattern, payload)) as Observable<unknown>;
  } catch (error) {
    recordError(span, error);
    span.end();
    throw error;
  }
  if (span !== NOOP_SPAN && result !== null && typeof result === 'object' && typeof result.subscribe === 'function') {
    result.subscribe({
      error: (error: unknown) => {
        recordError(span, error);
        span.end();
      },
      complete: () => span.end(),
    });
  } else {
    span.end();
  }
  return result;
}

function destinationOf(client: ClientLike, pattern: unknown): string {
  try {
    if (typeof client.normalizePattern === 'function') return String(client.normalizePattern(pattern));
  } catch {
    // fall through
  }
  return typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
}

/**
 * Makes a client write the active trace context into `packet.metadata` of every packet it
 * sends: with `setOnDispatchHook` where the client has it (NestJS 12), else by wrapping the
 * instance's `publish` and `dispatchEvent` (NestJS 11), which receive the packet.
 */
function ensureMetadataInjection(state: PatchState, client: ClientLike): void {
  if (client[METADATA_INJECTION] === true) return;
  Object.defineProperty(client, METADATA_INJECTION, { value: true, configurable: true });
  if (state.setOnDispatchHook !== undefined) {
    const previous = client.onDispatchHook;
    if (typeof previous === 'function') client[USER_HOOK] = previous;
    state.setOnDispatchHook.call(client, (packet: Record<string, unknown>) => {
      const userHook = client[USER_HOOK];
      if (typeof userHook === 'function') (userHook as DispatchHook)(packet);
      injectMetadata(packet);
    });
    return;
  }
  for (const method of ['publish', 'dispatchEvent'] as const) {
    const original = client[method];
    if (typeof original !== 'function') continue;
    client[method] = function (this: unknown, packet: Record<string, unknown>, ...rest: unknown[]) {
      injectMetadata(packet);
      return (original as Function).call(this, packet, ...rest);
    };
  }
}

/** Writes the active context into `packet.metadata`, keeping the user's other metadata. Never throws. */
function injectMetadata(packet: Record<string, unknown>): void {
  try {
    if (packet === null || typeof packet !== 'object' || isTracingSuppressed()) return;
    const carrier = injectedCarrier(Tracer.active());
    if (carrier === undefined) return;
    const existing = packet.metadata;
    if (existing !== undefined && (existing === null || typeof existing !== 'object' || Array.isArray(existing))) {
      diag.warnOnce('packet-metadata', 'a microservice packet has non-object metadata; the trace context was not added to it');
      return;
    }
    packet.metadata = mergeCarrier(existing, carrier);
  } catch (error) {
    diag.warnOnce('packet-metadata-inject', `could not add the trace context to a packet: ${String(error)}`);
  }
}
