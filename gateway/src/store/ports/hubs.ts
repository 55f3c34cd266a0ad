/**
 * Hubs and the other MQTT accounts (service, admin) as a port: who may connect, with which
 * password hash, since when revoked, when last heard from. Passwords never reach a store,
 * only their salted scrypt hashes (hubs/credentials.ts).
 */

export interface StoredHub {
  readonly hubId: string;
  readonly passwordHash: string;
  readonly customerId: string | null;
  readonly createdAt: number;
  readonly rotatedAt: number | null;
  readonly revokedAt: number | null;
  readonly lastSeenAt: number | null;
}

export interface StoredMqttClient {
  readonly name: string;
  /** As stored; the registry reads an unknown role as the least one. */
  readonly role: string;
  readonly passwordHash: string;
  readonly createdAt: number;
  readonly rotatedAt: number | null;
  readonly revokedAt: number | null;
}

export interface HubStore {
  /** Adds a hub; false when its id is taken (two provisions at once: one wins, nothing is overwritten). */
  addHub(hub: { readonly hubId: string; readonly passwordHash: string; readonly customerId: string | null; readonly createdAt: number }): Promise<boolean>;
  hub(hubId: string): Promise<StoredHub | undefined>;
  hubs(): Promise<StoredHub[]>;
  /** A new password hash, taking effect at once; a revoked hub is reinstated. False for an unknown hub. */
  setHubPassword(hubId: string, passwordHash: string, at: number): Promise<boolean>;
  /** False for an unknown hub. */
  revokeHub(hubId: string, at: number): Promise<boolean>;
  setHubCustomer(hubId: string, customerId: string): Promise<void>;
  /** Moves the hub's last-seen time forward to `at` (never back: a replay of old entries leaves it). */
  markHubSeen(hubId: string, at: number): Promise<void>;

  /** Adds an account; false when its name is taken. */
  addMqttClient(client: { readonly name: string; readonly role: string; readonly passwordHash: string; readonly createdAt: number }): Promise<boolean>;
  mqttClient(name: string): Promise<StoredMqttClient | undefined>;
  mqttClients(): Promise<StoredMqttClient[]>;
  /** As setHubPassword, for an account. */
  setMqttClientPassword(name: string, passwordHash: string, at: number): Promise<boolean>;
  revokeMqttClient(name: string, at: number): Promise<boolean>;
}
