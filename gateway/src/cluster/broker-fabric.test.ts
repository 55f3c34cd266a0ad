import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@forecare/firmware-contracts';
import { Broker } from '../broker/broker.js';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config/config.js';
import { HubRegistry } from '../hubs/hub-registry.js';
import { MqttClientRegistry } from '../hubs/mqtt-client-registry.js';
import { createLogger } from '../log.js';
import { Metrics } from '../metrics/metrics.js';
import { openStore, type Store } from '../store/db.js';
import { redisFabric, type BrokerFabric } from './broker-fabric.js';
import { SqliteHubStore } from '../store/sqlite/hub-store.js';

const REDIS = process.env.FORECARE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const until = async <T>(what: string, probe: () => T | undefined, ms = 5_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** Two gateway brokers joined by the Redis fabric, over one store (as cluster nodes share PostgreSQL). */
describe('the broker fabric across nodes, on the real Redis', () => {
  const prefix = `forecare-test-${randomBytes(4).toString('hex')}:`;
  const hubId = `hub-fab-${randomBytes(3).toString('hex')}`;
  let store: Store;
  let hubs: HubRegistry;
  let accounts: MqttClientRegistry;
  const nodes: { broker: Broker; fabric: BrokerFabric; port: number }[] = [];
  const clients: MqttClient[] = [];
  let hubPassword = '';
  let servicePassword = '';

  beforeAll(async () => {
    store = openStore(join(mkdtempSync(join(tmpdir(), 'forecare-fabric-')), 'gw.db'));
    hubs = new HubRegistry(new SqliteHubStore(store), systemClock);
    accounts = new MqttClientRegistry(new SqliteHubStore(store), systemClock);
    hubPassword = (await hubs.provision({ hubId })).password;
    servicePassword = (await accounts.provision({ name: `svc-${hubId}`, role: 'service' })).password;
    const config = loadConfig({ FORECARE_CONFIG: join(tmpdir(), 'none.json') }, process.cwd());
    for (const id of ['node-a', 'node-b']) {
      const fabric = await redisFabric(REDIS, { nodeId: `${prefix}${id}`, keyPrefix: prefix });
      const broker = new Broker(hubs, accounts, { accept: (_p, _t, _payload, done) => done(undefined, false) }, new Metrics(), createLogger({ level: 'silent' }), config.mqtt, Date.now, fabric);
      nodes.push({ broker, fabric, port: await broker.start('127.0.0.1', 0) });
    }
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    for (const n of nodes) {
      await n.broker.stop();
      await n.fabric.close();
    }
    store?.close();
    // The test's keys go with it.
    const redis = new Redis(REDIS);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
    redis.disconnect();
  });

  const on = (node: number, username: string, password: string, clientId: string): Promise<MqttClient> =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${nodes[node]?.port ?? 0}`, { username, password, clientId, protocolVersion: 4, reconnectPeriod: 0 }).then((c) => {
      clients.push(c);
      return c;
    });

  it("a service account on node B receives what a hub publishes on node A, and a notice from B reaches the hub on A", async () => {
    const hub = await on(0, hubId, hubPassword, `${hubId}-1`);
    const svc = await on(1, `service:svc-${hubId}`, servicePassword, `svc-${hubId}`);
    const seen: string[] = [];
    svc.on('message', (topic) => seen.push(topic));
    await svc.subscribeAsync(`forecare/v1/${hubId}/#`, { qos: 1 });
    const notices: string[] = [];
    hub.on('message', (_t, payload) => notices.push(payload.toString()));
    await hub.subscribeAsync(topics.notices(hubId), { qos: 1 });
    await hub.publishAsync(topics.heartbeat(hubId), JSON.stringify({ ts: Date.now(), seq: 1 }), { qos: 1 });
    await until('the telemetry on node B', () => (seen.includes(topics.heartbeat(hubId)) ? true : undefined));
    nodes[1]?.broker.sendNotice(hubId, { kind: 'rejected', ts: Date.now(), code: 'GW_REJECT_SCHEMA', reason: 'test', topic: topics.heartbeat(hubId) } as never);
    await until('the notice on node A', () => notices[0]);
  });

  it('a revoke answered on node B closes the hub on node A', async () => {
    const hub = await on(0, hubId, hubPassword, `${hubId}-2`);
    const closed = new Promise<void>((resolve) => hub.stream.once('close', () => resolve()));
    hubs.revoke(hubId);
    expect(nodes[1]?.broker.disconnectHub(hubId)).toBe(0); // nothing of it on B itself
    await closed; // (how soon is measured by the cluster benchmark; the target is within a second)
  });
});

describe('the fabric closing while aedes still stores or drops wills', () => {
  it('leaves no unhandled rejection behind (aedes-persistence-redis does not await some commands)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const prefix = `forecare-test-${randomBytes(4).toString('hex')}:`;
      const fabric = await redisFabric(REDIS, { nodeId: 'closing', keyPrefix: prefix });
      const persistence = fabric.persistence as { setup(broker: unknown): Promise<void>; delWill(client: unknown, cb: (err?: Error) => void): void };
      await persistence.setup({ id: 'closing', subscribe: (_t: string, _f: unknown, done: () => void) => done(), unsubscribe: () => undefined, mq: fabric.mq });
      await fabric.close();
      // A client drops after the connection closed: its will is deleted without awaiting the LREM.
      persistence.delWill({ id: 'late-client', brokerId: 'closing' }, () => undefined);
      await new Promise((r) => setTimeout(r, 200));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
