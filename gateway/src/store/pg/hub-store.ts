import { and, asc, eq, isNull, lt, or } from 'drizzle-orm';
import type { HubStore, StoredHub, StoredMqttClient } from '../ports/hubs.js';
import type { PgStore } from './pg-store.js';
import { hubs, mqttClients } from './schema.js';

/**
 * Hubs and MQTT accounts on PostgreSQL, shared by every node. Ids are primary keys, so two
 * nodes provisioning the same hub at once meet in PostgreSQL: one insert wins, the other
 * inserts nothing and answers false. Lists come in id order, the same on every node.
 */
export class PgHubStore implements HubStore {
  constructor(private readonly store: PgStore) {}

  private get db() {
    return this.store.db;
  }

  async addHub(hub: { hubId: string; passwordHash: string; customerId: string | null; createdAt: number }): Promise<boolean> {
    return (await this.db.insert(hubs).values(hub).onConflictDoNothing().returning({ hubId: hubs.hubId })).length > 0;
  }

  async hub(hubId: string): Promise<StoredHub | undefined> {
    return (await this.db.select().from(hubs).where(eq(hubs.hubId, hubId)))[0];
  }

  hubs(): Promise<StoredHub[]> {
    return this.db.select().from(hubs).orderBy(asc(hubs.hubId));
  }

  async setHubPassword(hubId: string, passwordHash: string, at: number): Promise<boolean> {
    return (await this.db.update(hubs).set({ passwordHash, rotatedAt: at, revokedAt: null }).where(eq(hubs.hubId, hubId)).returning({ hubId: hubs.hubId })).length > 0;
  }

  async revokeHub(hubId: string, at: number): Promise<boolean> {
    return (await this.db.update(hubs).set({ revokedAt: at }).where(eq(hubs.hubId, hubId)).returning({ hubId: hubs.hubId })).length > 0;
  }

  async setHubCustomer(hubId: string, customerId: string): Promise<void> {
    await this.db.update(hubs).set({ customerId }).where(eq(hubs.hubId, hubId));
  }

  async markHubSeen(hubId: string, at: number): Promise<void> {
    // Only forward: PostgreSQL re-checks the condition on the row a concurrent update left, so of two nodes marking at once the later time stays.
    await this.db
      .update(hubs)
      .set({ lastSeenAt: at })
      .where(and(eq(hubs.hubId, hubId), or(isNull(hubs.lastSeenAt), lt(hubs.lastSeenAt, at))));
  }

  async addMqttClient(client: { name: string; role: string; passwordHash: string; createdAt: number }): Promise<boolean> {
    return (await this.db.insert(mqttClients).values(client).onConflictDoNothing().returning({ name: mqttClients.name })).length > 0;
  }

  async mqttClient(name: string): Promise<StoredMqttClient | undefined> {
    return (await this.db.select().from(mqttClients).where(eq(mqttClients.name, name)))[0];
  }

  mqttClients(): Promise<StoredMqttClient[]> {
    return this.db.select().from(mqttClients).orderBy(asc(mqttClients.name));
  }

  async setMqttClientPassword(name: string, passwordHash: string, at: number): Promise<boolean> {
    return (await this.db.update(mqttClients).set({ passwordHash, rotatedAt: at, revokedAt: null }).where(eq(mqttClients.name, name)).returning({ name: mqttClients.name })).length > 0;
  }

  async revokeMqttClient(name: string, at: number): Promise<boolean> {
    return (await this.db.update(mqttClients).set({ revokedAt: at }).where(eq(mqttClients.name, name)).returning({ name: mqttClients.name })).length > 0;
  }
}
