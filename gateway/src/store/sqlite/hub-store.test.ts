import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hubStoreContract } from '../contract/hub-store.contract.js';
import { openStore } from '../db.js';
import { SqliteHubStore } from './hub-store.js';

const openOne = (): { store: ReturnType<typeof openStore>; hubs: SqliteHubStore } => {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'forecare-hub-store-')), 'gw.db'));
  return { store, hubs: new SqliteHubStore(store) };
};

hubStoreContract('SQLite', () => {
  const { store, hubs } = openOne();
  return Promise.resolve({ hubs, close: () => Promise.resolve(store.close()) });
});

describe('SQLite hub store, answered at once', () => {
  it('answers the same as its promises (the registries’ get, list and revoke use these)', async () => {
    const { store, hubs } = openOne();
    await hubs.addHub({ hubId: 'h1', passwordHash: 'x', customerId: null, createdAt: 1 });
    await hubs.addMqttClient({ name: 'svc', role: 'service', passwordHash: 'y', createdAt: 1 });
    expect(hubs.hubNow('h1')).toEqual(await hubs.hub('h1'));
    expect(hubs.hubsNow()).toEqual(await hubs.hubs());
    expect(hubs.mqttClientNow('svc')).toEqual(await hubs.mqttClient('svc'));
    expect(hubs.mqttClientsNow()).toEqual(await hubs.mqttClients());
    expect(hubs.revokeHubNow('h1', 5)).toBe(true);
    expect(hubs.revokeHubNow('nope', 5)).toBe(false);
    expect(hubs.revokeMqttClientNow('svc', 6)).toBe(true);
    expect([(await hubs.hub('h1'))?.revokedAt, (await hubs.mqttClient('svc'))?.revokedAt]).toEqual([5, 6]);
    store.close();
  });

  it('rejects, rather than throws, once its file is closed', async () => {
    const { store, hubs } = openOne();
    store.close();
    await expect(hubs.hub('h1')).rejects.toThrow(/not open/);
    await expect(hubs.markHubSeen('h1', 1)).rejects.toThrow(/not open/);
  });
});
