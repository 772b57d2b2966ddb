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
