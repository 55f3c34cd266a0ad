import { lookupFault } from '@forecare/firmware-contracts';
import type Database from 'better-sqlite3';
import type { FleetEntry, HistoryEvent } from '../forecast/series.js';
import type { Store } from '../store/db.js';

/**
 * The forecast's read of the history the gateway keeps — tickets, contact tasks and their
 * outcomes, appliances with their customers — and the only SQL of the forecast. Read-only:
 * the tables belong to the ticket service, the outbox and the customer registry.
 */

interface TicketRow { at: number; region: string; type: string; code: string | null; language: string; channel: string }
interface ContactRow { at: number; outcome: string | null; outcome_at: number | null; channel: string; region: string; type: string; language: string }
interface FleetRow { at: number; region: string; type: string; n: number }

/** Contact tasks the policy suppressed never reached anyone. */
const NOT_CONTACTED = 'suppressed';

export class ForecastHistoryStore {
  private readonly tickets: Database.Statement<[number]>;
  private readonly contacts: Database.Statement<[number, number]>;
  private readonly fleetRows: Database.Statement<[]>;
  private readonly regionRows: Database.Statement<[]>;

  constructor(store: Store) {
    const db = store.sqlite;
    // A ticket's region is its own when set, else its customer's; an appliance's customer is its own or its hub's.
    this.tickets = db.prepare(`
      SELECT t.opened_at AS at, COALESCE(NULLIF(t.region, ''), c.region, '') AS region, COALESCE(a.type, '') AS type, t.fault_code AS code,
             COALESCE(c.language, '') AS language, COALESCE(c.channel, '') AS channel
      FROM tickets t
      LEFT JOIN appliances a ON a.hub_id = t.hub_id AND a.appliance_id = t.appliance_id
      LEFT JOIN customers c ON c.customer_id = t.customer_id
      WHERE t.opened_at >= ?`);
    this.contacts = db.prepare(`
      SELECT o.created_at AS at, o.outcome, o.outcome_at, o.channel, COALESCE(c.region, '') AS region, COALESCE(a.type, '') AS type, COALESCE(c.language, '') AS language
      FROM outbox o
      LEFT JOIN customers c ON c.customer_id = o.customer_id
      LEFT JOIN appliances a ON a.hub_id = o.hub_id AND a.appliance_id = o.appliance_id
      WHERE (o.created_at >= ? OR o.outcome_at >= ?) AND o.status != '${NOT_CONTACTED}'`);
    // Registrations grouped by the hour: the fleet's size over time without a row per appliance.
    this.fleetRows = db.prepare(`
      SELECT (a.created_at / 3600000) * 3600000 AS at, COALESCE(c.region, '') AS region, a.type AS type, COUNT(*) AS n
      FROM appliances a
      LEFT JOIN hubs h ON h.hub_id = a.hub_id
      LEFT JOIN customers c ON c.customer_id = COALESCE(a.customer_id, h.customer_id)
      GROUP BY 1, 2, 3`);
    this.regionRows = db.prepare("SELECT DISTINCT region FROM customers WHERE region != '' ORDER BY region");
  }

  /** Every event since `sinceMs` (epoch ms) and the whole fleet's registrations. */
  read(sinceMs: number): { events: HistoryEvent[]; fleet: FleetEntry[] } {
    const events: HistoryEvent[] = [];
    for (const t of this.tickets.all(sinceMs) as TicketRow[]) {
      const base = { region: t.region, applianceType: t.type, language: t.language, channel: t.channel };
      events.push({ at: t.at, metric: 'tickets', ...base });
      // Visits needed: the fault catalog says which faults need a technician.
      if (t.code !== null && lookupFault(t.type, t.code)?.needsVisit === true) events.push({ at: t.at, metric: 'visits', ...base });
    }
    for (const c of this.contacts.all(sinceMs, sinceMs) as ContactRow[]) {
      const base = { region: c.region, applianceType: c.type, language: c.language, channel: c.channel };
      if (c.at >= sinceMs) events.push({ at: c.at, metric: 'contacts', ...base });
      // A contact that ended unanswered is a customer who calls back: an inbound call.
      if (c.outcome === 'no-answer' && c.outcome_at !== null && c.outcome_at >= sinceMs) events.push({ at: c.outcome_at, metric: 'inbound_calls', ...base });
    }
    const fleet = (this.fleetRows.all() as FleetRow[]).map((f) => ({ registeredAt: f.at, region: f.region, applianceType: f.type, count: f.n }));
    return { events, fleet };
  }

  /** The regions customers live in: weather for any other region is refused. */
  regions(): string[] {
    return (this.regionRows.all() as { region: string }[]).map((r) => r.region);
  }
}
