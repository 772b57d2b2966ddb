import { Transport } from '@nestjs/microservices';
import { freePort } from './support/broker.js';
import { transportSuite } from './support/transport-suite.js';

transportSuite({
  name: 'TCP',
  system: 'tcp',
  endpoint: async () => ({ transport: Transport.TCP, options: { host: '127.0.0.1', port: await freePort() } }),
  readHeader: (ctx, key) => {
    const metadata = (ctx as { getMetadata?: () => Record<string, string> | undefined }).getMetadata?.();
    return metadata?.[key];
  },
});
