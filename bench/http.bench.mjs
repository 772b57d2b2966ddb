// HTTP server throughput: requests/s and server CPU per request of a small Nest app, on
// Express and on Fastify, each
//   (a) without TracingModule,
//   (b) TracingModule.forRoot({ exporter: <discarding>, sampler: 'always_on' }),
//   (c) the same with `globalInterceptor: false`,
//   (d) TracingModule.forRoot({ enabled: false }),
//   (e) as (c), plus a global interceptor of the app's own that only returns next.handle():
//       (e) - (c) is what Nest's interceptor pipeline costs by itself, once any interceptor
//       exists, in a traced app; (b) - (e) is what our TracingInterceptor adds to it;
//   (f) as (a), plus the same pass-through interceptor: Nest's pipeline in an untraced app
//       (no AsyncLocalStorage, so no promise hooks on every promise the pipeline makes);
//   (g) as (a), but every request runs in an AsyncLocalStorage.run() of the app's own: what
//       any AsyncLocalStorage-based context costs on this Node version, with no tracing.
// Every app runs in its own node process (so one variant's AsyncLocalStorage, patches and
// JIT state do not touch another), all started up front and idle while another is measured.
// The load comes from one more child process: a bounded number of keep-alive GET requests
// (with a traceparent and a user-agent, as from an instrumented upstream) over a few
// connections to 127.0.0.1, written and parsed on raw sockets so the client costs little.
// Rounds alternate the variants and rotate their order; a row is the median over rounds.
// Server CPU per request (process.cpuUsage of the server over the timed requests) is the
// steadier figure on a shared 2-core machine; requests/s also depends on the client.
//
//   npm run bench http   (or: npm run build && node bench/http.bench.mjs)
// BENCH_QUICK=1: fewer, shorter rounds. HTTP_BENCH_DIST=label=/abs/dist/cjs,label2=/other/cjs
// measures the traced variants of several builds side by side (A/B of a change).
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, median } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const self = fileURLToPath(import.meta.url);
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.HTTP_BENCH_ROUNDS ?? (QUICK ? 3 : 7));
const REQUESTS = QUICK ? 2000 : 3000; // timed requests per variant and round
const WARMUP = QUICK ? 1000 : 1000; // untimed requests per variant and round, before the timed ones
const FIRST_WARMUP = QUICK ? 3000 : 8000; // untimed requests per variant before the first round
const CONNECTIONS = 8;
// HTTP_BENCH_VARIANTS=abc: a subset of the variants (default all; (a) is the reference of the ratios).
const VARIANTS = [...(process.env.HTTP_BENCH_VARIANTS ?? 'abcdefg')];
const ADAPTERS = (process.env.HTTP_BENCH_ADAPTERS ?? 'express,fastify').split(',');
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const mode = process.argv[2];
if (mode === '--serve') await serve(process.argv[3], process.argv[4], process.argv[5], process.argv[6]);
else if (mode === '--load') load();
else if (mode === '--hooks') await hooks();
else await main();

