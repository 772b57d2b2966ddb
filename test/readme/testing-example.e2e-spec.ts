// The README's "Testing your own spans" example, run as written (README snippets are only
// typechecked by readme-snippets.spec.ts; this one is also executed).
import { Controller, Get } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Span } from 'nestjs-tracing';
import { createTracingTestingModule, waitForSpans } from 'nestjs-tracing/testing';

@Controller('hello')
class HelloController {
  @Span()
  greet(): string {
    return 'hi';
  }
  @Get()
  get(): string {
    return this.greet();
  }
}

it('traces GET /hello', async () => {
  const { metadata, exporter } = createTracingTestingModule({ controllers: [HelloController] });
  const app = (await Test.createTestingModule(metadata).compile()).createNestApplication();
  await app.init();
  await request(app.getHttpServer()).get('/hello').expect(200);
  const spans = await waitForSpans(exporter, 2);
  expect(spans.map((s) => s.name).sort()).toEqual(['GET /hello', 'HelloController.greet']);
  await app.close();
});

it('is the example the README shows', () => {
  const readme = require('node:fs').readFileSync(require('node:path').join(__dirname, '..', '..', 'README.md'), 'utf8') as string;
  const self = require('node:fs').readFileSync(__filename, 'utf8') as string;
  const example = self.slice(self.indexOf("@Controller('hello')"), self.indexOf("it('is the example")).trim();
  expect(readme).toContain(example);
});
