// Lets a plain `node` child process (e.g. a SIGTERM test) run the TypeScript sources, as jest
// does: .ts compiled by swc to CommonJS, `./x.js` imports mapped back to `./x.ts`, and
// `nestjs-tracing` / `nestjs-tracing/testing` mapped to lib/. Test-only.
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '..', '..');
const aliases = {
  'nestjs-tracing': path.join(root, 'lib/index.ts'),
  'nestjs-tracing/testing': path.join(root, 'lib/testing/index.ts'),
};
// As jest.config.cjs: NEST_MODULES_DIR points @nestjs/* at a second install (NestJS 11).
const nestDir = process.env.NEST_MODULES_DIR;
const nestPattern = /^@nestjs\/(common|core|microservices|testing|platform-express|platform-fastify)(\/.*)?$/;
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (aliases[request]) return aliases[request];
  if (nestDir && nestPattern.test(request)) return resolve.call(this, path.join(nestDir, request), parent, ...rest);
  if (request.startsWith('.') && request.endsWith('.js') && parent && parent.filename) {
    const candidate = path.resolve(path.dirname(parent.filename), request.slice(0, -3) + '.ts');
    if (fs.existsSync(candidate)) return candidate;
  }
  return resolve.call(this, request, parent, ...rest);
};
Module._extensions['.ts'] = function (module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