// ---------------------------------------------------------------------------- server child
async function serve(adapterName, variant, distDir, name) {
  const require = createRequire(join(root, 'package.json'));
  require('reflect-metadata');
  const { Controller, Get, Injectable, Module, Param } = require('@nestjs/common');
  const { APP_INTERCEPTOR, NestFactory } = require('@nestjs/core');

  class ItemsController {
    get(id) {
      return { id, name: `item ${id}`, ok: true };
    }
  }
  const proto = ItemsController.prototype;
  Param('id')(proto, 'get', 0);
  Get(':id')(proto, 'get', Object.getOwnPropertyDescriptor(proto, 'get'));
  Controller('items')(ItemsController);

  const imports = [];
  let exported = 0;
  if (variant !== 'a' && variant !== 'f' && variant !== 'g') {
    const { TracingModule } = require(join(distDir, 'index.js'));
    const discarding = { export: (spans) => ((exported += spans.length), Promise.resolve()), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
    const options =
      variant === 'd'
        ? { enabled: false }
        : { serviceName: 'bench', exporter: discarding, sampler: 'always_on', ...(variant === 'c' || variant === 'e' ? { globalInterceptor: false } : {}) };
    imports.push(TracingModule.forRoot(options));
  }
  const providers = [];
  if (variant === 'e' || variant === 'f') {
    class PassThroughInterceptor {
      intercept(_context, next) {
        return next.handle();
      }
    }
    Injectable()(PassThroughInterceptor);
    providers.push({ provide: APP_INTERCEPTOR, useClass: PassThroughInterceptor });
  }
  class AppModule {}
  Module({ imports, controllers: [ItemsController], providers })(AppModule);

  let app;
  if (adapterName === 'fastify') {
    const { FastifyAdapter } = require('@nestjs/platform-fastify');
    app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
  } else {
    app = await NestFactory.create(AppModule, { logger: false });
  }
  if (variant === 'g') {
    const { AsyncLocalStorage } = require('node:async_hooks');
    const storage = new AsyncLocalStorage();
    const server = app.getHttpServer();
    for (const listener of server.listeners('request')) {
      server.removeListener('request', listener);
      server.on('request', function (req, res) {
        return storage.run({ req }, listener, req, res);
      });
    }
  }
  await app.listen(0, '127.0.0.1');
  const port = app.getHttpServer().address().port;
  // HTTP_BENCH_PROFILE=<dir>: a V8 CPU profile of the steady state (from the first timed
  // requests to the end, start-up left out) is written there as <adapter>-<variant>.cpuprofile.
  const profileDir = process.env.HTTP_BENCH_PROFILE;
  let session;
  let cpu0;
  process.on('message', async (message) => {
    if (message === 'cpu-start') {
      if (profileDir && session === undefined) {
        const { Session } = await import('node:inspector/promises');
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 100 });
        await session.post('Profiler.start');
      }
      cpu0 = process.cpuUsage();
      process.send({ ok: true });
    } else if (message === 'cpu-stop') {
      const used = process.cpuUsage(cpu0);
      // Spans the processor has handed to the exporter so far (a sanity check: about one per request when traced).
      setTimeout(() => process.send({ cpuUs: used.user + used.system, exported }), 0);
    } else if (message === 'close') {
      if (session !== undefined) {
        const { profile } = await session.post('Profiler.stop');
        const { writeFileSync } = await import('node:fs');
        writeFileSync(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
      }
      await app.close();
      process.exit(0);
    }
  });
  process.send({ port });
}

// ----------------------------------------------------------------------------- hooks child
// Our per-request work alone, in-process, with the harness (precise enough to A/B small
// changes the whole-request figures cannot resolve on a shared machine): a real
// IncomingMessage/ServerResponse pair with the bench's request headers, `enter()` as the
// request listener calls it (span start with the W3C context extracted), then `finish` and
// `close` as Node emits them (span end, handed to a BufferedSpanProcessor that discards).
// The `no tracing` row creates the same pair only: subtract it.
async function hooks() {
  const require = createRequire(join(root, 'package.json'));
  const { IncomingMessage, ServerResponse } = require('node:http');
  const { measure, formatNs } = await import('./harness.mjs');
  const builds = (process.env.HTTP_BENCH_DIST ?? `current=${join(root, 'dist', 'cjs')}`).split(',').map((entry) => entry.split('='));
  const socket = { remoteAddress: '127.0.0.1', encrypted: false, readableHighWaterMark: 16384 };
  const pair = (i) => {
    const req = new IncomingMessage(socket);
    req.method = 'GET';
    req.url = `/items/${i}`;
    req.httpVersion = '1.1';
    req.headers = { host: '127.0.0.1:3000', 'user-agent': 'bench/1.0', traceparent: TRACEPARENT, accept: '*/*' };
    const res = new ServerResponse(req);
    res.statusCode = 200;
    res._header = 'HTTP/1.1 200 OK\r\n\r\n'; // headersSent
    return [req, res];
  };
  const variants = {
    'no tracing': {
      run(n) {
        let x = 0;
        for (let i = 0; i < n; i++) {
          const [req, res] = pair(i);
          res.emit('finish');
          res.emit('close');
          x += req.url.length;
        }
        return x;
      },
    },
  };
  for (const [name, dist] of builds) {
    const { Tracer } = require(join(dist, 'core', 'tracer.js'));
    const { createPropagator } = require(join(dist, 'propagation', 'index.js'));
    const { BufferedSpanProcessor } = require(join(dist, 'export', 'buffered-span.processor.js'));
    const { HttpServerTracing } = require(join(dist, 'nest', 'http', 'http-server.tracing.js'));
    const discarding = { export: () => Promise.resolve() };
    const tracer = new Tracer({ serviceName: 'bench', processor: new BufferedSpanProcessor(discarding), propagator: createPropagator(['tracecontext', 'baggage']) });
    const tracing = new HttpServerTracing(tracer, {});
    variants[name] = {
      run(n) {
        let x = 0;
        for (let i = 0; i < n; i++) {
          const [req, res] = pair(i);
          if (tracing.enter(req, res) !== undefined) x++;
          res.emit('finish');
          res.emit('close');
        }
        return x;
      },
    };
  }
  // The interceptor's own work: the same request inside its context (as the listener runs
  // it), then intercept() over a handler that emits one value, subscribed as Nest does;
  // against an app's pass-through interceptor on the same path (subtract that row).
  const { ExecutionContextHost } = require('@nestjs/core/helpers/execution-context-host.js');
  const { of } = require('rxjs');
  const handler = { handle: () => of(1) };
  const sink = { next() {}, error() {}, complete() {} };
  const intercepted = (tracing, runInContext, interceptor) => ({
    run(n) {
      let x = 0;
      for (let i = 0; i < n; i++) {
        const [req, res] = pair(i);
        const context = tracing.enter(req, res);
        runInContext(context, () => {
          const host = new ExecutionContextHost([req, res, undefined]);
          host.setType('http');
          interceptor.intercept(host, handler).subscribe(sink);
        });
        res.emit('finish');
        res.emit('close');
        x++;
      }
      return x;
    },
  });
  for (const [name, dist] of builds) {
    const { Tracer } = require(join(dist, 'core', 'tracer.js'));
    const { runInContext } = require(join(dist, 'core', 'context.js'));
    const { createPropagator } = require(join(dist, 'propagation', 'index.js'));
    const { BufferedSpanProcessor } = require(join(dist, 'export', 'buffered-span.processor.js'));
    const { TracingInterceptor, serverTracingFor } = require(join(dist, 'nest', 'http', 'tracing.interceptor.js'));
    const tracer = new Tracer({ serviceName: 'bench', processor: new BufferedSpanProcessor({ export: () => Promise.resolve() }), propagator: createPropagator(['tracecontext', 'baggage']) });
    const setup = { enabled: true, tracer, http: {} };
    const tracing = serverTracingFor(setup);
    variants[`${name} + pass-through interceptor`] = intercepted(tracing, runInContext, { intercept: (_c, next) => next.handle() });
    variants[`${name} + TracingInterceptor`] = intercepted(tracing, runInContext, new TracingInterceptor(setup));
  }
  const result = await measure(variants, { chunk: 200, samples: QUICK ? 11 : 31 });
  const rows = [['build', 'ns per request', 'p25-p75', 'minus no tracing']];
  for (const [label, r] of Object.entries(result)) {
    rows.push([label, formatNs(r.ns), `${formatNs(r.p25)}-${formatNs(r.p75)}`, label === 'no tracing' ? '' : formatNs(r.ns - result['no tracing'].ns)]);
  }
  console.log('### HTTP server hooks alone: enter() + finish/close on a real request/response pair, in-process\n');
  console.log(markdownTable(rows));
  console.log('');
}

