import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine, type EngineInput, type EngineOptions } from '@forecare/rules';
import { engineOfCheckpoint, mergeChanges } from '../../engine/checkpoint-data.js';
import { loadRuleFiles } from '../../engine/rule-files.js';
import { checkpointStoreContract } from '../contract/checkpoint-store.contract.js';
import { openStore } from '../db.js';
import { SqliteCheckpointStore } from './checkpoint-store.js';

checkpointStoreContract('SQLite', async () => {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'forecare-cp-')), 'gw.db'));
  return Promise.resolve({
    checkpoints: new SqliteCheckpointStore(store),
    corrupt: () => Promise.resolve(void store.sqlite.prepare("UPDATE checkpoints SET snapshot = '{\"v\":\"parts\",' WHERE name = 'rules'").run()),
    close: () => Promise.resolve(store.close()),
  });
});

/** The engine the store's checkpoint holds, and its position. */
async function load(cps: SqliteCheckpointStore, o: EngineOptions): Promise<{ engine: Engine; pos: number } | undefined> {
  const data = await cps.load();
  return data === undefined ? undefined : { engine: engineOfCheckpoint(data, o), pos: data.pos };
}

const T0 = Date.UTC(2026, 10, 24, 12, 0);
const opts = { rules: loadRuleFiles(''), overrides: { 'hub-offline': { silentFor: 60_000 } }, trackChanges: true };
const fault = (appliance: number, at: number): EngineInput => ({ kind: 'fault', hubId: `h${appliance % 3}`, applianceId: `a${appliance}`, applianceType: 'refrigerator', seq: 1, deviceTs: at, at, code: 'E-CMP-01', active: true });
const sorted = (e: Engine | undefined): unknown[] => (e?.alarms() ?? []).sort((x, y) => x.alarmKey.localeCompare(y.alarmKey));
const rows = (file: string): number => (openStore(file).sqlite.prepare('SELECT count(*) AS n FROM engine_state').get() as { n: number }).n;

