import { createServer } from 'node:net';
import type { Aedes } from 'aedes';

/**
 * Serves a bench broker (bare-aedes.ts, floor-aedes.ts) on a free port of 127.0.0.1, prints
 * `listening <port>` for run.ts, and on SIGTERM closes the broker, then `after`, then exits.
 */
export function serveBench(broker: Aedes, after: () => Promise<unknown> = () => Promise.resolve()): void {
  const server = createServer(broker.handle);
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    console.log(`listening ${typeof address === 'object' && address !== null ? address.port : 0}`);
  });
  process.on('SIGTERM', () => {
    server.close();
    broker.close(() => void after().then(() => process.exit(0)));
  });
}
