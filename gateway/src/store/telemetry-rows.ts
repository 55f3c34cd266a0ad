import type { TelemetryPoint } from './ports/telemetry-excerpts.js';

/** A telemetry row as both engines store it: the metrics as JSON text. */
export type TelemetryRow = Omit<TelemetryPoint, 'metrics'> & { readonly metrics: string };

/**
 * The chart points of stored rows, read the same way on SQLite and PostgreSQL: a row whose
 * metrics are not an object (a damaged file, a hand edit, a bad restore) is left out of the
 * chart, not thrown at it.
 */
export function pointsOfRows(rows: readonly TelemetryRow[]): TelemetryPoint[] {
  const out: TelemetryPoint[] = [];
  for (const r of rows) {
    const metrics = parseMetrics(r.metrics);
    if (metrics !== undefined) out.push({ id: r.id, hubId: r.hubId, applianceId: r.applianceId, at: r.at, deviceTs: r.deviceTs, metrics });
  }
  return out;
}

function parseMetrics(text: string): Record<string, number | boolean> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, number | boolean>) : undefined;
  } catch {
    return undefined;
  }
}
