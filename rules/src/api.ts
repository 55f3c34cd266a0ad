/**
 * The engine's public contract with the gateway. The gateway feeds it events and time;
 * the engine answers with alarm events. It never reads a clock and never does I/O.
 *
 * Times are epoch milliseconds. `at` on an input is the server time the gateway received
 * it (the engine's time base); `deviceTs` is the hub's own clock, kept for the record.
 */
import type { ApplianceType, FoodItem, Severity } from '@forecare/firmware-contracts';

/** What every message from an appliance carries. */
interface FromAppliance {
  readonly hubId: string;
  readonly applianceId: string;
  readonly applianceType: ApplianceType;
  readonly seq: number;
  readonly deviceTs: number;
  readonly at: number;
}

export type EngineInput =
  | (FromAppliance & {
      readonly kind: 'telemetry';
      readonly metrics: Readonly<Record<string, number | boolean>>;
      readonly state?: Readonly<Record<string, string | boolean>> | undefined;
    })
  | (FromAppliance & {
      readonly kind: 'fault';
      readonly code: string;
      readonly active: boolean;
    })
  | (FromAppliance & {
      readonly kind: 'inventory';
      readonly items: readonly FoodItem[];
    })
  | {
      readonly kind: 'heartbeat';
      readonly hubId: string;
      readonly seq: number;
      readonly deviceTs: number;
      readonly at: number;
      readonly appliances?: readonly string[] | undefined;
    }
  | {
      readonly kind: 'status';
      readonly hubId: string;
      readonly state: 'online' | 'offline';
      readonly at: number;
    }
  /**
   * A household's settings, from the service side (not from the hub: it does not make the hub
   * alive): the IANA time zone and local `HH:MM` its food digest is judged at. Absent or
   * unknown values fall back to the food rule's `timeZone` / `digestAt` params.
   */
  | {
      readonly kind: 'household';
      readonly hubId: string;
      readonly timeZone?: string | undefined;
      readonly digestAt?: string | undefined;
      readonly at: number;
    };

/** What a rule's alarm asks the service to do. */
export type RaiseTarget = 'ticket' | 'notification' | 'fleet';

export type AlarmTransition = 'raised' | 'updated' | 'acknowledged' | 'cleared' | 'escalated';

export interface AlarmEvent {
  readonly transition: AlarmTransition;
  /**
   * `${hubId}/${applianceId}|${ruleId}|${key}` for an appliance's alarm, `${hubId}|${ruleId}|${key}`
   * for a hub's or a household's (hub offline, food digest) — one alarm per (subject, rule, key).
   */
  readonly alarmKey: string;
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly hubId: string;
  /** Absent for hub-level alarms (hub offline). */
  readonly applianceId?: string | undefined;
  readonly applianceType?: ApplianceType | undefined;
  /** Rule-specific key inside (subject, rule): the fault code, the metric name, the day of a food digest… */
  readonly key: string;
  readonly severity: Severity;
  readonly raises: readonly RaiseTarget[];
  readonly title: string;
  readonly at: number;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Escalation level, 0 when first raised. */
  readonly level: number;
  /** Fault facts for fault-code rules. */
  readonly fault?: { readonly code: string; readonly faultClass: string } | undefined;
  /** Food digest: the items this event tells the household about (expiring soon or expired), each told once. */
  readonly items?: readonly { readonly itemId: string; readonly name: string; readonly expiresAt: number; readonly expired: boolean }[] | undefined;
  /** Free facts for the ticket / notification (metric value, slope, silent since…). */
  readonly facts?: Readonly<Record<string, string | number | boolean>> | undefined;
  /** On a `cleared` event: `manual` when a person cleared it (the condition may still hold), absent when the condition ended. */
  readonly reason?: 'manual' | undefined;
  /** Who cleared it by hand. */
  readonly by?: string | undefined;
}

export interface AlarmState {
  readonly alarmKey: string;
  readonly ruleId: string;
  readonly hubId: string;
  readonly applianceId?: string | undefined;
  readonly key: string;
  readonly status: 'raised' | 'acknowledged' | 'cleared';
  readonly severity: Severity;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly level: number;
}
