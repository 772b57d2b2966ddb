import type { Tracer } from '../../core/tracer.js';
import type { MicroservicesExports } from './microservices.loader.js';
import type { ServerLike } from './transports/index.js';

/** gRPC clients: see below (work in progress). */
export function instrumentGrpcClient(_mod: MicroservicesExports): void {}

/** gRPC servers: returns true when `server` is a gRPC server it instrumented. */
export function instrumentGrpcServer(_mod: MicroservicesExports, _server: ServerLike, _tracer: Tracer): boolean {
  return false;
}
