import { eq } from 'drizzle-orm';
import type { Store } from '../db.js';
import type { HubStore, StoredHub, StoredMqttClient } from '../ports/hubs.js';
import { hubs, mqttClients } from '../schema.js';
import { answer } from './answer.js';

/**
 * What the registries still need answered at once: the API's routes call their get, list and
 * revoke without awaiting (api/routes/hubs.ts, mqtt-clients.ts, tickets.ts, customers.ts) and
 * so does the CLI. These go once those callers await the port's methods.
 */
export interface HubStoreNow {
  hubNow(hubId: string): StoredHub | undefined;
  hubsNow(): StoredHub[];
  revokeHubNow(hubId: string, at: number): boolean;
  mqttClientNow(name: string): StoredMqttClient | undefined;
  mqttClientsNow(): StoredMqttClient[];
  revokeMqttClientNow(name: string, at: number): boolean;
}

/** Hubs and MQTT accounts in the main SQLite file. */
export class SqliteHubStore implements HubStore, HubStoreNow {
  private readonly touch;

  constructor(private readonly store: Store) {
    // Every telemetry batch may touch a hub: a prepared statement, and only forward in time.
    this.touch = store.sqlite.prepare('UPDATE hubs SET last_seen_at = ? WHERE hub_id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)');
  }

  addHub(hub: { hubId: string; passwordHash: string; customerId: string | null; createdAt: number }): Promise<boolean> {
    return answer(() => this.store.db.insert(hubs).values(hub).onConflictDoNothing().run().changes > 0);
  }

  hub(hubId: string): Promise<StoredHub | undefined> {
    return answer(() => this.hubNow(hubId));
  }

  hubNow(hubId: string): StoredHub | undefined {
    return this.store.db.select().from(hubs).where(eq(hubs.hubId, hubId)).get();
  }

  hubs(): Promise<StoredHub[]> {
    return answer(() => this.hubsNow());
  }

  hubsNow(): StoredHub[] {
    return this.store.db.select().from(hubs).all();
  }

  setHubPassword(hubId: string, passwordHash: string, at: number): Promise<boolean> {
    return answer(() => this.store.db.update(hubs).set({ passwordHash, rotatedAt: at, revokedAt: null }).where(eq(hubs.hubId, hubId)).run().changes > 0);
  }

  revokeHub(hubId: string, at: number): Promise<boolean> {
    return answer(() => this.revokeHubNow(hubId, at));
  }

  revokeHubNow(hubId: string, at: number): boolean {
    return this.store.db.update(hubs).set({ revokedAt: at }).where(eq(hubs.hubId, hubId)).run().changes > 0;
  }

  setHubCustomer(hubId: string, customerId: string): Promise<void> {
    return answer(() => void this.store.db.update(hubs).set({ customerId }).where(eq(hubs.hubId, hubId)).run());
  }

  markHubSeen(hubId: string, at: number): Promise<void> {
    return answer(() => void this.touch.run(at, hubId, at));
  }

  addMqttClient(client: { name: string; role: string; passwordHash: string; createdAt: number }): Promise<boolean> {
    return answer(() => this.store.db.insert(mqttClients).values(client).onConflictDoNothing().run().changes > 0);
  }

  mqttClient(name: string): Promise<StoredMqttClient | undefined> {
    return answer(() => this.mqttClientNow(name));
  }

  mqttClientNow(name: string): StoredMqttClient | undefined {
    return this.store.db.select().from(mqttClients).where(eq(mqttClients.name, name)).get();
  }

  mqttClients(): Promise<StoredMqttClient[]> {
    return answer(() => this.mqttClientsNow());
  }

  mqttClientsNow(): StoredMqttClient[] {
    return this.store.db.select().from(mqttClients).all();
  }

  setMqttClientPassword(name: string, passwordHash: string, at: number): Promise<boolean> {
    return answer(() => this.store.db.update(mqttClients).set({ passwordHash, rotatedAt: at, revokedAt: null }).where(eq(mqttClients.name, name)).run().changes > 0);
  }

  revokeMqttClient(name: string, at: number): Promise<boolean> {
    return answer(() => this.revokeMqttClientNow(name, at));
  }

  revokeMqttClientNow(name: string, at: number): boolean {
    return this.store.db.update(mqttClients).set({ revokedAt: at }).where(eq(mqttClients.name, name)).run().changes > 0;
  }
}
