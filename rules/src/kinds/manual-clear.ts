/**
 * A person clears an alarm by hand (the alarm console). The alarm leaves the book like any
 * clear, and the working state behind it for (appliance, rule) is dropped, so the rule starts
 * judging from scratch: a threshold that still holds waits its full `for` again, a repeat
 * counts new occurrences — the condition may raise a new alarm later, as usual, never the
 * old one back. What only orders messages (a fault rule's newest device time per code) is
 * kept: forgetting it would let a late, older message count as news.
 */
import type { AlarmEvent } from '../api.js';
import type { EngineState } from '../engine-state.js';
import { applianceKey } from '../state.js';

export interface ManualClear {
  readonly alarmKey: string;
  readonly at: number;
  /** Who cleared it (the user name), carried on the cleared event. */
  readonly by: string;
  /**
   * The first-seen time of the alarm meant: when given, an alarm of that key raised at
   * another time (a new one since) is left alone — so applying a recorded clear again, on a
   * replay, never clears a later alarm.
   */
  readonly firstSeen?: number | undefined;
}

export function clearManually(s: EngineState, c: ManualClear): AlarmEvent[] {
  const rec = s.book.byKey.get(c.alarmKey);
  if (rec === undefined) return [];
  if (c.firstSeen !== undefined && rec.firstSeen !== c.firstSeen) return [];
  if (rec.applianceId !== undefined) {
    const wkey = `${applianceKey(rec.hubId, rec.applianceId)}|${rec.ruleId}`;
    switch (s.index.byId.get(rec.ruleId)?.def.kind) {
      case 'threshold':
        s.cancelNamed(`thr|${wkey}`);
        s.cancelNamed(`thc|${wkey}`);
        s.deleteWork(wkey);
        break;
      case 'repeat': {
        // Which codes are active now is a fact about the appliance, not about the alarm.
        const active = s.work.get(wkey)?.activeCodes;
        if (active !== undefined) s.setWork(wkey, { activeCodes: active });
        else s.deleteWork(wkey);
        break;
      }
      case 'trend':
        s.deleteWork(wkey);
        break;
      // Their state is not the alarm's: a fault rule's is message order, the others keep none
      // beyond the alarm, or (food, offline) hold it per household or hub, not per alarm.
      case 'fault-code':
      case 'composite':
      case 'stale':
      case 'stuck':
      case 'appliance-offline':
      case 'hub-offline':
      case 'food-expiry':
      case undefined:
        break;
    }
  }
  const out: AlarmEvent[] = [];
  s.book.clear(c.alarmKey, c.at, out);
  return out.map((e) => ({ ...e, reason: 'manual' as const, by: c.by }));
}
