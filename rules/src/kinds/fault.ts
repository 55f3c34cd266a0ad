/**
 * Fault codes: an active fault raises one alarm per (appliance, code) with the catalog's
 * severity and fault class; repeats update it; `active: false` clears it. The newest message
 * by device time decides a code's state: an older one arriving late neither reopens nor
 * clears (an older `active` still counts as a repeat).
 */
import { lookupFault } from '@forecare/firmware-contracts';
import type { AlarmEvent } from '../api.js';
import type { EngineState, FaultInput } from '../engine-state.js';
import { composites } from './composite.js';
import { occurrence } from './repeat.js';
import type { CompiledRule } from '../rule-index.js';

/**
 * For a repeat counting onsets (`onsets: true`): whether this fault message starts an
 * occurrence — its code was not active on the appliance. A fault reported again while still
 * active (a reboot, a firmware that repeats it) is the same occurrence; its clearing ends it.
 */
function onset(s: EngineState, r: CompiledRule, app: number, input: FaultInput): boolean {
  const wkey = `${s.apps.ids[app] as string}|${r.def.id}`;
  const w = s.work.get(wkey) ?? {};
  const active = w.activeCodes ?? [];
  const was = active.includes(input.code);
  if (was === input.active) return false;
  w.activeCodes = input.active ? [...active, input.code] : active.filter((c) => c !== input.code);
  if (w.activeCodes.length === 0) w.activeCodes = undefined;
  if (Object.values(w).every((v) => v === undefined)) s.deleteWork(wkey);
  else s.setWork(wkey, w);
  return input.active;
}

export function onFault(s: EngineState, input: FaultInput, app: number, out: AlarmEvent[]): void {
  const tr = s.typeRules(app);
  const type = s.typeOf(app);
  const spec = lookupFault(type, input.code);
  const fault = { code: input.code, faultClass: spec?.faultClass ?? 'unknown' };
  for (const r of tr.faultCode) {
    const wkey = `${s.apps.ids[app] as string}|${r.def.id}`;
    const w = s.work.get(wkey) ?? {};
    const newest = w.faults?.[input.code];
    if (newest !== undefined && input.deviceTs < newest) {
      if (!input.active || !s.book.byKey.has(`${wkey}|${input.code}`)) continue;
    } else {
      w.faults = { ...w.faults, [input.code]: input.deviceTs };
      s.setWork(wkey, w);
    }
    if (!input.active) {
      s.book.clear(`${wkey}|${input.code}`, input.at, out);
      continue;
    }
    s.book.raise(
      r,
      {
        hubId: input.hubId,
        applianceId: input.applianceId,
        applianceType: type,
        key: input.code,
        at: input.at,
        severity: r.def.severity ?? spec?.severity ?? 'warning',
        title: spec !== undefined ? `${input.code}: ${spec.meaning}` : `Unknown fault ${input.code}`,
        fault,
      },
      out,
    );
  }
  for (const r of tr.repeat) {
    if (r.params.onsets === true ? !onset(s, r, app, input) : !input.active) continue;
    const ctx = { fault: { ...fault, severity: spec?.severity ?? 'warning' }, type, params: r.params };
    const matches = typeof r.params.code === 'string' ? r.params.code === input.code : r.condition?.(ctx) === true;
    if (matches) occurrence(s, r, app, input.at, out, fault);
  }
  composites(s, app, input.at, out);
}
