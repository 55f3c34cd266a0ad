import { createServer } from 'node:net';
import { Engine } from '@forecare/rules';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuleFiles } from '../../engine/rule-files.js';
import { PgCheckpointStore } from './checkpoint-store.js';
import { PgDeadLetterStore } from './dead-letter-store.js';
import { PgHubStore } from './hub-store.js';
import { PgStore } from './pg-store.js';
import { PgRuleVersionStore } from './rule-version-store.js';
import { hubs } from './schema.js';
import { PgTelemetryExcerptStore } from './telemetry-excerpt-store.js';
import { MigratedTestDatabase } from './test-store.js';

let db: MigratedTestDatabase;
beforeAll(async () => {
  db = await MigratedTestDatabase.create();
});
afterAll(async () => {
  await db?.drop();
});

/** A port nothing listens on: taken from the system, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** The codes along an error's causes (drizzle wraps the driver's error in its own). */
function causes(err: unknown): string[] {
  const out: string[] = [];
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e !== undefined && e !== null; e = e.cause as typeof e) if (typeof e.code === 'string') out.push(e.code);
  return out;
}

const hub = (hubId: string) => ({ hubId, passwordHash: 'x', customerId: null, createdAt: 1 });

describe('PostgreSQL store connections', () => {
  it('every store rejects, rather than throws or hangs, when PostgreSQL cannot be reached', async () => {
    const down = PgStore.open(`postgres://postgres@127.0.0.1:${await closedPort()}/none`, 2);
    const engine = new Engine({ rules: loadRuleFiles(''), trackChanges: true });
    const checkpoints = new PgCheckpointStore(down, { partition: 0, token: 1 });
    const calls: (() => Promise<unknown>)[] = [
      () => new PgHubStore(down).hub('h1'),
      () => new PgHubStore(down).addHub(hub('h1')),
      () => new PgRuleVersionStore(down).latest(),
      () => new PgDeadLetterStore(down).append([{ letter: { hubId: 'h', clientId: 'c', topic: 't', reason: 'schema', errors: [], payload: Buffer.from('x') }, receivedAt: 1 }]),
      () => new PgTelemetryExcerptStore(down).points('h', 'a', 0, 10, 10),
      () => checkpoints.load(),
      () => checkpoints.save(engine.takeChanges(), 1, 1),
    ];
    for (const call of calls) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(causes(err), call.toString()).toContain('ECONNREFUSED');
    }
    await down.close();
  });

  it('a transaction whose work rejects is rolled back, and its connection goes back usable', async () => {
    const store = db.store(1); // one connection: the next statement runs on the same one
    await expect(
      store.transaction(async (tx) => {
        await tx.insert(hubs).values(hub('rolled-back'));
        throw new Error('halfway');
      }),
    ).rejects.toThrow('halfway');
    expect(await store.db.select().from(hubs).where(eq(hubs.hubId, 'rolled-back'))).toEqual([]);
    await store.transaction(async (tx) => void (await tx.insert(hubs).values(hub('committed'))));
    expect(await store.db.select({ id: hubs.hubId }).from(hubs).where(eq(hubs.hubId, 'committed'))).toEqual([{ id: 'committed' }]);
  });

  it('a transaction whose connection is killed under it rejects, nothing of it stays, and the pool carries on with a new connection', async () => {
    const store = db.store(1);
    const admin = db.store(1);
    await expect(
      store.transaction(async (tx, client) => {
        await tx.insert(hubs).values(hub('killed'));
        const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
        await admin.pool.query('SELECT pg_terminate_backend($1)', [pid]);
        await tx.insert(hubs).values(hub('killed-2'));
      }),
    ).rejects.toThrow();
    expect(await store.db.select().from(hubs).where(eq(hubs.hubId, 'killed'))).toEqual([]);
    expect(await new PgHubStore(store).addHub(hub('after'))).toBe(true);
  });
});
