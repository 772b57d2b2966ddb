// A child process for the SIGTERM test: a traced app whose exporter is slow and buffered
// (5 s batches), so every span still sits in the buffer when SIGTERM arrives.
import 'reflect-metadata';
import { writeSync } from 'node:fs';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TracingModule, type FinishedSpan, type SpanExporter } from 'nestjs-tracing';

class SlowStdoutExporter implements SpanExporter {
  async export(spans: readonly FinishedSpan[]): Promise<void> {
    await new Promise((r) => setTimeout(r, 100));
    for (const span of spans) writeSync(1, `SPAN ${span.name} ${span.spanContext().traceId}\n`);
  }
}

@Controller()
class PingController {
  @Get('ping/:n')
  ping() {
    return { ok: true };
  }
}

@Module({
  imports: [TracingModule.forRoot({ serviceName: 'sigterm', exporter: new SlowStdoutExporter(), processor: { scheduledDelayMillis: 60_000 } })],
  controllers: [PingController],
})
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: false });
  const corePackage = require.resolve('@nestjs/core').split('/@nestjs/')[0];
  writeSync(1, `NEST ${corePackage}\n`);
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  writeSync(1, `PORT ${(app.getHttpServer().address() as { port: number }).port}\n`);
}
void main();
