import { Transport } from '@nestjs/microservices';
import { transportSuite } from './support/transport-suite.js';

transportSuite({
  name: 'Redis',
  system: 'redis',
  broker: {
    label: 'Redis',
    host: '127.0.0.1',
    port: 6379,
    restart: 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
  },
  // Channels are the patterns, which carry this run's unique prefix.
  endpoint: async () => ({ transport: Transport.REDIS, options: { host: '127.0.0.1', port: 6379 } }),
  readHeader: (ctx, key) => {
    const metadata = (ctx as { getMetadata?: () => Record<string, string> | undefined }).getMetadata?.();
    return metadata?.[key];
  },
});
