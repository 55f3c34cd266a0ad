import { randomBytes } from 'node:crypto';
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { AlarmEvent } from '@forecare/rules';
import type { Clock } from '../clock.js';
import type { LiveEvent } from '../events/bus.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/db.js';
import { alarmEvents, appliances, fleetAlerts } from '../store/schema.js';

export interface FleetOptions {
  /** How far back "now" reaches. */
  readonly windowMs: number;
  /** The trailing period the baseline rate is taken from. */
  readonly baselineMs: number;
  /** At least this many appliances, and `factor` × the baseline, make a red light. */
  readonly minCount: number;
  readonly factor: number;
}

export const DEFAULT_FLEET: FleetOptions = { windowMs: 3_600_000, baselineMs: 7 * 86_400_000, minCount: 5, factor: 5 };

export type FleetAlertRow = typeof fleetAlerts.$inferSelect;

/** An appliance behind a fleet alert. */
export interface FleetAlertAppliance {
  readonly hubId: string;
  readonly applianceId: string;
  readonly lastRaised: number;
}

/** Appliances listed per alert: enough to open a few; the count is `affected`. */
const APPLIANCES_LISTED = 50;

/**
 * The fleet red light: when one fault code on one model is raised on far more appliances
 * in the last window than its baseline rate predicts — a batch defect, a bad firmware —
 * one fleet alert for managers, with the affected count, instead of only a flood of
 * lonely tickets. Runs inside the service transaction on each raised fault alarm.
 */
