import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { isValidHubId } from '@forecare/firmware-contracts';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { Store } from '../store/db.js';
import { hubs } from '../store/schema.js';
import { generatePassword, hashPassword, verifyPassword } from './credentials.js';

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
  /** stored hash → MAC of the password that matched it (rotation changes the hash, so entries expire by themselves). */
  private readonly verified = new Map<string, Buffer>();
  private readonly cacheKey = randomBytes(32);

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
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

  /** true only for a provisioned, unrevoked hub with the right password. */
  async verify(hubId: string, password: string): Promise<boolean> {
    const row = this.store.db.select({ passwordHash: hubs.passwordHash, revokedAt: hubs.revokedAt }).from(hubs).where(eq(hubs.hubId, hubId)).get();
    if (row === undefined || row.revokedAt !== null) return false;
    // A reconnect storm (every hub back after an outage) must not cost one scrypt each: a
    // password already verified against this exact stored hash is recognised by a keyed MAC.
    const mac = createHmac('sha256', this.cacheKey).update(password).digest();
    const known = this.verified.get(row.passwordHash);
    if (known !== undefined && known.length === mac.length && timingSafeEqual(known, mac)) return true;
    const ok = await verifyPassword(password, row.passwordHash);
    if (ok) {
      if (this.verified.size >= 200_000) this.verified.delete(this.verified.keys().next().value ?? '');
      this.verified.set(row.passwordHash, mac);
    }
    return ok;
  }
}
