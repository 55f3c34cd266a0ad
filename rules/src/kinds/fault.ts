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

export function onFault(s: EngineState, input: FaultInput, app: number, out: AlarmEvent[]): void {
  const tr = s.typeRules(app);
  const type = s.typeOf(app);
  const spec = lookupFault(type, input.code);
  const fault = { code: input.code, faultClass: spec?.faultClass ?? 'unknown' };
  for (const r of tr.faultCode) {
    const wkey = `${input.applianceId}|${r.def.id}`;
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
  if (input.active) {
    for (const r of tr.repeat) {
      const ctx = { fault: { ...fault, severity: spec?.severity ?? 'warning' }, type, params: r.params };
      const matches = typeof r.params.code === 'string' ? r.params.code === input.code : r.condition?.(ctx) === true;
      if (matches) occurrence(s, r, app, input.at, out, fault);
    }
  }
  composites(s, app, input.at, out);
}