export class FleetMonitor {
  /** model|code → raises inside the window. Rebuilt from the alarm log at start. */
  private readonly recent = new Map<string, RaiseWindow>();
  /** model|code → baseline raises per window, from the trailing days, recomputed at most hourly. */
  private readonly baselines = new Map<string, { value: number; at: number }>();
  private readonly modelOf = new Map<string, string | null>();
  private loaded = false;
  private readonly openAlert;
  private readonly modelStmt;
  private readonly raiseAffected;
  private readonly affectedStmt;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly options: FleetOptions = DEFAULT_FLEET,
  ) {
    this.openAlert = store.sqlite.prepare("SELECT alert_id AS alertId, affected FROM fleet_alerts WHERE model = ? AND fault_code = ? AND status = 'open' LIMIT 1");
    this.modelStmt = store.sqlite.prepare('SELECT model FROM appliances WHERE hub_id = ? AND appliance_id = ?');
    this.raiseAffected = store.sqlite.prepare('UPDATE fleet_alerts SET affected = ?, updated_at = ? WHERE alert_id = ?');
    // By the alarm log's time index: the raises of the alert's code from its window's start (to its close), on appliances of its model.
    this.affectedStmt = store.sqlite.prepare(
      "SELECT e.hub_id AS hubId, e.appliance_id AS applianceId, max(e.at) AS lastRaised FROM alarm_events e JOIN appliances a ON a.hub_id = e.hub_id AND a.appliance_id = e.appliance_id WHERE e.at >= ? AND e.at <= ? AND e.transition = 'raised' AND e.rule_id = 'fault-code' AND a.model = ? AND e.alarm_key LIKE ? ESCAPE '\\' GROUP BY e.hub_id, e.appliance_id ORDER BY lastRaised DESC LIMIT ?",
    );
  }

  private windowOf(key: string): RaiseWindow {
    let w = this.recent.get(key);
    if (w === undefined) {
      w = new RaiseWindow();
      this.recent.set(key, w);
    }
    return w;
  }

  /** `appliance` is `${hubId}/${applianceId}`: an appliance id repeats across homes. */
  private model(hubId: string, applianceId: string, appliance: string): string | null {
    let m = this.modelOf.get(appliance);
    if (m === undefined) {
      m = (this.modelStmt.get(hubId, applianceId) as { model: string | null } | undefined)?.model ?? null;
      // Unknown appliances are looked up again next time (they may be registered since).
      if (m !== null) this.modelOf.set(appliance, m);
    }
    return m;
  }

  /** Raises of one fault code on one model's appliances between two times, from the alarm log. */
  private count(model: string, code: string, from: number, to: number): number {
    return (
      this.store.db
        .select({ n: sql<number>`count(distinct ${alarmEvents.hubId} || '/' || ${alarmEvents.applianceId})` })
        .from(alarmEvents)
        .innerJoin(appliances, and(eq(appliances.hubId, alarmEvents.hubId), eq(appliances.applianceId, alarmEvents.applianceId)))
        .where(and(eq(alarmEvents.transition, 'raised'), eq(appliances.model, model), sql`${alarmEvents.alarmKey} like ${`%|${code}`}`, gte(alarmEvents.at, from), lt(alarmEvents.at, to)))
        .get()?.n ?? 0
    );
  }

  private load(now: number): void {
    this.loaded = true;
    const rows = this.store.sqlite
      .prepare("SELECT e.at AS at, e.hub_id || '/' || e.appliance_id AS appliance, e.alarm_key AS alarmKey, a.model AS model FROM alarm_events e JOIN appliances a ON a.hub_id = e.hub_id AND a.appliance_id = e.appliance_id WHERE e.transition = 'raised' AND e.rule_id = 'fault-code' AND e.at >= ? ORDER BY e.at")
      .all(now - this.options.windowMs) as { at: number; appliance: string; alarmKey: string; model: string | null }[];
    for (const r of rows) {
      if (r.model === null) continue;
      const code = r.alarmKey.split('|').at(-1) ?? '';
      const k = `${r.model}|${code}`;
      this.windowOf(k).add(r.at, r.appliance);
    }
  }

  onRaised(e: AlarmEvent, live: LiveEvent[]): void {
    if (e.transition !== 'raised' || e.fault === undefined || e.applianceId === undefined) return;
    if (!this.loaded) this.load(e.at);
    const appliance = `${e.hubId}/${e.applianceId}`;
    const model = this.model(e.hubId, e.applianceId, appliance);
    if (model === null) return;
    const code = e.fault.code;
    const key = `${model}|${code}`;
    const { windowMs, baselineMs, minCount, factor } = this.options;
    const now = e.at;
    const window = this.windowOf(key);
    window.add(now, appliance);
    const recent = window.distinctSince(now - windowMs);
    if (recent < minCount) return;
    let baseline = this.baselines.get(key);
    if (baseline === undefined || now - baseline.at > 3_600_000) {
      baseline = { value: (this.count(model, code, now - windowMs - baselineMs, now - windowMs) * windowMs) / baselineMs, at: now };
      this.baselines.set(key, baseline);
    }
    if (recent < factor * baseline.value) return;
    const open = this.openAlert.get(model, code) as { alertId: string; affected: number } | undefined;
    const at = this.clock.now();
    if (open !== undefined) {
      if (recent > open.affected) this.raiseAffected.run(recent, at, open.alertId);
      return;
    }
    const alertId = `F-${at.toString(36).toUpperCase()}-${randomBytes(2).toString('hex').toUpperCase()}`;
    this.store.db.insert(fleetAlerts).values({ alertId, model, faultCode: code, affected: recent, baselinePerHour: Math.round((baseline.value * 3_600_000 * 1000) / windowMs), windowMs, openedAt: at, updatedAt: at }).run();
    this.metrics.fleetAlerts.inc();
    this.logger.warn({ alertId, model, faultCode: code, affected: recent, baseline: baseline.value }, 'fleet red light: one fault on one model far above its baseline');
    live.push({ type: 'alarm', data: { fleetAlert: alertId, model, faultCode: code, affected: recent } });
  }

  /** Alerts, each with the appliances behind it (newest raise first, at most `APPLIANCES_LISTED`): a manager goes from the red light to them. */
  list(status?: string): (FleetAlertRow & { appliances: FleetAlertAppliance[] })[] {
    const q = this.store.db.select().from(fleetAlerts);
    const rows = (status === undefined ? q : q.where(eq(fleetAlerts.status, status))).all();
    // `_` and `%` in a code would be LIKE wildcards: codes are catalog codes (E-CMP-01), but escape them all the same.
    return rows.map((r) => ({ ...r, appliances: this.affectedStmt.all(r.openedAt - r.windowMs, r.status === 'closed' ? r.updatedAt : Number.MAX_SAFE_INTEGER, r.model, `%|${r.faultCode.replace(/[\\%_]/g, '\\$&')}`, APPLIANCES_LISTED) as FleetAlertAppliance[] }));
  }
}

/** Raises of one model and fault in time order, with a count per appliance: adding and expiring cost O(1) each. */
class RaiseWindow {
  private times: number[] = [];
  private apps: string[] = [];
  private head = 0;
  private readonly perAppliance = new Map<string, number>();

  add(at: number, applianceId: string): void {
    this.times.push(at);
    this.apps.push(applianceId);
    this.perAppliance.set(applianceId, (this.perAppliance.get(applianceId) ?? 0) + 1);
  }

  /** Distinct appliances raised after `from` (older raises are forgotten). */
  distinctSince(from: number): number {
    while (this.head < this.times.length && (this.times[this.head] as number) <= from) {
      const app = this.apps[this.head] as string;
      const n = (this.perAppliance.get(app) ?? 1) - 1;
      if (n === 0) this.perAppliance.delete(app);
      else this.perAppliance.set(app, n);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.apps = this.apps.slice(this.head);
      this.head = 0;
    }
    return this.perAppliance.size;
  }
}