describe('SQLite checkpoint rows', () => {
  it('saves only what changed, and loads an engine that continues exactly like the one saved', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'forecare-cp-')), 'gw.db');
    const store = openStore(file);
    const cps = new SqliteCheckpointStore(store);
    const engine = new Engine(opts);
    for (let i = 0; i < 50; i++) engine.ingest(fault(i, T0 + i));
    await cps.save(engine.takeChanges(), 50, T0);
    const after50 = rows(file);
    expect(after50).toBeGreaterThan(100); // hubs, appliances, alarms, repeat windows
    const writes = (): number => (store.sqlite.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const before = writes();
    engine.ingest(fault(7, T0 + 1000)); // one appliance (and its hub, alarm, window) changes
    await cps.save(engine.takeChanges(), 51, T0 + 1000);
    expect(writes() - before).toBeLessThan(10);

    const loaded = await load(cps, opts);
    expect(loaded?.pos).toBe(51);
    const later = T0 + 120_000;
    const a = engine.tick(later).map((e) => `${e.alarmKey} ${e.transition} ${e.at}`);
    const b = (loaded?.engine.tick(later) ?? []).map((e) => `${e.alarmKey} ${e.transition} ${e.at}`);
    expect(a.length).toBe(3); // the three hubs go silent
    expect(b).toEqual(a);
    expect(sorted(loaded?.engine)).toEqual(sorted(engine));
  });

  it('reads a checkpoint of the earlier whole-snapshot form and writes every part on the next save', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'forecare-cp-')), 'gw.db');
    const store = openStore(file);
    const old = new Engine({ ...opts, trackChanges: false });
    for (let i = 0; i < 10; i++) old.ingest(fault(i, T0 + i));
    store.sqlite.prepare("INSERT INTO checkpoints (name, pos, at, snapshot) VALUES ('rules', 10, ?, ?)").run(T0, old.snapshot());
    const cps = new SqliteCheckpointStore(store);
    const loaded = await load(cps, opts);
    expect(loaded?.pos).toBe(10);
    expect(sorted(loaded?.engine)).toEqual(sorted(old));
    await cps.save((loaded?.engine as Engine).takeChanges(), 10, T0);
    const again = await load(cps, opts);
    expect(sorted(again?.engine)).toEqual(sorted(old));
    expect(again?.engine.tick(T0 + 120_000).length).toBe(3);
  });

  it('merges changes that were not written with the later ones: saved together they load as the engine is', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'forecare-cp-')), 'gw.db');
    const cps = new SqliteCheckpointStore(openStore(file));
    const engine = new Engine(opts);
    for (let i = 0; i < 20; i++) engine.ingest(fault(i, T0 + i));
    const lost = engine.takeChanges(); // a checkpoint whose write failed
    engine.ingest(fault(3, T0 + 1000)); // a part in both: the later value must win
    for (let i = 20; i < 25; i++) engine.ingest(fault(i, T0 + 2000 + i));
    await cps.save(mergeChanges(lost, engine.takeChanges()), 25, T0 + 3000);
    const loaded = await load(cps, opts);
    expect(sorted(loaded?.engine)).toEqual(sorted(engine));
    const later = T0 + 120_000;
    expect((loaded?.engine.tick(later) ?? []).map((e) => `${e.alarmKey} ${e.transition}`)).toEqual(engine.tick(later).map((e) => `${e.alarmKey} ${e.transition}`));
  });

  it('reads rows keyed by appliance id alone (before (hub, appliance) keys): two homes stay apart, and the next save rewrites every row under its new key', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'forecare-cp-')), 'gw.db');
    const store = openStore(file);
    const put = store.sqlite.prepare('INSERT INTO engine_state (kind, key, value) VALUES (?, ?, ?)');
    const alarm = { alarmKey: 'fridge-1|fault-code|E-FAN-01', ruleId: 'fault-code', hubId: 'home-a', applianceId: 'fridge-1', applianceType: 'refrigerator', key: 'E-FAN-01', status: 'raised', severity: 'warning', raises: ['ticket', 'notification'], title: 'fan', count: 1, firstSeen: T0, lastSeen: T0, level: 0 };
    put.run('hub', 'home-a', JSON.stringify({ lastSeen: T0, offline: false, due: T0 + 60_000 }));
    put.run('app', 'fridge-1', JSON.stringify({ hubId: 'home-a', type: 'refrigerator', lastSeen: T0, lastDeviceTs: T0, seqs: [3], metrics: {}, state: {}, timers: [['appliance-silent', T0 + 7_200_000]] }));
    put.run('alarm', alarm.alarmKey, JSON.stringify(alarm));
    put.run('work', 'fridge-1|fault-code', JSON.stringify({ faults: { 'E-FAN-01': T0 } }));
    store.sqlite.prepare("INSERT INTO checkpoints (name, pos, at, snapshot) VALUES ('rules', 5, ?, ?)").run(T0, JSON.stringify({ v: 'parts', version: 1, wheel: T0 }));
    const cps = new SqliteCheckpointStore(store);
    const loaded = (await load(cps, opts))?.engine as Engine;
    expect(loaded.alarms().map((a) => a.alarmKey)).toEqual(['home-a/fridge-1|fault-code|E-FAN-01']);
    // Another home's fridge-1 is another appliance.
    expect(loaded.ingest({ kind: 'fault', hubId: 'home-b', applianceId: 'fridge-1', applianceType: 'refrigerator', seq: 9, deviceTs: T0 + 1000, at: T0 + 1000, code: 'E-FAN-01', active: true }).map((e) => [e.transition, e.alarmKey])).toEqual([['raised', 'home-b/fridge-1|fault-code|E-FAN-01']]);
    await cps.save(loaded.takeChanges(), 6, T0 + 1000);
    const keys = (store.sqlite.prepare('SELECT kind, key FROM engine_state ORDER BY kind, key').all() as { kind: string; key: string }[]).map((r) => `${r.kind} ${r.key}`);
    expect(keys).toEqual(['alarm home-a/fridge-1|fault-code|E-FAN-01', 'alarm home-b/fridge-1|fault-code|E-FAN-01', 'app home-a/fridge-1', 'app home-b/fridge-1', 'hub home-a', 'hub home-b', 'work home-a/fridge-1|fault-code', 'work home-b/fridge-1|fault-code', 'work home-b/fridge-1|faults-repeat']);
    const again = (await load(cps, opts))?.engine;
    expect(sorted(again)).toEqual(sorted(loaded));
    // The home-a fridge's silence timer came along under its new key.
    const timers = (JSON.parse(again?.snapshot() ?? '{}') as { timers: [string, number][] }).timers;
    expect(timers).toContainEqual(['app|home-a/fridge-1|appliance-silent', T0 + 7_200_000]);
  });
});
