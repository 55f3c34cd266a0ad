/** What every HubStore must do, as a test that takes a factory (SQLite here, PostgreSQL in issue 22). */
import { afterEach, describe, expect, it } from 'vitest';
import type { HubStore } from '../ports/hubs.js';

export interface HubStoreHarness {
  readonly hubs: HubStore;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 10, 24, 12, 0);
const hub = (hubId: string, passwordHash = `scrypt$${hubId}`) => ({ hubId, passwordHash, customerId: null, createdAt: T0 });

export function hubStoreContract(name: string, open: () => Promise<HubStoreHarness>): void {
  describe(`HubStore contract: ${name}`, () => {
    let h: HubStoreHarness | undefined;
    const harness = async (): Promise<HubStore> => (h = await open()).hubs;
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it('knows no hub and no account before they are added; changing an unknown one changes nothing', async () => {
      const hubs = await harness();
      expect(await hubs.hub('h1')).toBeUndefined();
      expect(await hubs.hubs()).toEqual([]);
      expect(await hubs.setHubPassword('h1', 'x', T0)).toBe(false);
      expect(await hubs.revokeHub('h1', T0)).toBe(false);
      await hubs.markHubSeen('h1', T0);
      expect(await hubs.hubs()).toEqual([]);
      expect(await hubs.mqttClient('svc')).toBeUndefined();
      expect(await hubs.setMqttClientPassword('svc', 'x', T0)).toBe(false);
      expect(await hubs.revokeMqttClient('svc', T0)).toBe(false);
    });

    it('adds a hub once: a second add of the same id (two provisions at once) is refused and overwrites nothing', async () => {
      const hubs = await harness();
      const [a, b] = await Promise.all([hubs.addHub(hub('h1', 'first')), hubs.addHub(hub('h1', 'second'))]);
      expect([a, b]).toEqual([true, false]);
      expect(await hubs.hub('h1')).toEqual({ hubId: 'h1', passwordHash: 'first', customerId: null, createdAt: T0, rotatedAt: null, revokedAt: null, lastSeenAt: null });
    });

    it('revokes, and a new password reinstates the hub at once', async () => {
      const hubs = await harness();
      await hubs.addHub(hub('h1'));
      expect(await hubs.revokeHub('h1', T0 + 1)).toBe(true);
      expect((await hubs.hub('h1'))?.revokedAt).toBe(T0 + 1);
      expect(await hubs.setHubPassword('h1', 'new', T0 + 2)).toBe(true);
      expect(await hubs.hub('h1')).toMatchObject({ passwordHash: 'new', rotatedAt: T0 + 2, revokedAt: null });
      await hubs.setHubCustomer('h1', 'c1');
      expect((await hubs.hub('h1'))?.customerId).toBe('c1');
    });

    it('moves a hub’s last-seen time only forward (a replay of older entries leaves it)', async () => {
      const hubs = await harness();
      await hubs.addHub(hub('h1'));
      await hubs.addHub(hub('h2'));
      await hubs.markHubSeen('h1', T0 + 60_000);
      await hubs.markHubSeen('h1', T0 + 30_000);
      expect((await hubs.hub('h1'))?.lastSeenAt).toBe(T0 + 60_000);
      expect((await hubs.hub('h2'))?.lastSeenAt).toBeNull();
      await hubs.markHubSeen('h1', T0 + 90_000);
      expect((await hubs.hub('h1'))?.lastSeenAt).toBe(T0 + 90_000);
    });

    it('keeps MQTT accounts apart from hubs, each name once, with revoke and rotation as for hubs', async () => {
      const hubs = await harness();
      await hubs.addHub(hub('same-name'));
      expect(await hubs.addMqttClient({ name: 'same-name', role: 'service', passwordHash: 'p', createdAt: T0 })).toBe(true);
      expect(await hubs.addMqttClient({ name: 'same-name', role: 'admin', passwordHash: 'q', createdAt: T0 })).toBe(false);
      expect(await hubs.mqttClient('same-name')).toEqual({ name: 'same-name', role: 'service', passwordHash: 'p', createdAt: T0, rotatedAt: null, revokedAt: null });
      expect(await hubs.revokeMqttClient('same-name', T0 + 5)).toBe(true);
      expect((await hubs.hub('same-name'))?.revokedAt).toBeNull();
      expect(await hubs.setMqttClientPassword('same-name', 'p2', T0 + 6)).toBe(true);
      expect(await hubs.mqttClient('same-name')).toMatchObject({ passwordHash: 'p2', rotatedAt: T0 + 6, revokedAt: null });
      expect((await hubs.mqttClients()).map((c) => c.name)).toEqual(['same-name']);
      expect((await hubs.hubs()).map((x) => x.hubId)).toEqual(['same-name']);
    });
  });
}