// ------------------------------------------------------------------------------ load child
// Keep-alive GETs on raw sockets: one request in flight per connection; a response is
// complete when its headers and Content-Length bytes have arrived.
function load() {
  process.on('message', ({ port, requests }) => {
    const started = process.hrtime.bigint();
    let sent = 0;
    let done = 0;
    let open = CONNECTIONS;
    const finish = () => {
      if (--open === 0) process.send({ ms: Number(process.hrtime.bigint() - started) / 1e6, done });
    };
    for (let c = 0; c < CONNECTIONS; c++) {
      const socket = connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      let pending = '';
      const next = () => {
        if (sent >= requests) {
          socket.end();
          finish();
          return;
        }
        const id = sent++;
        socket.write(
          `GET /items/${id} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: bench/1.0\r\ntraceparent: ${TRACEPARENT}\r\nAccept: */*\r\n\r\n`,
        );
      };
      socket.setEncoding('latin1');
      socket.on('data', (chunk) => {
        pending += chunk;
        for (;;) {
          const head = pending.indexOf('\r\n\r\n');
          if (head === -1) return;
          const match = /content-length:\s*(\d+)/i.exec(pending.slice(0, head));
          if (match === null) throw new Error(`response without content-length: ${pending.slice(0, head)}`);
          const total = head + 4 + Number(match[1]);
          if (pending.length < total) return;
          if (!pending.startsWith('HTTP/1.1 200')) throw new Error(`unexpected response: ${pending.slice(0, head)}`);
          pending = pending.slice(total);
          done++;
          next();
        }
      });
      socket.on('error', (error) => {
        console.error(`load: ${error.message}`);
        process.exit(1);
      });
      socket.once('connect', next);
    }
  });
}

