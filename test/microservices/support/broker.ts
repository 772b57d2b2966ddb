import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';

const PROBE = `
const s = require('node:net').createConnection({ host: process.argv[1], port: Number(process.argv[2]) });
const t = setTimeout(() => process.exit(1), 1000);
s.once('connect', () => { clearTimeout(t); s.destroy(); process.exit(0); });
s.once('error', () => process.exit(1));
`;

/**
 * True when something accepts TCP connections on host:port. Synchronous (a child process),
 * so a suite can choose `describe` or `describe.skip` while jest collects tests.
 */
export function isReachableSync(host: string, port: number): boolean {
  try {
    execFileSync(process.execPath, ['-e', PROBE, host, String(port)], { stdio: 'ignore', timeout: 3000 });
    return true;
  } catch {
    return false;
  }
}

export interface Broker {
  label: string;
  host: string;
  port: number;
  /** How to start it again (TOOLCHAIN.md). */
  restart: string;
}

/**
 * `describe` when the broker is reachable; otherwise `describe.skip` with the reason printed
 * once, or, with CI=true, a `describe` whose `beforeAll` fails: CI must not skip silently.
 */
export function describeWithBroker(broker: Broker | undefined): jest.Describe | ((name: string, fn: () => void) => void) {
  if (broker === undefined || isReachableSync(broker.host, broker.port)) return describe;
  const reason = `${broker.label} is not reachable at ${broker.host}:${broker.port} (start it with: ${broker.restart})`;
  if (process.env.CI === 'true') {
    return (name: string, fn: () => void) =>
      describe(name, () => {
        beforeAll(() => {
          throw new Error(`${reason}; CI=true, so this fails instead of skipping`);
        });
        fn();
      });
  }
  console.warn(`skipping the ${broker.label} transport suite: ${reason}`);
  return describe.skip;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A short id unique to this run, for queue/subject/topic names that must not collide. */
export function runId(): string {
  return `t${process.pid.toString(36)}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
