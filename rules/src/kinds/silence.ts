/**
 * The kinds judged on silence, by timer: hub offline (heartbeat silence, last will),
 * appliance offline behind a live hub, and stale metrics. Their timers live in compact
 * wheels by hub / appliance index and fire while the device is still away. Appliance timers
 * are held back while the appliance's hub is offline and measured again from its return.
 */
import type { AlarmEvent, EngineInput } from '../api.js';
import { applies, type EngineState, type TelemetryInput } from '../engine-state.js';
import { paramDuration } from '../rule-format.js';
import { HUB_LEAVING, HUB_OFFLINE, HUB_ONLINE } from '../state.js';
import type { CompiledRule, TypeRules } from '../rule-index.js';
import { composites } from './composite.js';
import { repeatQuiet } from './repeat.js';

const HOUR = 3_600_000;

/**
 * A hub's timer fired: silent for the shortest hub-offline `silentFor`, or its last will's
 * grace period is over without it coming back. A will's alarm carries the moment the hub left.
 */
export function onHubSilent(s: EngineState, hub: number, at: number, out: AlarmEvent[]): void {
  const state = s.hubs.offline[hub];
  if (state === HUB_OFFLINE || s.index.hubOffline.length === 0) return;
  s.hubs.offline[hub] = HUB_OFFLINE;
  s.changed?.hubs.add(hub);
  const hubId = s.hubs.ids[hub] as string;
  const silentSinceMs = s.hubs.lastSeen[hub] as number;
  const will = state === HUB_LEAVING;
  const left = will ? (s.hubs.leftAt[hub] as number) : at;
  for (const r of s.index.hubOffline) {
    s.book.raise(r, { hubId, key: 'hub', at: left, title: will ? `Hub ${hubId} offline (last will)` : `Hub ${hubId} offline`, facts: will ? { silentSinceMs, confirmedAtMs: at } : { silentSinceMs } }, out);
  }
}

/** An appliance-offline, stale or repeat timer of rule `ruleId` fired for appliance `app`. */
export function onApplianceTimer(s: EngineState, ruleId: string, app: number, at: number, out: AlarmEvent[]): void {
  s.changed?.apps.add(app);
  const r = s.index.byId.get(ruleId);
  if (r?.def.kind === 'repeat') {
    repeatQuiet(s, r, app, at, out);
    composites(s, app, at, out);
    return;
  }
  if (r === undefined || s.hubOfflineFor(app)) return;
  const subject = s.subjectOf(app);
  const id = subject.applianceId;
  if (r.def.kind === 'appliance-offline') {
    s.book.raise(r, { ...subject, at, key: 'silent', title: `Appliance ${id} silent while its hub is online`, facts: { silentSinceMs: s.apps.lastSeen[app] as number } }, out);
  } else if (r.def.kind === 'stale') {
    const lastUpdatedMs = at - paramDuration(r.params.after, HOUR);
    s.book.raise(r, { ...subject, at, key: r.metric, title: `${r.metric} not updated`, facts: { metric: r.metric, lastUpdatedMs } }, out);
  }
  composites(s, app, at, out);
}

/**
 * Any input from (or through) a hub: it is alive. Its last will starts the grace period
 * (`graceFor`): a hub back within it (a quick Wi-Fi drop, a broker restart) is no incident;
 * one still gone at its end raises, with the time it left. No grace: the will raises at once.
 */
export function touchHub(s: EngineState, input: EngineInput, out: AlarmEvent[]): void {
  const hub = s.hubIndex(input.hubId, input.at);
  s.changed?.hubs.add(hub);
  const rules = s.index.hubOffline;
  if (input.kind === 'status' && input.state === 'offline') {
    // A second will while gone changes nothing: it left at the first.
    if (s.hubs.offline[hub] !== HUB_ONLINE) return;
    s.hubTimers.cancel(hub);
    s.hubs.offline[hub] = HUB_LEAVING;
    s.hubs.leftAt[hub] = input.at;
    if (rules.length === 0) return;
    const grace = s.index.hubGraceFor;
    if (grace > 0) s.hubTimers.set(hub, input.at + grace);
    else onHubSilent(s, hub, input.at, out);
    return;
  }
  if (input.at > (s.hubs.lastSeen[hub] as number)) s.hubs.lastSeen[hub] = input.at;
  const was = s.hubs.offline[hub];
  if (was !== HUB_ONLINE) {
    s.hubs.offline[hub] = HUB_ONLINE;
    if (was === HUB_OFFLINE) for (const r of rules) s.book.clear(`${input.hubId}|${r.def.id}|hub`, input.at, out);
    // The hub is back: its appliances' silence is measured from now.
    for (let app = s.hubs.firstApp[hub] as number; app >= 0; app = s.apps.nextInHub[app] as number) armApplianceTimers(s, app, input.at, out, true);
  }
  if (Number.isFinite(s.index.hubSilentFor)) s.hubTimers.set(hub, (s.hubs.lastSeen[hub] as number) + s.index.hubSilentFor);
}

