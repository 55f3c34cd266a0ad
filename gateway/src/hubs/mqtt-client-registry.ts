import { isValidHubId } from '@forecare/firmware-contracts';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { HubStore, StoredMqttClient } from '../store/ports/hubs.js';
import type { HubStoreNow } from '../store/sqlite/hub-store.js';
import { generatePassword, hashPassword, VerifiedPasswords } from './credentials.js';

/**
 * Roles of MQTT accounts that are not hubs. Both are read-only on the broker: only hubs
 * publish (under their own prefix) and only the gateway publishes notices and `$SYS`.
 * - `service`: an integration (Node-RED, a data lake, a CRM bridge) — subscribes to the
 *   fleet's topics under `forecare/v1/`.
 * - `admin`: an operator — subscribes to anything, `$SYS/#` included.
 */
export const MQTT_CLIENT_ROLES = ['service', 'admin'] as const;
export type MqttClientRole = (typeof MQTT_CLIENT_ROLES)[number];

export interface MqttClientCredentials {
  readonly name: string;
  readonly role: MqttClientRole;
  readonly username: string;
  readonly password: string;
}

export interface MqttClientRecord {
  readonly name: string;
  readonly role: MqttClientRole;
  readonly username: string;
  readonly createdAt: number;
  readonly rotatedAt: number | null;
  readonly revokedAt: number | null;
}

/**
 * The username of an account: `{role}:{name}`. A colon never occurs in a hub id, so the two
 * kinds of username cannot collide, and the role is visible in every log line.
 */
export function mqttClientUsername(role: MqttClientRole, name: string): string {
  return `${role}:${name}`;
}

/** `{role}:{name}` → its parts, or undefined when the username is not of that form. */
export function parseMqttClientUsername(username: string): { role: MqttClientRole; name: string } | undefined {
  const colon = username.indexOf(':');
  if (colon < 0) return undefined;
  const role = MQTT_CLIENT_ROLES.find((r) => r.length === colon && username.startsWith(r));
  return role === undefined ? undefined : { role, name: username.slice(colon + 1) };
}

function isRole(role: string): role is MqttClientRole {
  return (MQTT_CLIENT_ROLES as readonly string[]).includes(role);
}

function recordOf(row: StoredMqttClient): MqttClientRecord {
  const role = isRole(row.role) ? row.role : 'service';
  return { name: row.name, role, username: mqttClientUsername(role, row.name), createdAt: row.createdAt, rotatedAt: row.rotatedAt, revokedAt: row.revokedAt };
}

/** Service and admin MQTT accounts; passwords are returned once and stored as salted scrypt hashes, like hubs'. */
export class MqttClientRegistry {
  constructor(
    private readonly accounts: HubStore & HubStoreNow,
    private readonly clock: Clock,
    private readonly passwords = new VerifiedPasswords(10_000),
  ) {}

  async provision(request: { name: string; role: MqttClientRole }): Promise<MqttClientCredentials> {
    const { name, role } = request;
    if (!isValidHubId(name)) throw new GatewayError('GW_ERR_VALIDATION', `MQTT client name "${name}" must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}`);
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    if (!(await this.accounts.addMqttClient({ name, role, passwordHash, createdAt: this.clock.now() }))) throw new GatewayError('GW_ERR_MQTT_CLIENT_EXISTS', `MQTT client ${name} is already provisioned`);
    return { name, role, username: mqttClientUsername(role, name), password };
  }

  /** New password; the old one stops working at once (a revoked account is reinstated). */
  async rotate(name: string): Promise<MqttClientCredentials> {
    const current = this.require(name);
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    if (!(await this.accounts.setMqttClientPassword(name, passwordHash, this.clock.now()))) throw new GatewayError('GW_ERR_MQTT_CLIENT_UNKNOWN', `MQTT client ${name} is not provisioned`);
    return { name, role: current.role, username: current.username, password };
  }

  // revoke, get, require and list answer at once: the API's routes and the CLI call them without awaiting (see HubStoreNow).
  revoke(name: string): MqttClientRecord {
    const current = this.require(name);
    this.accounts.revokeMqttClientNow(name, this.clock.now());
    return current;
  }

  get(name: string): MqttClientRecord | undefined {
    const row = this.accounts.mqttClientNow(name);
    return row === undefined ? undefined : recordOf(row);
  }

  require(name: string): MqttClientRecord {
    const record = this.get(name);
    if (record === undefined) throw new GatewayError('GW_ERR_MQTT_CLIENT_UNKNOWN', `MQTT client ${name} is not provisioned`);
    return record;
  }

  list(): MqttClientRecord[] {
    return this.accounts.mqttClientsNow().map(recordOf);
  }

  /**
   * The account's role when `username` (`{role}:{name}`) and password match an unrevoked
   * account. Any other username costs a scrypt check too, so timing does not tell which exist.
   */
  async verify(username: string, password: string): Promise<MqttClientRole | undefined> {
    const parsed = parseMqttClientUsername(username);
    const current = async (): Promise<{ role: MqttClientRole; hash: string } | undefined> => {
      const row = parsed === undefined ? undefined : await this.accounts.mqttClient(parsed.name);
      return row !== undefined && row.revokedAt === null && row.role === parsed?.role && isRole(row.role) ? { role: row.role, hash: row.passwordHash } : undefined;
    };
    const before = await current();
    const ok = await this.passwords.check(password, before?.hash);
    // Read again after the check: a revoke or rotation while scrypt ran wins.
    return ok && (await current())?.hash === before?.hash ? before?.role : undefined;
  }
}
