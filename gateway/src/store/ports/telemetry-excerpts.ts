/**
 * Telemetry excerpts as a port: appliance readings downsampled from the journal (one per
 * appliance per 10 s, sinks/chart-history.ts) for the console's charts and tickets' excerpts.
 */

export interface TelemetryPoint {
  /** Derived from the journal position (pos·1024), so a replay adds nothing new. */
  readonly id: number;
  readonly hubId: string;
  readonly applianceId: string;
  /** Server receive time. */
  readonly at: number;
  readonly deviceTs: number;
  readonly metrics: Readonly<Record<string, number | boolean>>;
}

export interface TelemetryExcerptStore {
  /** Keeps a point; one whose id is kept already is left as it is. */
  add(point: TelemetryPoint): Promise<void>;
  /** An appliance's points received from `from` to `to` included, oldest first, at most `limit`. */
  points(hubId: string, applianceId: string, from: number, to: number, limit: number): Promise<TelemetryPoint[]>;
}