/** The appliance was heard (or its hub came back): re-arm its silence timers, and clear an appliance-offline alarm. */
export function armApplianceTimers(s: EngineState, app: number, at: number, out: AlarmEvent[], hubBack: boolean): void {
  const tr = s.typeRules(app);
  if (tr.applianceOffline.length === 0 && (!hubBack || tr.stale.length === 0)) return;
  s.changed?.apps.add(app);
  const key = s.apps.ids[app] as string;
  for (const r of tr.applianceOffline) {
    if (!hubBack && s.book.isBusy(key, r.def.id)) s.book.clear(`${key}|${r.def.id}|silent`, at, out);
    s.wheelOf(r.def.id).set(app, at + paramDuration(r.params.silentFor, HOUR));
  }
  if (hubBack) for (const r of tr.stale) s.wheelOf(r.def.id).set(app, at + paramDuration(r.params.after, HOUR));
}

/** A reading carrying a stale rule's metric: clear its alarm and measure again from now. */
export function staleReading(s: EngineState, tr: TypeRules, app: number, input: TelemetryInput, busy: ReadonlySet<string> | undefined, out: AlarmEvent[]): void {
  for (const r of tr.stale) {
    if (input.metrics[r.metric] === undefined) continue;
    if (busy?.has(r.def.id) === true) s.book.clear(`${s.apps.ids[app] as string}|${r.def.id}|${r.metric}`, input.at, out);
    s.wheelOf(r.def.id).set(app, input.at + paramDuration(r.params.after, HOUR));
  }
}

/** After a deploy: silence timers of changed rules follow their new `silentFor` from the last time heard. */
export function rearmChanged(s: EngineState, changed: ReadonlySet<string>): void {
  for (const r of s.index.rules) {
    if (!changed.has(r.def.id)) continue;
    if (r.def.kind === 'hub-offline') {
      for (let hub = 0; hub < s.hubs.ids.length; hub++) if (s.hubs.offline[hub] === HUB_ONLINE) s.hubTimers.set(hub, (s.hubs.lastSeen[hub] as number) + s.index.hubSilentFor);
    }
    if (r.def.kind === 'appliance-offline') {
      const silentFor = paramDuration(r.params.silentFor, HOUR);
      for (let app = 0; app < s.apps.size; app++) if (applies(r.def, s.typeOf(app))) s.wheelOf(r.def.id).set(app, (s.apps.lastSeen[app] as number) + silentFor);
    }
  }
}

/**
 * The gateway heard nothing for `outageMs` because it was not running (stopped, crashed,
 * upgraded): no hub could reach it, so that time is no device's silence. Every hub silence
 * or last-will grace timer, and every appliance-offline and stale timer, moves later by the
 * outage; they are marked changed so the next checkpoint keeps the shift. Other timers
 * (threshold durations, escalations, digests) measure time, not silence, and stay.
 */
export function shiftSilence(s: EngineState, outageMs: number): void {
  for (const [hub, at] of s.hubTimers.entries()) {
    s.hubTimers.set(hub, at + outageMs);
    s.changed?.hubs.add(hub);
  }
  for (const [ruleId, wheel] of s.entityTimers) {
    const r = s.index.byId.get(ruleId);
    if (r === undefined || silencePeriod(r) === undefined) continue;
    for (const [app, at] of wheel.entries()) {
      wheel.set(app, at + outageMs);
      s.changed?.apps.add(app);
    }
  }
}

/** The shortest period any silence timer measures (hub silence or grace, appliance silence, stale readings); Infinity without such rules. */
export function shortestSilence(s: EngineState): number {
  let least = s.index.hubOffline.length > 0 ? s.index.hubSilentFor : Infinity;
  if (s.index.hubOffline.length > 0 && s.index.hubGraceFor > 0) least = Math.min(least, s.index.hubGraceFor);
  for (const r of s.index.rules) least = Math.min(least, silencePeriod(r) ?? Infinity);
  return least;
}

/** The silence an appliance timer of rule `r` measures: appliance-offline's `silentFor`, stale's `after`; undefined for other kinds (repeat's quiet time is not silence). */
function silencePeriod(r: CompiledRule): number | undefined {
  if (r.def.kind === 'appliance-offline') return paramDuration(r.params.silentFor, HOUR);
  if (r.def.kind === 'stale') return paramDuration(r.params.after, HOUR);
  return undefined;
}
