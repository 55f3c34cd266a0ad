/** Shared shapes of the device knowledge. The data itself lives one file per appliance type. */

export const APPLIANCE_TYPES = [
  'refrigerator',
  'washer',
  'dryer',
  'dishwasher',
  'air_conditioner',
  'water_heater',
  'oven',
] as const;
export type ApplianceType = (typeof APPLIANCE_TYPES)[number];

export type Severity = 'info' | 'warning' | 'critical' | 'safety';

export interface LocalizedText {
  readonly en: string;
  readonly zh: string;
}

export interface MetricSpec {
  readonly name: string;
  readonly unit: string;
  readonly type: 'number' | 'integer' | 'boolean';
  /** Values outside are rejected as physically impossible. */
  readonly valid: readonly [number, number];
  /** Where a healthy appliance spends its time; used by the simulator and as hints for rules. */
  readonly typical: readonly [number, number];
  readonly description: string;
}

export interface StateSpec {
  readonly name: string;
  /** Allowed values, or 'boolean'. */
  readonly values: readonly string[] | 'boolean';
  readonly description: string;
}

export interface FaultSpec {
  readonly code: string;
  /** Groups codes that one repair fixes: tickets are deduplicated per appliance and fault class. */
  readonly faultClass: string;
  readonly meaning: string;
  readonly severity: Severity;
  readonly needsVisit: boolean;
  /** The spare part most likely needed, or null when no part is expected. */
  readonly likelyPart: string | null;
  readonly customerText: LocalizedText;
}

export interface ApplianceTypeSpec {
  readonly type: ApplianceType;
  readonly displayName: LocalizedText;
  readonly metrics: readonly MetricSpec[];
  readonly states: readonly StateSpec[];
  readonly faults: readonly FaultSpec[];
}
