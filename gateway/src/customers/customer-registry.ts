import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { Store } from '../store/db.js';
import { appliances, customers, hubs } from '../store/schema.js';

export type CustomerRow = typeof customers.$inferSelect;
export type ApplianceRow = typeof appliances.$inferSelect;
export type NewCustomer = Omit<typeof customers.$inferInsert, 'customerId' | 'createdAt' | 'phoneTail'> & { customerId?: string | undefined };

const digitsOf = (phone: string): string => phone.replace(/\D/g, '');
/** The indexed part of a number (see the phone_tail column); the migration backfills it the same way. */
const TAIL = 7;
const tailOf = (phone: string): string => digitsOf(phone).slice(-TAIL);
export type NewAppliance = Omit<typeof appliances.$inferInsert, 'createdAt'>;

/** Customers, their contact preferences, and which appliances (and hubs) are theirs. */
export class CustomerRegistry {
  // Prepared once: these run for every alarm that reaches a ticket or a contact.
  private readonly byId;
  private readonly applianceById;

  private readonly touch;
  private readonly hubCustomer;
  private readonly byPhoneTail;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    this.byId = store.db.select().from(customers).where(eq(customers.customerId, sql.placeholder('id'))).prepare();
    this.applianceById = store.db.select().from(appliances).where(and(eq(appliances.hubId, sql.placeholder('hub')), eq(appliances.applianceId, sql.placeholder('id')))).prepare();
    this.touch = store.sqlite.prepare('UPDATE appliances SET last_seen_at = ? WHERE hub_id = ? AND appliance_id = ?');
    this.hubCustomer = store.sqlite.prepare('SELECT customer_id AS customerId FROM hubs WHERE hub_id = ?');
    this.byPhoneTail = store.db.select().from(customers).where(eq(customers.phoneTail, sql.placeholder('tail'))).prepare();
  }

  create(input: NewCustomer): CustomerRow {
    const customerId = input.customerId ?? `cus-${randomBytes(6).toString('hex')}`;
    const r = this.store.db
      .insert(customers)
      .values({ ...input, customerId, phoneTail: tailOf(input.phone), createdAt: this.clock.now() })
      .onConflictDoNothing()
      .run();
    if (r.changes === 0) throw new GatewayError('GW_ERR_CUSTOMER_EXISTS', `customer ${customerId} already exists`);
    return this.require(customerId);
  }

  /** Changes a customer; a new phone number clears the "wrong number" mark, so proactive contact resumes. */
  update(customerId: string, patch: Partial<Omit<NewCustomer, 'customerId'>>): CustomerRow {
    const current = this.require(customerId);
    const corrected = patch.phone !== undefined && patch.phone !== current.phone && patch.phoneInvalidAt === undefined ? { phoneInvalidAt: null } : {};
    const change = { ...patch, ...corrected, ...(patch.phone !== undefined ? { phoneTail: tailOf(patch.phone) } : {}) };
    if (Object.keys(change).length > 0) this.store.db.update(customers).set(change).where(eq(customers.customerId, customerId)).run();
    return this.require(customerId);
  }

  get(customerId: string): CustomerRow | undefined {
    return this.byId.get({ id: customerId });
  }

  require(customerId: string): CustomerRow {
    const c = this.get(customerId);
    if (c === undefined) throw new GatewayError('GW_ERR_CUSTOMER_UNKNOWN', `customer ${customerId} is not registered`);
    return c;
  }

  list(): CustomerRow[] {
    return this.store.db.select().from(customers).all();
  }

  /**
   * Customers whose phone matches, digits compared (callers' numbers arrive in many formats:
   * with or without the country code or trunk zero). Found through the indexed last digits; a
   * fragment shorter than that (an agent typing part of a number) is looked for in every number.
   */
  findByPhone(phone: string): CustomerRow[] {
    const digits = digitsOf(phone);
    if (digits.length < 5) return [];
    const candidates = digits.length >= TAIL ? this.byPhoneTail.all({ tail: tailOf(digits) }) : this.list();
    // Without leading zeros (the trunk prefix of a national number, 00 of an international one), one ends the other.
    const wanted = digits.replace(/^0+/, '');
    return candidates.filter((c) => {
      const d = digitsOf(c.phone).replace(/^0+/, '');
      return d.length >= 5 && (d.endsWith(wanted) || wanted.endsWith(d));
    });
  }

  /** Registers an appliance; linking it to a customer also links its hub when the hub has none. */
  registerAppliance(input: NewAppliance): ApplianceRow {
    if (input.customerId != null) this.require(input.customerId);
    const existing = this.appliance(input.hubId, input.applianceId);
    if (existing !== undefined) {
      this.store.db.update(appliances).set({ ...input }).where(and(eq(appliances.hubId, input.hubId), eq(appliances.applianceId, input.applianceId))).run();
    } else {
      this.store.db.insert(appliances).values({ ...input, createdAt: this.clock.now() }).run();
    }
    if (input.customerId != null) {
      const hub = this.store.db.select({ customerId: hubs.customerId }).from(hubs).where(eq(hubs.hubId, input.hubId)).get();
      if (hub !== undefined && hub.customerId === null) this.store.db.update(hubs).set({ customerId: input.customerId }).where(eq(hubs.hubId, input.hubId)).run();
    }
    const row = this.appliance(input.hubId, input.applianceId);
    if (row === undefined) throw new GatewayError('GW_ERR_STORE', `appliance ${input.hubId}/${input.applianceId} not stored`);
    return row;
  }

  /** An appliance is (hub, appliance id): the id alone is only unique within its hub. */
  appliance(hubId: string, applianceId: string): ApplianceRow | undefined {
    return this.applianceById.get({ hub: hubId, id: applianceId });
  }

  appliancesOfCustomer(customerId: string): ApplianceRow[] {
    return this.store.db.select().from(appliances).where(eq(appliances.customerId, customerId)).all();
  }

  allAppliances(limit = 1000): ApplianceRow[] {
    return this.store.db.select().from(appliances).limit(limit).all();
  }

  appliancesOfHub(hubId: string): ApplianceRow[] {
    return this.store.db.select().from(appliances).where(eq(appliances.hubId, hubId)).all();
  }

  /** The customer of a hub (through the hub record, or any of its appliances). */
  /**
   * Every household (hub) with a customer, and that customer's time zone — linked through the
   * hub, else through one of its appliances, as `customerOfHub` finds it: when its food digest is due.
   */
  householdZones(): { hubId: string; timeZone: string; digestAt: string | undefined }[] {
    const rows = this.store.sqlite
      .prepare(
        `SELECT l.hub_id AS hubId, c.timezone AS timeZone, c.digest_at AS digestAt FROM (
           SELECT hub_id, customer_id FROM hubs WHERE customer_id IS NOT NULL
           UNION ALL
           SELECT hub_id, min(customer_id) FROM appliances WHERE customer_id IS NOT NULL AND hub_id NOT IN (SELECT hub_id FROM hubs WHERE customer_id IS NOT NULL) GROUP BY hub_id
         ) l JOIN customers c ON c.customer_id = l.customer_id ORDER BY l.hub_id`,
      )
      .all() as { hubId: string; timeZone: string; digestAt: string | null }[];
    return rows.map((r) => ({ hubId: r.hubId, timeZone: r.timeZone, digestAt: r.digestAt ?? undefined }));
  }

  customerOfHub(hubId: string): CustomerRow | undefined {
    const hub = this.hubCustomer.get(hubId) as { customerId: string | null } | undefined;
    const customerId = hub?.customerId ?? this.appliancesOfHub(hubId).find((a) => a.customerId !== null)?.customerId ?? null;
    return customerId === null ? undefined : this.get(customerId);
  }

  /**
   * An appliance heard for the first time is registered under its hub (and the hub's
   * customer), so a newly paired appliance is served before anyone types it in.
   */
  seen(hubId: string, applianceId: string, type: string, model: string | undefined, at: number): void {
    if (this.touch.run(at, hubId, applianceId).changes > 0) return;
    const hub = this.hubCustomer.get(hubId) as { customerId: string | null } | undefined;
    this.store.db
      .insert(appliances)
      .values({ applianceId, hubId, customerId: hub?.customerId ?? null, type, model: model ?? null, createdAt: at, lastSeenAt: at })
      .onConflictDoNothing()
      .run();
  }
}
