import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { diag } from '../core/diag.js';
import { TRACING_SETUP } from './tracing.constants.js';
import type { TracingSetup } from './tracing-setup.interface.js';
import { registerHttpClientTracer, unregisterHttpClientTracer } from './http/http-client.instrumentation.js';

/**
 * The tracer's life inside the app: outgoing-HTTP tracing and process default on bootstrap;
 * on shutdown (`app.close()`, or SIGTERM with `app.enableShutdownHooks()`) a final flush and
 * the processor's shutdown, awaited but bounded by `shutdownTimeoutMillis` (default 5000).
 */
@Injectable()
export class TracingLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(TRACING_SETUP) private readonly setup: TracingSetup) {
    // Registered at construction too, so a module compiled but not yet initialised (tests) traces outgoing calls.
    if (setup.enabled && setup.http.outgoing !== false) registerHttpClientTracer(setup.tracer);
  }

  onApplicationBootstrap(): void {
    const { tracer, enabled } = this.setup;
    if (enabled && !tracer.isShutdown) tracer.makeDefault();
  }

  async onApplicationShutdown(): Promise<void> {
    const { tracer, shutdownTimeoutMillis } = this.setup;
    unregisterHttpClientTracer(tracer);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), shutdownTimeoutMillis);
      timer.unref?.();
    });
    try {
      const outcome = await Promise.race([tracer.shutdown().then(() => 'done' as const), deadline]);
      if (outcome === 'timeout') {
        diag.warn(`tracing shutdown did not finish within shutdownTimeoutMillis (${shutdownTimeoutMillis} ms); unexported spans are dropped.`);
      }
    } catch (error) {
      diag.warnOnce('tracing-shutdown', `tracing shutdown failed: ${String(error)}`);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}