// ------------------------------------------------------------------------------------ main
function request(child, message, predicate) {
  return new Promise((resolve, reject) => {
    const onMessage = (reply) => {
      if (!predicate(reply)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(reply);
    };
    const onExit = (code) => reject(new Error(`child exited (${code}) while waiting for a reply to ${JSON.stringify(message)}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message !== undefined) child.send(message);
  });
}

async function main() {
  if (process.env.HTTP_BENCH_HOOKS !== '0') {
    // The in-process hooks row first, in its own process (its garbage and JIT state stay there).
    const { spawnSync } = await import('node:child_process');
    spawnSync(process.execPath, ['--expose-gc', self, '--hooks'], { stdio: 'inherit', env: process.env });
  }
  if (process.env.HTTP_BENCH_HOOKS === 'only') return;
  const builds = (process.env.HTTP_BENCH_DIST ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => entry.split('='));
  const variants = [];
  for (const adapter of ADAPTERS) {
    if (builds.length === 0) {
      for (const v of VARIANTS) variants.push({ adapter, v, dist: join(root, 'dist', 'cjs'), label: v });
    } else {
      for (const v of ['a', 'f', 'g']) if (VARIANTS.includes(v)) variants.push({ adapter, v, dist: '', label: v });
      for (const [name, dist] of builds) for (const v of VARIANTS.filter((x) => !'afg'.includes(x))) variants.push({ adapter, v, dist, label: `${v} ${name}` });
    }
  }
  const describe = {
    a: 'no TracingModule',
    b: 'TracingModule, always_on, discarding exporter',
    c: 'same, globalInterceptor: false',
    d: 'TracingModule enabled: false',
    e: '(c) + a pass-through global interceptor of the app',
    f: '(a) + the same pass-through interceptor',
    g: '(a), each request in an AsyncLocalStorage.run()',
  };

  const loader = fork(self, ['--load'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const servers = [];
  try {
    // Start the apps two at a time (2 cores).
    for (let i = 0; i < variants.length; i += 2) {
      await Promise.all(
        variants.slice(i, i + 2).map(async (variant) => {
          const name = `${variant.adapter}-${variant.label.replace(/\W+/g, '_')}`;
          const child = fork(self, ['--serve', variant.adapter, variant.v, variant.dist, name], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          servers.push(child);
          variant.child = child;
          variant.port = (await request(child, undefined, (m) => m.port !== undefined)).port;
          variant.rps = [];
          variant.cpu = [];
          variant.sent = FIRST_WARMUP;
        }),
      );
    }
    const run = (variant, requests) => request(loader, { port: variant.port, requests }, (m) => m.ms !== undefined);
    // A fresh process is far from its steady state: warm every app up before the first round.
    for (const variant of variants) await run(variant, FIRST_WARMUP);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < variants.length; i++) {
        const variant = variants[(i + round) % variants.length];
        await run(variant, WARMUP);
        await request(variant.child, 'cpu-start', (m) => m.ok);
        const { ms, done } = await run(variant, REQUESTS);
        const { cpuUs, exported } = await request(variant.child, 'cpu-stop', (m) => m.cpuUs !== undefined);
        variant.sent += WARMUP + done;
        variant.exported = exported;
        variant.rps.push((done / ms) * 1000);
        variant.cpu.push(cpuUs / done);
      }
    }
  } finally {
    loader.kill();
    await Promise.all(servers.map((child) => new Promise((resolve) => (child.once('exit', resolve), child.send('close')))));
  }

  const rows = [['adapter', 'variant', 'requests/s', 'vs (a)', 'server CPU µs/req', 'vs (a)', 'CPU min-max', 'rps min-max', 'spans/req']];
  for (const variant of variants) {
    const base = variants.find((x) => x.adapter === variant.adapter && x.v === 'a') ?? variant;
    const rps = median(variant.rps);
    const cpu = median(variant.cpu);
    const name = builds.length === 0 ? `(${variant.v}) ${describe[variant.v]}` : `(${variant.label})`;
    rows.push([
      variant.adapter,
      name,
      rps.toFixed(0),
      variant === base ? '1.00' : (rps / median(base.rps)).toFixed(3),
      cpu.toFixed(1),
      variant === base ? '1.00' : (cpu / median(base.cpu)).toFixed(3),
      `${Math.min(...variant.cpu).toFixed(1)}-${Math.max(...variant.cpu).toFixed(1)}`,
      `${Math.min(...variant.rps).toFixed(0)}-${Math.max(...variant.rps).toFixed(0)}`,
      (variant.exported / variant.sent).toFixed(2),
    ]);
  }
  console.log(`### HTTP server: GET /items/:id, ${CONNECTIONS} keep-alive connections, ${REQUESTS} timed requests per variant and round, median of ${ROUNDS} rounds\n`);
  console.log(markdownTable(rows));
  console.log('');
}
