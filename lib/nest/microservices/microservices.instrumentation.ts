// How the trace context travels, per transport (NestJS 11 and 12 alike unless stated):
//   TCP, Redis     `packet.metadata` beside `pattern`/`data` in the JSON packet. Written by
//                  ClientProxy#setOnDispatchHook (12) or a wrapper of the client's
//                  publish/dispatchEvent (11); read with TcpContext/RedisContext#getMetadata()
//                  (12) or from the raw packet in the server's handleMessage (11).
//   NATS           NATS message headers (payload sent as a NatsRecord); NatsContext#getHeaders().
//   RabbitMQ       AMQP message headers (payload sent as an RmqRecord); RmqContext message properties.
//   MQTT 5         user properties (payload sent as an MqttRecord); MqttContext#getPacket().
//   MQTT 3.1.1     no headers in the protocol: `packet.metadata` in the JSON packet, as TCP.
//   Kafka          Kafka message headers; KafkaContext#getMessage().headers.
//   gRPC           the call's Metadata (a copy of the caller's, if given).
// Envelope decision: there is none inside the payload. Where the transport has no headers
// (TCP, Redis, MQTT 3.1.1, and NestJS 11 which lacks the hooks) the context rides in a
// `metadata` field of the packet, next to `data` — the field NestJS 12 itself defines for
// this. Receivers without tracing (of either NestJS version) ignore the field, so it is on by
// default, needs no opt-in per client, and no handler ever sees anything but the payload sent.
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { diag } from '../../core/diag.js';
import { Tracer } from '../../core/tracer.js';
import { instrumentClientProxy } from './client-proxy.instrumentation.js';
import { instrumentGrpcClient, instrumentGrpcServer } from './grpc.instrumentation.js';
import { loadMicroservices } from './microservices.loader.js';
import { instrumentServer } from './server.instrumentation.js';
import type { ServerLike } from './transports/index.js';

interface RpcTargetRegistry {
  getRpcTargetRegistry?(): { subscribe(next: (target: unknown) => void): { unsubscribe(): void } };
}

/**
 * Traces NestJS microservices, client and server, on every built-in transport (TCP, Redis,
 * NATS, MQTT, RabbitMQ, Kafka, gRPC), on NestJS 11 and 12, with no change to user code:
 * TracingModule lists it as a provider. When Nest builds it, it
 * - wraps `ClientProxy.prototype.send`/`emit` once per process (clients made before and
 *   after, by any means, are traced; see `instrumentClientProxy`);
 * - subscribes to Nest's registry of microservice servers (`ModulesContainer` RPC targets:
 *   `app.connectMicroservice()` and `NestFactory.createMicroservice()` both register theirs,
 *   replayed to late subscribers) and instruments each (see `instrumentServer`).
 * Without @nestjs/microservices installed it does nothing.
 */
@Injectable()
export class MicroservicesInstrumentation implements OnApplicationShutdown {
  private subscription: { unsubscribe(): void } | undefined;

  constructor(tracer: Tracer, modules: ModulesContainer) {
    // Disabled (`enabled: false`, OTEL_SDK_DISABLED): nothing is patched or subscribed.
    if (!tracer.enabled) return;
    const mod = loadMicroservices();
    if (mod === undefined) return;
    try {
      instrumentClientProxy(mod);
      instrumentGrpcClient(mod);
      const registry = (modules as unknown as RpcTargetRegistry).getRpcTargetRegistry?.();
      if (registry === undefined) {
        diag.warnOnce('rpc-registry', 'this NestJS version has no RPC target registry: microservice servers are not traced. Please report your NestJS version.');
        return;
      }
      this.subscription = registry.subscribe((target) => {
        if (target === null || typeof target !== 'object') return;
        try {
          if (!instrumentServer(mod, target as ServerLike, tracer) && !instrumentGrpcServer(mod, target as ServerLike, tracer)) {
            diag.debug(`microservice server ${(target as object).constructor?.name ?? 'unknown'} is a custom strategy: its messages are not traced`);
          }
        } catch (error) {
          diag.warnOnce('server-instrument', `could not instrument a microservice server; it runs untraced: ${String(error)}`);
        }
      });
    } catch (error) {
      diag.warnOnce('microservices-instrument', `could not instrument @nestjs/microservices; it runs untraced: ${String(error)}`);
    }
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
