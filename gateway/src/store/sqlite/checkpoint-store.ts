import type { AlarmRec, AppliancePart, EngineChanges, HubPart, RuleWork } from '@forecare/rules';
import { GatewayError } from '../../errors.js';
import type { Store } from '../db.js';
import type { CheckpointData, CheckpointStore } from '../ports/checkpoints.js';
import { answer } from './answer.js';

/** What the checkpoint row's `snapshot` column holds for checkpoints kept as parts. */
interface PartsMeta {
  v: 'parts';
  version: number;
  wheel: number;
  /** 2: rows keyed by (hub, appliance); absent: by appliance id alone (upgraded on load, rewritten on the next save). */
  keys?: 2;
}

/**
 * The rule engine's checkpoints, kept as rows: hubs, appliances, alarms, working state and
 * named timers each in `engine_state`, the wheel position and rule version in the
 * `checkpoints` row with the journal position they reflect. A checkpoint writes only what
 * changed since the previous one, so its cost follows the traffic, not the fleet — a full
 * snapshot of a large fleet held the event loop for hundreds of milliseconds every few
 * seconds. Checkpoints of the earlier single-snapshot form are still read. Other journal
 * readers keep their positions in `checkpoints` rows of their own names.
 */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly upsert;
  private readonly remove;
  private readonly saveMeta;
  private readonly readMeta;
  private readonly readKind;
  private readonly clear;
  private readonly savePos;
  /** The stored rows are of an earlier form: the next save replaces them all (in its own transaction, so a crash before it loses nothing). */
  private rewrite = false;

  constructor(
    private readonly store: Store,
    /** The engine's `checkpoints` row. */
    private readonly name = 'rules',
  ) {
    const s = store.sqlite;
    this.upsert = s.prepare('INSERT INTO engine_state (kind, key, value) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value');
    this.remove = s.prepare('DELETE FROM engine_state WHERE kind = ? AND key = ?');
    this.saveMeta = s.prepare('INSERT INTO checkpoints (name, pos, at, snapshot) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET pos = excluded.pos, at = excluded.at, snapshot = excluded.snapshot');
    this.savePos = s.prepare('INSERT INTO checkpoints (name, pos, at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET pos = excluded.pos, at = excluded.at');
    this.readMeta = s.prepare('SELECT pos, at, snapshot FROM checkpoints WHERE name = ?');
    this.readKind = s.prepare('SELECT key, value FROM engine_state WHERE kind = ?');
    this.clear = s.prepare('DELETE FROM engine_state');
  }

  load(): Promise<CheckpointData | undefined> {
    try {
      return Promise.resolve(this.loadNow());
    } catch (err) {
      return Promise.reject(new GatewayError('GW_ERR_CHECKPOINT_UNREADABLE', `rule engine checkpoint unreadable: ${(err as Error).message}`, { cause: err }));
    }
  }

  private loadNow(): CheckpointData | undefined {
    const row = this.readMeta.get(this.name) as { pos: number; at: number; snapshot: string | null } | undefined;
    if (row?.snapshot == null) return undefined;
    const meta = JSON.parse(row.snapshot) as PartsMeta | { v: number };
    if (meta.v !== 'parts') {
      // A whole snapshot from before checkpoints were kept as parts: the next checkpoint writes every part.
      this.rewrite = true;
      return { pos: row.pos, at: row.at, snapshot: row.snapshot };
    }
    // Rows keyed by appliance id alone (before appliances were keyed by hub too): upgraded by the engine, rewritten next save.
    if (meta.keys !== 2) this.rewrite = true;
    const parts = <T>(kind: string): [string, T][] => (this.readKind.all(kind) as { key: string; value: string }[]).map((r) => [r.key, JSON.parse(r.value) as T]);
    return {
      pos: row.pos,
      at: row.at,
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

  save(c: EngineChanges, pos: number, at: number): Promise<void> {
    return answer(() => {
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
        this.saveMeta.run(this.name, pos, at, JSON.stringify(meta));
      });
      this.rewrite = false;
    });
  }

  reset(): Promise<void> {
    return answer(() =>
      this.store.transaction(() => {
        this.clear.run();
        this.saveMeta.run(this.name, 0, 0, null);
      }),
    );
  }

  position(reader: string): Promise<number | undefined> {
    return answer(() => (this.readMeta.get(reader) as { pos: number } | undefined)?.pos);
  }

  savePosition(reader: string, pos: number, at: number): Promise<void> {
    return answer(() => void this.savePos.run(reader, pos, at));
  }
}
