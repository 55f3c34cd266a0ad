/**
 * What every CheckpointStore must do, as a test that takes a factory: the SQLite store runs it
 * (sqlite/checkpoint-store.test.ts), and so must the PostgreSQL one (issue 22).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, type EngineChanges, type EngineInput } from '@forecare/rules';
import { engineOfCheckpoint } from '../../engine/checkpoint-data.js';
import { loadRuleFiles } from '../../engine/rule-files.js';
import type { CheckpointStore } from '../ports/checkpoints.js';

export interface CheckpointStoreHarness {
  readonly checkpoints: CheckpointStore;
  /** Damages the engine's stored checkpoint as a disk fault or a hand edit would. */
  corrupt(): Promise<void>;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 10, 24, 12, 0);
const opts = { rules: loadRuleFiles(''), overrides: { 'hub-offline': { silentFor: 60_000 } }, trackChanges: true };
const fault = (appliance: number, at: number): EngineInput => ({ kind: 'fault', hubId: `h${appliance % 3}`, applianceId: `a${appliance}`, applianceType: 'refrigerator', seq: 1, deviceTs: at, at, code: 'E-CMP-01', active: true });
const alarmKeys = (e: Engine): string[] => e.alarms().map((a) => a.alarmKey).sort();

async function loaded(checkpoints: CheckpointStore): Promise<{ pos: number; keys: string[] } | undefined> {
  const data = await checkpoints.load();
  return data === undefined ? undefined : { pos: data.pos, keys: alarmKeys(engineOfCheckpoint(data, opts)) };
}

export function checkpointStoreContract(name: string, open: () => Promise<CheckpointStoreHarness>): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    let h: CheckpointStoreHarness | undefined;
    const harness = async (): Promise<CheckpointStoreHarness> => (h = await open());
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it('has no checkpoint and no reader position before the first save', async () => {
      const { checkpoints } = await harness();
      expect(await checkpoints.load()).toBeUndefined();
      expect(await checkpoints.position('influx')).toBeUndefined();
    });

    it('loads what was saved, the later changes over the earlier ones, at the later position; reset forgets it', async () => {
      const { checkpoints } = await harness();
      const engine = new Engine(opts);
      for (let i = 0; i < 20; i++) engine.ingest(fault(i, T0 + i));
      await checkpoints.save(engine.takeChanges(), 20, T0);
      engine.ingest(fault(25, T0 + 100));
      await checkpoints.save(engine.takeChanges(), 21, T0 + 100);
      expect(await loaded(checkpoints)).toEqual({ pos: 21, keys: alarmKeys(engine) });
      const restored = engineOfCheckpoint((await checkpoints.load()) as never, opts);
      const later = T0 + 120_000;
      expect(restored.tick(later).map((e) => `${e.alarmKey} ${e.transition}`)).toEqual(engine.tick(later).map((e) => `${e.alarmKey} ${e.transition}`));
      await checkpoints.reset();
      expect(await checkpoints.load()).toBeUndefined();
    });

    it('forgets the parts the changes mark as gone (null) and keeps the others', async () => {
      const { checkpoints } = await harness();
      const engine = new Engine(opts);
      for (let i = 0; i < 4; i++) engine.ingest(fault(i, T0 + i));
      const first = engine.takeChanges();
      await checkpoints.save(first, 4, T0);
      expect([first.alarms.length, first.work.length]).toEqual([4, expect.any(Number) as unknown]);
      const goneAlarm = first.alarms[0]?.[0] as string;
      const goneWork = first.work[0]?.[0] as string;
      await checkpoints.save({ version: first.version, wheel: first.wheel, hubs: [], appliances: [], alarms: [[goneAlarm, null]], work: [[goneWork, null]], timers: [] }, 5, T0 + 5);
      const data = await checkpoints.load();
      if (data === undefined || !('parts' in data)) throw new Error(`a checkpoint of parts was expected, got ${JSON.stringify(data)}`);
      expect(data.pos).toBe(5);
      expect(data.parts.alarms.map((a) => a.alarmKey).sort()).toEqual(first.alarms.map(([k]) => k).filter((k) => k !== goneAlarm).sort());
      expect(data.parts.work.map(([k]) => k).sort()).toEqual(first.work.map(([k]) => k).filter((k) => k !== goneWork).sort());
      expect(data.parts.appliances).toHaveLength(4);
    });

    it('keeps reader positions apart from the engine checkpoint and from each other', async () => {
      const { checkpoints } = await harness();
      await checkpoints.savePosition('influx', 40, T0);
      await checkpoints.savePosition('other', 7, T0);
      await checkpoints.savePosition('influx', 41, T0 + 1);
      expect(await checkpoints.position('influx')).toBe(41);
      expect(await checkpoints.position('other')).toBe(7);
      expect(await checkpoints.load()).toBeUndefined();
      const engine = new Engine(opts);
      engine.ingest(fault(1, T0));
      await checkpoints.save(engine.takeChanges(), 3, T0);
      expect(await checkpoints.position('influx')).toBe(41);
      expect((await checkpoints.load())?.pos).toBe(3);
    });

    it('a load while a checkpoint is written sees the one before or the one after, never a mix', async () => {
      const { checkpoints } = await harness();
      const engine = new Engine(opts);
      for (let i = 0; i < 10; i++) engine.ingest(fault(i, T0 + i));
      await checkpoints.save(engine.takeChanges(), 10, T0);
      const before = alarmKeys(engine);
      for (let i = 10; i < 30; i++) engine.ingest(fault(i, T0 + i));
      const after = alarmKeys(engine);
      const [a, , b] = await Promise.all([loaded(checkpoints), checkpoints.save(engine.takeChanges(), 30, T0 + 30), loaded(checkpoints)]);
      for (const seen of [a, b]) expect([JSON.stringify({ pos: 10, keys: before }), JSON.stringify({ pos: 30, keys: after })]).toContain(JSON.stringify(seen));
      expect(await loaded(checkpoints)).toEqual({ pos: 30, keys: after });
    });

    it('a save that fails part-way leaves the checkpoint before it whole', async () => {
      const { checkpoints } = await harness();
      const engine = new Engine(opts);
      for (let i = 0; i < 5; i++) engine.ingest(fault(i, T0 + i));
      await checkpoints.save(engine.takeChanges(), 5, T0);
      const saved = await loaded(checkpoints);
      engine.ingest(fault(6, T0 + 10));
      const changes = engine.takeChanges();
      // A value no store can write (JSON has no BigInt), after parts that it could.
      const poisoned: EngineChanges = { ...changes, timers: [...changes.timers, ['poison', 10n as unknown as number]] };
      await expect(checkpoints.save(poisoned, 6, T0 + 10)).rejects.toThrow();
      expect(await loaded(checkpoints)).toEqual(saved);
    });

    it('an unreadable checkpoint rejects with its code, and reset makes the store usable again', async () => {
      const h = await harness();
      const engine = new Engine(opts);
      engine.ingest(fault(1, T0));
      await h.checkpoints.save(engine.takeChanges(), 1, T0);
      await h.corrupt();
      await expect(h.checkpoints.load()).rejects.toMatchObject({ code: 'GW_ERR_CHECKPOINT_UNREADABLE' });
      await h.checkpoints.reset();
      expect(await h.checkpoints.load()).toBeUndefined();
      await h.checkpoints.save(engine.takeChanges(), 2, T0);
      expect((await h.checkpoints.load())?.pos).toBe(2);
    });
  });
}
