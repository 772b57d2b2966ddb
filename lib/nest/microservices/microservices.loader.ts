import { loader } from '../app-require.js';

/**
 * The parts of `@nestjs/microservices` the instrumentation touches. Typed loosely on
 * purpose: the package is an optional peer (NestJS 11 or 12) and is never imported at the
 * top level, so an app without microservices does not need it installed.
 */
export interface MicroservicesExports {
  ClientProxy?: { prototype: Record<string | symbol, unknown> };
  ClientTCP?: Function;
  ClientRedis?: Function;
  ClientNats?: Function;
  ClientMqtt?: Function;
  ClientRMQ?: Function;
  ClientKafka?: Function;
  ClientGrpcProxy?: Function;
  ServerTCP?: Function;
  ServerRedis?: Function;
  ServerNats?: Function;
  ServerMqtt?: Function;
  ServerRMQ?: Function;
  ServerKafka?: Function;
  ServerGrpc?: Function;
  NatsRecord?: new (data: unknown, headers?: unknown) => { data: unknown; headers?: unknown };
  RmqRecord?: new (data: unknown, options?: unknown) => { data: unknown; options?: Record<string, unknown> };
  MqttRecord?: new (data: unknown, options?: unknown) => { data: unknown; options?: Record<string, unknown> };
}

let cached: MicroservicesExports | null | undefined;

/**
 * Loads `@nestjs/microservices` once, the way the application itself resolves it; returns
 * undefined when it is not installed. NestJS 12 is ESM-only: Node >= 20.19 loads it
 * through `require` (the same module instance an `import` gets).
 */
export function loadMicroservices(): MicroservicesExports | undefined {
  if (cached !== undefined) return cached ?? undefined;
  try {
    cached = loader()('@nestjs/microservices') as MicroservicesExports;
  } catch {
    cached = null;
  }
  return cached ?? undefined;
}

let grpcMetadata: (new () => unknown) | null | undefined;

/**
 * `Metadata` of `@grpc/grpc-js`, for a gRPC call made without metadata. Loaded only when an
 * application already makes gRPC calls through Nest (which loaded the package itself), so
 * it costs nothing and adds no dependency; undefined when it cannot be resolved.
 */
export function loadGrpcMetadata(): (new () => unknown) | undefined {
  if (grpcMetadata !== undefined) return grpcMetadata ?? undefined;
  try {
    grpcMetadata = (loader()('@grpc/grpc-js') as { Metadata?: new () => unknown }).Metadata ?? null;
  } catch {
    grpcMetadata = null;
  }
  return grpcMetadata ?? undefined;
}
