import { randomBytes } from 'node:crypto';
import { isValidHubId } from '@forecare/firmware-contracts';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { HubStore, StoredHub } from '../store/ports/hubs.js';
import type { HubStoreNow } from '../store/sqlite/hub-store.js';
import { generatePassword, hashPassword, VerifiedPasswords } from './credentials.js';

export interface HubCredentials {
  readonly hubId: string;
  readonly username: string;
  readonly password: string;
}

export interface HubRecord {
  readonly hubId: string;
  readonly customerId: string | null;
  readonly createdAt: number;
  readonly rotatedAt: number | null;
  readonly revokedAt: number | null;
  readonly lastSeenAt: number | null;
}

const recordOf = ({ passwordHash: _hash, ...rest }: StoredHub): HubRecord => rest;

/** Provisioned hubs and their credentials. The username of a hub is its hub id. */
export class HubRegistry {
  constructor(
    private readonly hubs: HubStore & HubStoreNow,
    private readonly clock: Clock,
    private readonly passwords = new VerifiedPasswords(),
  ) {}

  /** Creates a hub and returns its password once; only a salted scrypt hash is stored. */
  async provision(request: { hubId?: string | undefined; customerId?: string | undefined }): Promise<HubCredentials> {
    const hubId = request.hubId ?? `hub-${randomBytes(6).toString('hex')}`;
    if (!isValidHubId(hubId)) throw new GatewayError('GW_ERR_HUB_ID_INVALID', `hub id "${hubId}" must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}`);
    if ((await this.hubs.hub(hubId)) !== undefined) throw new GatewayError('GW_ERR_HUB_EXISTS', `hub ${hubId} is already provisioned`);
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    // Checked again by the store after the await: two concurrent requests for one id must not both succeed.
    const added = await this.hubs.addHub({ hubId, passwordHash, customerId: request.customerId ?? null, createdAt: this.clock.now() });
    if (!added) throw new GatewayError('GW_ERR_HUB_EXISTS', `hub ${hubId} is already provisioned`);
    return { hubId, username: hubId, password };
  }

  /** New password; the old one stops working at once. */
  async rotate(hubId: string): Promise<HubCredentials> {
    if ((await this.hubs.hub(hubId)) === undefined) throw new GatewayError('GW_ERR_HUB_UNKNOWN', `hub ${hubId} is not provisioned`);
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    if (!(await this.hubs.setHubPassword(hubId, passwordHash, this.clock.now()))) throw new GatewayError('GW_ERR_HUB_UNKNOWN', `hub ${hubId} is not provisioned`);
    return { hubId, username: hubId, password };
  }

  // revoke, get and list answer at once: the API's routes and the CLI call them without awaiting (see HubStoreNow).
  revoke(hubId: string): void {
    if (!this.hubs.revokeHubNow(hubId, this.clock.now())) throw new GatewayError('GW_ERR_HUB_UNKNOWN', `hub ${hubId} is not provisioned`);
  }

  get(hubId: string): HubRecord | undefined {
    const row = this.hubs.hubNow(hubId);
    return row === undefined ? undefined : recordOf(row);
  }

  list(): HubRecord[] {
    return this.hubs.hubsNow().map(recordOf);
  }

  setCustomer(hubId: string, customerId: string): Promise<void> {
    return this.hubs.setHubCustomer(hubId, customerId);
  }

  /** true only for a provisioned, unrevoked hub with the right password; any other id costs a scrypt check too. */
  async verify(hubId: string, password: string): Promise<boolean> {
    const hashNow = async (): Promise<string | undefined> => {
      const row = await this.hubs.hub(hubId);
      return row?.revokedAt === null ? row.passwordHash : undefined;
    };
    const hash = await hashNow();
    const ok = await this.passwords.check(password, hash);
    // Read again after the check: a revoke or rotation while scrypt ran wins.
    return ok && (await hashNow()) === hash;
  }
}
