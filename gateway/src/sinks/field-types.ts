import { applianceCatalog } from '@forecare/firmware-contracts';

/**
 * Metric name → written as a boolean field, from the catalog's metric definitions. The store
 * keys a field's type by measurement and name, and every appliance type shares one
 * measurement, so the type is decided by the name alone (a catalog test keeps one name to
 * one type across appliance types).
 */
const BOOLEAN_METRICS: ReadonlySet<string> = new Set(Object.values(applianceCatalog).flatMap((spec) => spec.metrics.filter((m) => m.type === 'boolean').map((m) => m.name)));

/**
 * The value a metric is written with; its JS type is the field's type, always the same for a
 * name: a boolean for the catalog's boolean metrics (firmware may send them as true/false or
 * 0/1, and `door_open: 1` after `door_open: false` made InfluxDB refuse the batch with a type
 * conflict), a float for everything else — numbers whole or not, and the uncatalogued
 * metrics too (a `true` there is 1). undefined: nothing to write.
 */
export function fieldValue(name: string, value: number | boolean): number | boolean | undefined {
  if (BOOLEAN_METRICS.has(name)) return typeof value === 'boolean' ? value : value !== 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return Number.isFinite(value) ? value : undefined;
}
