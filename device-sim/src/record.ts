/**
 * Recordings: what the hubs sent, one message a line — `{"topic", "payload", "at"}`, the
 * payload as the JSON text the hub published, `at` the time it went on the wire (the
 * gateway's receive time, in a simulation). The input `forecare rules backtest` reads, the
 * same a capture of real hubs gives. Beside it, the customers of the simulated households
 * (for contact decisions) as the backtest's `--customers` takes them.
 */
import type { ApplianceType } from '@forecare/firmware-contracts';
import type { SimAppliance } from './hub.js';

/** One recording line. */
export function recordingLine(topic: string, payload: string, at: number): string {
  return JSON.stringify({ topic, payload, at });
}

/** A simulated household's customer, with its appliances (the backtest's `--customers` format, the fields of POST /api/v1/customers). */
export interface SimCustomer {
  readonly customerId: string;
  readonly name: string;
  readonly phone: string;
  readonly timezone: string;
  readonly dailyCap: number;
  /** The household's hub (provisioned for the customer). */
  readonly hubs: readonly string[];
  readonly appliances: readonly { readonly hubId: string; readonly applianceId: string; readonly type: ApplianceType; readonly model?: string | undefined }[];
}

/** The customer of hub `hubId` (number `index`): reachable, in its own time zone, with room for a few contacts a day. */
export function simCustomer(hubId: string, index: number, timezone: string, appliances: readonly SimAppliance[], models?: Readonly<Partial<Record<ApplianceType, string>>>): SimCustomer {
  return {
    customerId: `cust-${hubId}`,
    name: `Household ${hubId}`,
    phone: `+4930${String(1_000_000 + index).padStart(7, '0')}`,
    timezone,
    dailyCap: 10,
    hubs: [hubId],
    appliances: appliances.map((a) => ({ hubId, applianceId: a.id, type: a.type, ...(models?.[a.type] !== undefined ? { model: models[a.type] } : {}) })),
  };
}
