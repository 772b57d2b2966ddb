import {
  ArgumentsHost,
  Body,
  CanActivate,
  Catch,
  Controller,
  ExceptionFilter,
  ExecutionContext,
  Get,
  HttpException,
  Injectable,
  MiddlewareConsumer,
  Module,
  NestModule,
  Param,
  ParseIntPipe,
  PipeTransform,
  Post,
  Req,
  SetMetadata,
  UseFilters,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { Observable, map, timer } from 'rxjs';
import { Span, Tracer } from 'nestjs-tracing';

export const ROLES = 'test:roles';
/** A real custom decorator, read by a real guard through Reflector. */
export const Roles = (...roles: string[]) => SetMetadata(ROLES, roles);

/** Where each stage of a request saw the trace (trace id + span id of the active span). */
export type Seen = Record<string, string | undefined>;

function activeIds(): string | undefined {
  const span = Tracer.active().currentSpan();
  if (span === undefined) return undefined;
  const sc = span.spanContext();
  return `${sc.traceId}-${sc.spanId}`;
}

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; seen?: Seen; raw?: { seen?: Seen } }>();
    request.seen ??= request.raw?.seen ?? {};
    request.seen.guard = activeIds();
    if (request.headers['x-guard-explode'] !== undefined) throw new Error('guard exploded');
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES, [context.getHandler(), context.getClass()]);
    if (roles === undefined) return true;
    return roles.includes(request.headers['x-role']);
  }
}

@Injectable()
export class SeenPipe implements PipeTransform {
  transform(value: unknown): unknown {
    return { value, pipe: activeIds() };
  }
}

export class TeapotError extends Error {}
export class ContextError extends Error {}

@Catch(TeapotError, ContextError)
export class TestFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}
  catch(error: Error, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse();
    const status = error instanceof TeapotError ? 503 : 409;
    this.adapterHost.httpAdapter.reply(response, { filter: activeIds(), message: error.message }, status);
  }
}

@Injectable()
export class OrdersService {
  @Span()
  async find(id: number): Promise<{ id: number; seen: string | undefined }> {
    await new Promise((r) => setTimeout(r, 1));
    return { id, seen: activeIds() };
  }

  @Span()
  async slow(delay: number): Promise<string | undefined> {
    await new Promise((r) => setTimeout(r, delay));
    await Promise.resolve();
    return Tracer.active().currentSpan()?.spanContext().traceId;
  }
}

@Controller()
@UseGuards(RolesGuard)
@UseFilters(TestFilter)
export class TestController {
  constructor(private readonly orders: OrdersService) {}

  @Get('orders/:id')
  order(@Param('id', ParseIntPipe) id: number) {
    return this.orders.find(id);
  }

  @Get('admin')
  @Roles('admin')
  admin() {
    return { ok: true };
  }

  @Roles('admin')
  @Span('AdminHandler')
  @Get('admin-traced')
  adminTraced() {
    return { ok: true };
  }

  @Span('AdminHandlerOtherOrder')
  @Roles('admin')
  @Get('admin-traced-other-order')
  adminTracedOtherOrder() {
    return { ok: true };
  }

  @Get('boom')
  boom(): never {
    throw new Error('handler exploded');
  }

  @Get('teapot')
  teapot(): never {
    throw new HttpException('short and stout', 418);
  }

  @Get('filtered')
  filtered(): never {
    throw new TeapotError('filter makes this a 503');
  }

  @Get('filtered-context')
  filteredContext(): never {
    throw new ContextError('conflict');
  }

  @Get('health')
  health() {
    return { status: 'up' };
  }

  @Get('context/:x')
  @UsePipes(SeenPipe)
  context(@Param('x') piped: { pipe: string | undefined }, @Req() request: { seen?: Seen }) {
    return { middleware: request.seen?.middleware, guard: request.seen?.guard, pipe: piped.pipe, handler: activeIds() };
  }

  @Post('echo')
  echo(@Body() body: unknown) {
    return { body, handler: activeIds() };
  }

  @Get('stream')
  stream(): Observable<{ handler: string | undefined }> {
    return timer(2).pipe(map(() => ({ handler: activeIds() })));
  }

  @Get('slow/:delay')
  async slowOne(@Param('delay', ParseIntPipe) delay: number) {
    return { traceId: await this.orders.slow(delay) };
  }
}

/** Records where a Nest middleware (MiddlewareConsumer) saw the trace. */
export function seenMiddleware(req: { seen?: Seen; raw?: { seen?: Seen } }, _res: unknown, next: () => void): void {
  // Fastify hands middleware the raw request; the handler reads the Fastify request, whose `raw` is it.
  (req.seen ??= {}).middleware = activeIds();
  next();
}

/** The test app as a module, with a Nest middleware on its controller. */
@Module({ controllers: [TestController], providers: [OrdersService] })
export class TestAppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(seenMiddleware).forRoutes(TestController);
  }
}
