import type { Attributes } from '../../../core/types.js';
import type { StringCarrier } from '../message.carrier.js';
import type { MicroservicesExports } from '../microservices.loader.js';

/** A NestJS transport client (a `ClientProxy` subclass), typed as far as we read it. */
export interface ClientLike {
  options?: Record<string, unknown>;
  normalizePattern?(pattern: unknown): string;
  [key: string | symbol]: unknown;
}

/** A NestJS transport server (a `Server` subclass), typed as far as we read it. */
export interface ServerLike {
  transportId?: unknown;
  getHandlerByPattern?(pattern: string): unknown;
  [key: string | symbol]: unknown;
}

/**
 * What differs between transports: how a trace context leaves with a message and how it is
 * read back. `carry` says where the client puts it:
 * - `'metadata'`: a `metadata` field of the packet next to `pattern` and `data` (TCP, Redis,
 *   MQTT 3.1.1), written by `ClientProxy#setOnDispatchHook` on NestJS 12 and by a wrapper of
 *   the client's `publish`/`dispatchEvent` on NestJS 11;
 * - `'data'`: `wrapData` turns the payload into the transport's own record with headers
 *   (NATS `NatsRecord`, RabbitMQ `RmqRecord`, MQTT 5 `MqttRecord`, a Kafka message); the
 *   transport sends the payload itself unchanged and the headers beside it.
 * Either way the handler receives exactly the payload that was sent.
 */
export interface TransportAdapter {
  /** `messaging.system` value. */
  readonly system: string;
  /** Export names of the client and server classes in @nestjs/microservices. */
  readonly clientClass: keyof MicroservicesExports;
  readonly serverClass: keyof MicroservicesExports;
  carry(client: ClientLike): 'metadata' | 'data';
  wrapData?(mod: MicroservicesExports, client: ClientLike, data: unknown, carrier: StringCarrier): unknown;
  /** The incoming message's trace context carrier (plain object), read from the RPC context. */
  serverCarrier(rpcContext: unknown): Record<string, string | string[]> | undefined;
  /** Extra attributes read from the RPC context (message id, partition...). */
  serverAttributes?(rpcContext: unknown): Attributes | undefined;
  /**
   * NestJS 11 only, when the RPC context cannot show the packet metadata: wraps the server's
   * message entry point so the handler wrapper finds the carrier; `run(carrier, fn)`
   * runs the rest of the message handling with that carrier pending.
   */
  installFallback?(server: ServerLike, run: (carrier: unknown, fn: () => unknown) => unknown): void;
}

/** Calls `ctx[method]()` when the RPC context has it. */
export function callContext(rpcContext: unknown, method: string): unknown {
  const fn = (rpcContext as Record<string, unknown> | null | undefined)?.[method];
  return typeof fn === 'function' ? (fn as () => unknown).call(rpcContext) : undefined;
}
