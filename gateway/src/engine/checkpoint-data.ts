/** The rule engine's checkpoints as data: what the engine is rebuilt from, and how unsaved changes merge (the rows are the CheckpointStore's). */
import { Engine, type EngineChanges, type EngineOptions } from '@forecare/rules';
import type { CheckpointData } from '../store/ports/checkpoints.js';

export type { CheckpointData } from '../store/ports/checkpoints.js';

/** The engine a checkpoint holds, tracking changes from there (a whole snapshot: every part counts as changed). */
export function engineOfCheckpoint(data: CheckpointData, opts: EngineOptions): Engine {
  if ('parts' in data) {
    const engine = Engine.fromParts(data.parts, opts);
    // Parts keyed by appliance id alone were upgraded as they were read: every one is written again under its new key.
    if (data.parts.keys !== 2) engine.markAllChanged();
    return engine;
  }
  const engine = Engine.restore(data.snapshot, opts);
  engine.markAllChanged();
  return engine;
}

/**
 * Changes taken from the engine that were not written (a failed checkpoint), merged with those
 * taken since: a part in both has its later value, the meta is the later one. The engine has
 * already forgotten the older ones, so dropping them would leave the next checkpoint without them.
 */
export function mergeChanges(older: EngineChanges, newer: EngineChanges): EngineChanges {
  const merged = <T>(a: readonly [string, T][], b: readonly [string, T][]): [string, T][] => (a.length === 0 ? [...b] : [...new Map([...a, ...b])]);
  return { ...newer, hubs: merged(older.hubs, newer.hubs), appliances: merged(older.appliances, newer.appliances), alarms: merged(older.alarms, newer.alarms), work: merged(older.work, newer.work), timers: merged(older.timers, newer.timers) };
}
