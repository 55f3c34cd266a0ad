import type { CustomerRegistry } from '../customers/customer-registry.js';

/** How often the customers' households (time zones, digest hours) are read again for the food digests. */
const HOUSEHOLD_SYNC_MS = 300_000;

type Household = ReturnType<CustomerRegistry['householdZones']>[number];

const settingsOf = (h: Household): string => `${h.timeZone} ${h.digestAt ?? ''}`;

/**
 * The households' settings (time zone and digest hour: when each food digest is due) the
 * engine was last told. Customers change through the API, not through the hubs, so they are
 * read again every HOUSEHOLD_SYNC_MS and only the changed ones are handed over.
 */
export class HouseholdZones {
  /** The settings the engine was last given, by hub. */
  private readonly told = new Map<string, string>();
  private syncedAt = -Infinity;

  constructor(private readonly customers: CustomerRegistry) {}

  /** Whether they should be read again at `now` (a clock step back counts as due). */
  due(now: number): boolean {
    return now - this.syncedAt >= HOUSEHOLD_SYNC_MS || now < this.syncedAt;
  }

  /** The households whose settings differ from what the engine was told; read at `now`. */
  changed(now: number): Household[] {
    this.syncedAt = now;
    return this.customers.householdZones().filter((h) => this.told.get(h.hubId) !== settingsOf(h));
  }

  /** The engine has these now. */
  tell(households: readonly Household[]): void {
    for (const h of households) this.told.set(h.hubId, settingsOf(h));
  }

  /** A rebuilt engine is told every household again (unchanged ones change nothing). */
  forget(): void {
    this.told.clear();
  }
}
