import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { isValidHubId } from '@forecare/firmware-contracts';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { Store } from '../store/db.js';
import { hubs } from '../store/schema.js';
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

/** Provisioned hubs and their credentials. The username of a hub is its hub id. */
export class HubRegistry {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly passwords = new VerifiedPasswords(),
  ) {}

  /** Creates a hub and returns its password once; only a salted scrypt hash is stored. */
  async provision(request: { hubId?: string | undefined; customerId?: string | undefined }): Promise<HubCredentials> {
    const hubId = request.hubId ?? `hub-${randomBytes(6).toString('hex')}`;
    if (!isValidHubId(hubId)) throw new GatewayError('GW_ERR_HUB_ID_INVALID', `hub id "${hubId}" must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}`);
    if (this.get(hubId) !== undefined) throw new GatewayError('GW_ERR_HUB_EXISTS', `hub ${hubId} is already provisioned`);
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    // Checked again after the await: two concurrent requests for one id must not both succeed.
    const inserted = this.store.db
      .insert(hubs)
      .values({ hubId, passwordHash, customerId: request.customerId ?? null, createdAt: this.clock.now() })
      .onConflictDoNothing()
      .run();
    if (inserted.changes === 0) throw new GatewayError('GW_ERR_HUB_EXISTS', `hub ${hubId} is already provisioned`);
    return { hubId, username: hubId, password };
  }

  /** New password; the old one stops working at once. */
  async rotate(hubId: string): Promise<HubCredentials> {
    if (this.get(hubId) === undefined) throw new GatewayError('GW_ERR_HUB_UNKNOWN', `hub ${hubId} is not provisioned`);
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    this.store.db.update(hubs).set({ passwordHash, rotatedAt: this.clock.now(), revokedAt: null }).where(eq(hubs.hubId, hubId)).run();
    return { hubId, username: hubId, password };
  }

  revoke(hubId: string): void {
    const r = this.store.db.update(hubs).set({ revokedAt: this.clock.now() }).where(eq(hubs.hubId, hubId)).run();
    if (r.changes === 0) throw new GatewayError('GW_ERR_HUB_UNKNOWN', `hub ${hubId} is not provisioned`);
  }

  get(hubId: string): HubRecord | undefined {
    const row = this.store.db.select().from(hubs).where(eq(hubs.hubId, hubId)).get();
    if (row === undefined) return undefined;
    const { passwordHash: _hash, ...rest } = row;
    return rest;
  }

  list(): HubRecord[] {
    return this.store.db.select().from(hubs).all().map(({ passwordHash: _hash, ...rest }) => rest);
  }

  setCustomer(hubId: string, customerId: string): void {
    this.store.db.update(hubs).set({ customerId }).where(eq(hubs.hubId, hubId)).run();
  }

  /** true only for a provisioned, unrevoked hub with the right password; any other id costs a scrypt check too. */
  async verify(hubId: string, password: string): Promise<boolean> {
    const hashNow = (): string | undefined => {
      const row = this.store.db.select({ passwordHash: hubs.passwordHash, revokedAt: hubs.revokedAt }).from(hubs).where(eq(hubs.hubId, hubId)).get();
      return row?.revokedAt === null ? row.passwordHash : undefined;
    };
    const hash = hashNow();
    const ok = await this.passwords.check(password, hash);
    // Read again after the check: a revoke or rotation while scrypt ran wins.
    return ok && hashNow() === hash;
  }
}
