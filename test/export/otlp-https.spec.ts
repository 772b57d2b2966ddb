import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OtlpHttpSpanExporter } from '../../lib/export/otlp/otlp-http.exporter.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { burst, captureDiag, tracerWith } from './export-test-kit.js';

/** A throwaway self-signed certificate for 127.0.0.1 (openssl), or undefined when openssl is missing. */
function selfSigned(): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'otlp-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tls = selfSigned();
if (tls === undefined) {
  if (process.env.CI === 'true') throw new Error('openssl is needed for the OTLP/HTTPS test');
  // eslint-disable-next-line no-console
  console.warn('skipping the OTLP/HTTPS test: openssl is not available to make a certificate');
}

(tls ? describe : describe.skip)('OtlpHttpSpanExporter over HTTPS', () => {
  it('delivers to an https:// endpoint whose CA is trusted through agentOptions', async () => {
    const rx = await OtlpReceiver.start({ tls });
    try {
      const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url, compression: 'gzip', agentOptions: { ca: tls!.cert } });
      expect(rx.url.startsWith('https://')).toBe(true);
      const { tracer } = tracerWith(exporter);
      const ids = burst(tracer, 3);
      await tracer.shutdown();
      expect(rx.spans().map((s) => s.spanId)).toEqual(ids);
    } finally {
      await rx.close();
    }
  });

  it('drops the batch with one diagnostic when the certificate is not trusted', async () => {
    const rx = await OtlpReceiver.start({ tls });
    const log = captureDiag();
    try {
      const exporter = new OtlpHttpSpanExporter({ endpoint: rx.url });
      const { tracer, processor } = tracerWith(exporter);
      burst(tracer, 2);
      await tracer.forceFlush();
      expect(processor.droppedSpansCount).toBe(2);
      expect(rx.requests).toHaveLength(0);
      expect(log.messages).toHaveLength(1);
      expect(log.messages[0]).toMatch(/could not send 2 spans .*(self[- ]signed|certificate)/i);
      await tracer.shutdown();
    } finally {
      log.restore();
      await rx.close();
    }
  });
});
