import { airConditioner } from './air-conditioner.js';
import { dishwasher } from './dishwasher.js';
import { dryer } from './dryer.js';
import { oven } from './oven.js';
import { refrigerator } from './refrigerator.js';
import { washer } from './washer.js';
import { waterHeater } from './water-heater.js';
import type { ApplianceType, ApplianceTypeSpec, FaultSpec, MetricSpec, StateSpec } from './types.js';

export * from './types.js';
export * from './food.js';

/** Every appliance type the contract knows, keyed by type. */
export const applianceCatalog: Readonly<Record<ApplianceType, ApplianceTypeSpec>> = {
  refrigerator,
  washer,
  dryer,
  dishwasher,
  air_conditioner: airConditioner,
  water_heater: waterHeater,
  oven,
};

// Lookups are keyed by strings that come off the wire: `Object.hasOwn` keeps `__proto__`,
// `constructor` and friends from resolving to Object.prototype members.
export function applianceSpec(type: string): ApplianceTypeSpec | undefined {
  return Object.hasOwn(applianceCatalog, type) ? applianceCatalog[type as ApplianceType] : undefined;
}

export function lookupFault(type: string, code: string): FaultSpec | undefined {
  return applianceSpec(type)?.faults.find((f) => f.code === code);
}

export function lookupMetric(type: string, name: string): MetricSpec | undefined {
  return applianceSpec(type)?.metrics.find((m) => m.name === name);
}

export function lookupState(type: string, name: string): StateSpec | undefined {
  return applianceSpec(type)?.states.find((s) => s.name === name);
}
