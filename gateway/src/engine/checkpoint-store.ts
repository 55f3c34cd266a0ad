import { Engine, type AlarmRec, type AppliancePart, type EngineChanges, type EngineOptions, type EngineParts, type HubPart, type RuleWork } from '@forecare/rules';
import type { Store } from '../store/db.js';

const NAME = 'rules';

/** What the checkpoint row's `snapshot` column holds for checkpoints kept as parts. */
interface PartsMeta {
  v: 'parts';
  version: number;
  wheel: number;
  /** 2: rows keyed by (hub, appliance); absent: by appliance id alone (upgraded on load, rewritten on the next save). */
  keys?: 2;
}

export interface LoadedCheckpoint {
  readonly engine: Engine;
  readonly pos: number;
}

/** A checkpoint as data (it crosses to the engine's thread): its parts, or a whole snapshot of the earlier form. */
export type CheckpointData = { readonly pos: number; readonly parts: EngineParts } | { readonly pos: number; readonly snapshot: string };

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

/**
 * The rule engine's checkpoints, kept as rows: hubs, appliances, alarms, working state and
 * named timers each in `engine_state`, the wheel position and rule version in the
 * `checkpoints` row with the journal position they reflect. A checkpoint writes only what
 * changed since the previous one, so its cost follows the traffic, not the fleet — a full
 * snapshot of a large fleet held the event loop for hundreds of milliseconds every few
 * seconds. Checkpoints of the earlier single-snapshot form are still read.
 */
export class CheckpointStore {
  private readonly upsert;
  private readonly remove;
  private readonly saveMeta;
  private readonly readMeta;
  private readonly readAt;
  private readonly readKind;
  private readonly clear;
  /** The stored rows are of an earlier form: the next save replaces them all (in its own transaction, so a crash before it loses nothing). */
  private rewrite = false;

  constructor(private readonly store: Store) {
    const s = store.sqlite;
    this.upsert = s.prepare('INSERT INTO engine_state (kind, key, value) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value');
    this.remove = s.prepare('DELETE FROM engine_state WHERE kind = ? AND key = ?');
    this.saveMeta = s.prepare('INSERT INTO checkpoints (name, pos, at, snapshot) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET pos = excluded.pos, at = excluded.at, snapshot = excluded.snapshot');
    this.readMeta = s.prepare('SELECT pos, snapshot FROM checkpoints WHERE name = ?');
    this.readAt = s.prepare('SELECT at FROM checkpoints WHERE name = ? AND snapshot IS NOT NULL');
    this.readKind = s.prepare('SELECT key, value FROM engine_state WHERE kind = ?');
    this.clear = s.prepare('DELETE FROM engine_state');
  }

  /**
   * The last checkpoint as an engine (tracking changes) and its journal position; undefined
   * when there is none. Throws when it cannot be read.
   */
  load(opts: EngineOptions): LoadedCheckpoint | undefined {
    const data = this.loadData();
    return data === undefined ? undefined : { engine: engineOfCheckpoint(data, opts), pos: data.pos };
  }

  /** The last checkpoint as data, undefined when there is none. Throws when it cannot be read. */
  loadData(): CheckpointData | undefined {
    const row = this.readMeta.get(NAME) as { pos: number; snapshot: string | null } | undefined;
    if (row?.snapshot == null) return undefined;
    const meta = JSON.parse(row.snapshot) as PartsMeta | { v: number };
    if (meta.v !== 'parts') {
      // A whole snapshot from before checkpoints were kept as parts: the next checkpoint writes every part.
      this.rewrite = true;
      return { pos: row.pos, snapshot: row.snapshot };
    }
    // Rows keyed by appliance id alone (before appliances were keyed by hub too): upgraded by the engine, rewritten next save.
    if (meta.keys !== 2) this.rewrite = true;
    const parts = <T>(kind: string): [string, T][] => (this.readKind.all(kind) as { key: string; value: string }[]).map((r) => [r.key, JSON.parse(r.value) as T]);
    return {
      pos: row.pos,
      parts: {
        version: meta.version,
        wheel: meta.wheel,
        ...(meta.keys === 2 ? { keys: 2 as const } : {}),
        hubs: parts<HubPart>('hub'),
        appliances: parts<AppliancePart>('app'),
        alarms: parts<AlarmRec>('alarm').map(([, a]) => a),
        work: parts<RuleWork>('work'),
        timers: parts<number>('timer'),
      },
    };
  }

  /** Writes what changed in the engine since the last save, with the journal position it reflects, in one commit. */
  save(engine: Engine, pos: number, at: number): void {
    this.saveChanges(engine.takeChanges(), pos, at);
  }

  /** Writes changes taken from an engine (on this thread or another) with the journal position they reflect, in one commit. */
  saveChanges(c: EngineChanges, pos: number, at: number): void {
    this.store.transaction(() => {
      if (this.rewrite) this.clear.run();
      for (const [kind, list] of [
        ['hub', c.hubs],
        ['app', c.appliances],
        ['alarm', c.alarms],
        ['work', c.work],
        ['timer', c.timers],
      ] as const) {
        for (const [key, value] of list as readonly [string, unknown][]) {
          if (value === null) this.remove.run(kind, key);
          else this.upsert.run(kind, key, JSON.stringify(value));
        }
      }
      const meta: PartsMeta = { v: 'parts', version: c.version, wheel: c.wheel, keys: 2 };
      this.saveMeta.run(NAME, pos, at, JSON.stringify(meta));
    });
    this.rewrite = false;
  }

  /** When the last checkpoint was written (gateway clock); undefined when there is none. */
  savedAt(): number | undefined {
    return (this.readAt.get(NAME) as { at: number } | undefined)?.at;
  }

  /** Forgets every stored part (the engine is being rebuilt from the whole journal). */
  reset(): void {
    this.store.transaction(() => {
      this.clear.run();
      this.saveMeta.run(NAME, 0, 0, null);
    });
  }
}
