import { createRequire } from 'node:module';
import { Redis } from 'ioredis';
import type { ClientRole } from '../broker/identity.js';

/**
 * What joins the brokers of several gateway nodes into one: aedes' Redis message emitter (a
 * notice or a hub's message reaches subscribers on every node) and Redis session persistence
 * (a client id that moves to another node keeps its session), both maintained aedes modules,
 * plus a channel on which a credential change on one node closes the connections on all.
 */
export interface BrokerFabric {
  /** The aedes broker id: unique per node, so aedes' own cross-node client takeover can tell nodes apart. */
  readonly brokerId: string;
  readonly mq: unknown;
  readonly persistence: unknown;
  /** Tells every node (this one included) that a hub's or account's credentials changed. */
  announceCredentialChange(role: ClientRole, name: string): Promise<void>;
  /** Called on every node for each announced change. */
  onCredentialChange(listener: (role: ClientRole, name: string) => void): void;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * aedes-persistence-redis 12.0.0 sends some LREM and RPUSH without awaiting them (a will
 * stored or deleted as a client connects or drops). One that a closing connection rejects was
 * an unhandled rejection (it failed a test run: clients dropping as the broker stopped). Their
 * promises are marked handled here; a caller that awaits one still gets its error.
 */
export function markUnawaitedHandled(conn: Redis): void {
  for (const name of ['lrem', 'rpush'] as const) {
    const send = (conn[name] as (...args: unknown[]) => Promise<unknown>).bind(conn);
    Object.defineProperty(conn, name, {
      value: (...args: unknown[]): Promise<unknown> => {
        const reply = send(...args);
        reply.catch(() => undefined);
        return reply;
      },
    });
  }
}

interface Emitter {
  close(cb: () => void): void;
}

/** `keyPrefix` keeps one cluster's (or one test's) keys and channels apart from another's on a shared Redis. */
export async function redisFabric(url: string, options: { nodeId: string; keyPrefix: string }): Promise<BrokerFabric> {
  const MQEmitterRedis = require('mqemitter-redis') as (o: { connectionString: string }) => Emitter;
  const persistenceRedis = require('aedes-persistence-redis') as (o: { conn: Redis }) => unknown;
  const channel = `${options.keyPrefix}credentials`;
  const sub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await Promise.all([sub.connect(), pub.connect()]);
  } catch (err) {
    sub.disconnect();
    pub.disconnect();
    throw new Error(`Redis is needed for the broker fabric at ${url} and is not reachable (${(err as Error).message}): check FORECARE_REDIS_URL`, { cause: err });
  }
  const persistenceConn = new Redis(url, { keyPrefix: options.keyPrefix });
  markUnawaitedHandled(persistenceConn);
  const mq = MQEmitterRedis({ connectionString: url });
  const persistence = persistenceRedis({ conn: persistenceConn });
  const listeners: ((role: ClientRole, name: string) => void)[] = [];
  await sub.subscribe(channel);
  sub.on('message', (ch: string, text: string) => {
    if (ch !== channel) return;
    try {
      const { role, name } = JSON.parse(text) as { role: ClientRole; name: string };
      for (const l of listeners) l(role, name);
    } catch {
      // Not ours: ignore.
    }
  });
  return {
    brokerId: options.nodeId,
    mq,
    persistence,
    async announceCredentialChange(role, name) {
      await pub.publish(channel, JSON.stringify({ role, name }));
    },
    onCredentialChange(listener) {
      listeners.push(listener);
    },
    async close() {
      // aedes closes its emitter when the broker closes; a fabric closed without a broker closes it here.
      if ((mq as { closed?: boolean }).closed !== true) await new Promise<void>((resolve) => mq.close(() => resolve()));
      // Not persistence.destroy(): it unsubscribes from the emitter, which the broker has closed by now, and never returns.
      // QUIT, not disconnect(): commands still in flight (aedes cleaning up the sessions of clients
      // that dropped as the broker stopped) get their replies first; a disconnect rejected them, and
      // nobody awaited those promises (an unhandled rejection that failed a test run on Node 24).
      await Promise.allSettled([persistenceConn.quit(), sub.quit(), pub.quit()]);
    },
  };
}
