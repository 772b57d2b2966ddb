import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';
import { OtlpReceiver, type DecodedSpan } from '../support/otlp-receiver.js';

// The sample app as a user runs it (`npm start` = build, then `node dist/sample-app/main.js`),
// exporting to a loopback OTLP receiver. `npm test` builds it first (the pretest script).
const root = join(__dirname, '..', '..');
const main = join(root, 'dist', 'sample-app', 'main.js');

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

function waitForOutput(child: ChildProcess, text: string, timeoutMillis: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`sample app did not print "${text}" in ${timeoutMillis} ms:\n${output}`)), timeoutMillis);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(text)) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sample app exited with ${code} before printing "${text}":\n${output}`));
    });
  });
}

describe('sample app (child process, OTLP to a loopback receiver)', () => {
  let rx: OtlpReceiver;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm test\` (its pretest builds it) or \`npm run build && npm run build:sample\``);
    rx = await OtlpReceiver.start();
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await rx?.close();
  });

  it('exports one trace gateway -> orders -> notifications, with the HTTP hop, and flushes on SIGTERM', async () => {
    const [port, ordersPort, notificationsPort] = [await freePort(), await freePort(), await freePort()];
    child = spawn(process.execPath, [main], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        ORDERS_PORT: String(ordersPort),
        NOTIFICATIONS_PORT: String(notificationsPort),
        TRANSPORT: 'tcp',
        OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint,
        OTEL_SERVICE_NAME: 'sample',
        OTEL_TRACES_EXPORTER: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const banner = await waitForOutput(child, 'Ctrl-C to stop', 20000);
    expect(banner).toContain(`curl -s -X POST http://127.0.0.1:${port}/orders`);

    const response = await fetch(`http://127.0.0.1:${port}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'coffee-beans', quantity: 2 }),
    });
    expect(response.status).toBe(201);
    const order = (await response.json()) as { id: string; total: number };
    expect(order.total).toBe(25);

    // SIGTERM: the app closes its three Nest apps, each flushing its spans, then exits.
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    // With an endpoint set the sample exports OTLP and still prints the console tree.
    expect(stdout).toMatch(/trace [0-9a-f]{32} \(sample-gateway\)\n  POST \/orders  SERVER/);

    const spans = rx.spans();
    const gatewayServer = spans.find((s) => s.name === 'POST /orders' && s.kind === SERVER);
    expect(gatewayServer).toBeDefined();
    const trace = spans.filter((s) => s.traceId === gatewayServer!.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parentOf = (s: DecodedSpan) => byId.get(s.parentSpanId);
    const describe = () => trace.map((s) => `${s.serviceName} ${s.kind} ${s.name}`).join('\n');

    expect(new Set(trace.map((s) => s.serviceName))).toEqual(new Set(['sample-gateway', 'sample-orders', 'sample-notifications']));
    // Every span but the root has its parent in the same trace: nothing is orphaned.
    for (const span of trace) if (span !== gatewayServer) expect(parentOf(span)).toBeDefined();
    expect(gatewayServer!.parentSpanId).toBe('');

    const ordersServer = trace.find((s) => s.serviceName === 'sample-orders' && s.kind === SERVER);
    expect(ordersServer).toBeDefined();
    expect(parentOf(ordersServer!)?.kind).toBe(CLIENT);
    expect(parentOf(ordersServer!)?.serviceName).toBe('sample-gateway');

    const place = trace.find((s) => s.name === 'OrdersService.place');
    expect(place?.serviceName).toBe('sample-orders');
    expect(place?.attributes['order.id']).toBe(order.id);

    const catalogue = trace.find((s) => s.name === 'GET /catalogue/:sku' && s.kind === SERVER);
    expect(catalogue?.serviceName).toBe('sample-gateway');
    expect(parentOf(catalogue!)?.kind).toBe(CLIENT);
    expect(parentOf(catalogue!)?.serviceName).toBe('sample-orders');

    const consumer = trace.find((s) => s.serviceName === 'sample-notifications' && s.kind === CONSUMER);
    expect(consumer).toBeDefined();
    expect(parentOf(consumer!)?.kind).toBe(PRODUCER);
    expect(parentOf(consumer!)?.serviceName).toBe('sample-orders');
    expect(trace.find((s) => s.name === 'NotificationsController.send')?.parentSpanId).toBe(consumer!.spanId);
    if (trace.length < 9) throw new Error(`expected the whole trace, got:\n${describe()}`);
  }, 60000);
});
