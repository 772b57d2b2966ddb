// jest 30 + @swc/jest in CommonJS mode. NestJS 12 ships ESM only, so swc also compiles
// @nestjs/* to CommonJS (see ../shared/TOOLCHAIN.md). NEST_MODULES_DIR lets CI run the same
// suites against a second install of NestJS 11.
const path = require('node:path');
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
};
const nestDir = process.env.NEST_MODULES_DIR;
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/lib'],
  testRegex: '\\.(spec|e2e-spec)\\.ts$',
  moduleNameMapper: {
    '^nestjs-tracing$': '<rootDir>/lib/index.ts',
    '^nestjs-tracing/testing$': '<rootDir>/lib/testing/index.ts',
    ...(nestDir ? { '^@nestjs/(common|core|microservices|testing|platform-express|platform-fastify)(.*)$': path.join(nestDir, '@nestjs/$1$2') } : {}),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@nats-io)/)'],
  transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest', swc] },
  testTimeout: 30000,
};
