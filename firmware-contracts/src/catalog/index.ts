import { refrigerator } from './refrigerator.js';
import { washer } from './washer.js';
import type { ApplianceType, ApplianceTypeSpec, FaultSpec, MetricSpec } from './types.js';

export * from './types.js';
export * from './food.js';

/** Every appliance type the contract knows, keyed by type. */
export const applianceCatalog: Partial<Record<ApplianceType, ApplianceTypeSpec>> = {
  refrigerator,
  washer,
};

export function applianceSpec(type: string): ApplianceTypeSpec | undefined {
  return (applianceCatalog as Record<string, ApplianceTypeSpec | undefined>)[type];
}

export function lookupFault(type: string, code: string): FaultSpec | undefined {
  return applianceSpec(type)?.faults.find((f) => f.code === code);
}

export function lookupMetric(type: string, name: string): MetricSpec | undefined {
  return applianceSpec(type)?.metrics.find((m) => m.name === name);
}
