import type { UplinkMessage } from '@forecare/firmware-contracts';
import { GatewayError } from '../errors.js';
import { JOURNAL_KINDS } from './journal-db.js';
import type { JournalRecord, UnreadableRow } from './ports/journal.js';

/** A journal row as a store keeps it (SQLite's columns; a PostgreSQL table would have the same). */
export interface StoredJournalRow {
  readonly pos: number;
  readonly received_at: number;
  readonly hub_id: string;
  readonly appliance_id: string | null;
  readonly kind: string;
  readonly payload: Buffer | string;
}

const KINDS: ReadonlySet<string> = new Set(JOURNAL_KINDS);
const APPLIANCE_KINDS: ReadonlySet<string> = new Set(['telemetry', 'fault', 'inventory']);

/**
 * The one place a stored journal row becomes a message again. Rows were validated before they
 * were written, so this checks only what a damaged row would break downstream (a known kind,
 * a JSON object with a device time, an appliance where the kind has one) rather than the
 * whole schema again: a replay parses thousands of rows a second. Answers undefined for a row
 * it cannot read, after telling `unreadable` why.
 */
export function decodeJournalRow(row: StoredJournalRow, unreadable: (row: UnreadableRow) => void): JournalRecord | undefined {
  const raw = typeof row.payload === 'string' ? Buffer.from(row.payload) : row.payload;
  let payload: unknown;
  let reason: string | undefined;
  if (!KINDS.has(row.kind)) reason = `unknown kind ${JSON.stringify(row.kind)}`;
  else if (APPLIANCE_KINDS.has(row.kind) && row.appliance_id === null) reason = `a ${row.kind} row without an appliance`;
  else {
    try {
      payload = JSON.parse(raw.toString());
    } catch (err) {
      reason = `payload is not JSON: ${(err as Error).message}`;
    }
    if (reason === undefined && (typeof payload !== 'object' || payload === null || typeof (payload as { ts?: unknown }).ts !== 'number')) reason = 'payload is not a message (no device time)';
  }
  if (reason !== undefined) {
    unreadable({ pos: row.pos, hubId: row.hub_id, kind: row.kind, payload: raw, error: new GatewayError('GW_ERR_JOURNAL_ROW_UNREADABLE', `journal row ${row.pos}: ${reason}`) });
    return undefined;
  }
  const message = { kind: row.kind, hubId: row.hub_id, ...(row.appliance_id !== null ? { applianceId: row.appliance_id } : {}), payload } as UplinkMessage;
  return { pos: row.pos, receivedAt: row.received_at, message, raw };
}
