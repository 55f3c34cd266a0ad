import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { UplinkMessage } from '@forecare/firmware-contracts';
import { AlarmStore } from '../alarms/alarm-store.js';
import { ManualClock } from '../clock.js';
import { CustomerRegistry } from '../customers/customer-registry.js';
import { EventBus } from '../events/bus.js';
import { Journal } from '../ingest/journal.js';
import { createLogger } from '../log.js';
import { Metrics } from '../metrics/metrics.js';
import { Outbox } from '../outbox/outbox.js';
import { ContactService } from '../service/contact-service.js';
import { ServiceLoop } from '../service/service.js';
import { openStore, type Store } from '../store/db.js';
import { TicketService } from '../tickets/ticket-service.js';
import { loadRuleFiles } from './rule-files.js';
import { ThreadEngineHost } from './engine-host.js';
import { ChartHistory } from '../sinks/chart-history.js';
import { JournalListeners } from '../sinks/journal-listener.js';
import { Presence } from '../sinks/presence.js';
import { AlarmApplier } from './alarm-applier.js';
import { RuleRunner } from './rule-runner.js';
import { fileRulesVersion } from './rule-versions.js';
import { SqliteCheckpointStore } from '../store/sqlite/checkpoint-store.js';
import { sqliteEngineStores } from '../store/sqlite/engine-stores.js';
import { SqliteHubStore } from '../store/sqlite/hub-store.js';
import { SqliteTelemetryExcerptStore } from '../store/sqlite/telemetry-excerpt-store.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0);

async function parts(store: Store, clock: ManualClock, threaded: boolean) {
  const metrics = new Metrics({ defaultMetrics: false });
  const logger = createLogger({ level: process.env.TEST_LOG ?? 'silent' });
  const customers = new CustomerRegistry(store, clock);
  const tickets = new TicketService(store, clock, customers, metrics, { reopenWindowMs: 30 * 86_400_000 });
  const alarms = new AlarmStore(store, clock);
  const outbox = new Outbox(store, clock, metrics);
  const service = new ServiceLoop(alarms, tickets, customers, new ContactService(outbox, logger), metrics, logger);
  const rules = loadRuleFiles('');
  const listeners = new JournalListeners(store, logger, [new Presence(new SqliteHubStore(store), customers, logger), new ChartHistory(new SqliteTelemetryExcerptStore(store), logger)]);
  const stores = sqliteEngineStores(store, { writerThread: false, synchronous: 'NORMAL', inlineMax: 0, logger });
  const runner = new RuleRunner(stores, new AlarmApplier(store, service, new EventBus(), logger), customers, clock, metrics, logger, {
    rules,
    version: await fileRulesVersion(stores.ruleVersions, clock, rules),
    listeners,
    tickMs: 1000,
    checkpointEveryMs: 60_000,
    overrides: { 'hub-offline': { silentFor: 60_000 } },
    ...(threaded ? { host: new ThreadEngineHost(logger) } : {}),
  });
  const journal = new Journal(stores.journal, stores.deadLetters, clock, metrics, logger, { maxBatch: 100 });
  journal.onCommitted((entries, batch) => runner.onCommitted(entries, batch));
  return { runner, journal, tickets, alarms, outbox, customers, service };
}

const fault = (seq: number, code = 'E-CMP-01'): UplinkMessage => ({ kind: 'fault', hubId: 'h1', applianceId: 'h1.fridge', payload: { ts: T0, seq, type: 'refrigerator', code, active: true } });

/** A fridge's first telemetry reading on hub h1: one new appliance in the engine. */
const firstReport = (applianceId: string): UplinkMessage => ({ kind: 'telemetry', hubId: 'h1', applianceId, payload: { ts: T0, seq: 1, type: 'refrigerator', metrics: { fridge_temp_c: 4 } } });

/** Journals a message as the broker would: the raw bytes are the payload's JSON. */
function append(journal: Journal, m: UplinkMessage): void {
  journal.append(m, Buffer.from(JSON.stringify(m.payload)), () => undefined);
}

/** Commits what was appended and waits until the rules have applied it. */
async function commit(journal: Journal, runner: RuleRunner): Promise<void> {
  journal.flush();
  await journal.settled();
  await runner.settled();
}

/** A runner on the store in `file`, its engine started and recovered. */
async function started(file: string, clock: ManualClock, threaded: boolean) {
  const store = openStore(file);
  const p = await parts(store, clock, threaded);
  await p.runner.startHost();
  const { replayed } = await p.runner.recover();
  return { store, p, replayed };
}

/** Closes the store under a running runner (a crash), then starts anew on the same file; `crashed` is the old runner, whose thread is left to end. */
async function crashAndRestart(file: string, clock: ManualClock, threaded: boolean, store: Store, p: Awaited<ReturnType<typeof parts>>) {
  const crashed = p.runner;
  store.close();
  return { ...(await started(file, clock, threaded)), crashed };
}

/** Ends a test that restarted after a crash: the new runner and store, then the crashed runner's thread. */
async function stopAfterCrash(r: Awaited<ReturnType<typeof crashAndRestart>>): Promise<void> {
  await r.p.runner.stop();
  r.store.close();
  await stopHost(r.crashed);
}

/** A repeat of fault 1 attaches to its open ticket instead of opening a second one. */
async function expectRepeatAttaches(p: Awaited<ReturnType<typeof parts>>): Promise<void> {
  append(p.journal, fault(2));
  await commit(p.journal, p.runner);
  expect(p.tickets.list()).toHaveLength(1);
  expect(p.tickets.list()[0]?.alarmCount).toBe(2);
}

/** A runner on `file` whose engine has judged fault 1 of Ada's fridge (a ticket is open). */
async function withFridgeFault(file: string, clock: ManualClock, threaded: boolean) {
  const s = await started(file, clock, threaded);
  registerFridge(s.p);
  append(s.p.journal, fault(1));
  await commit(s.p.journal, s.p.runner);
  return s;
}

/** Ada's fridge h1.fridge, so its faults open tickets. */
function registerFridge(p: Awaited<ReturnType<typeof parts>>): void {
  p.customers.create({ customerId: 'c1', name: 'Ada', phone: '+1 555 0100' });
  p.customers.registerAppliance({ applianceId: 'h1.fridge', hubId: 'h1', customerId: 'c1', type: 'refrigerator' });
}

const newFile = (): string => join(mkdtempSync(join(tmpdir(), 'runner-')), 'db.sqlite');

/** A new store file and a clock at T0. */
const fresh = (): { file: string; clock: ManualClock } => ({ file: newFile(), clock: new ManualClock(T0) });

describe.each([
  ['on the event loop', false],
  ['on its own thread', true],
])('rule runner, engine %s', (_where, threaded) => {
  it('replays the journal after a crash without acting twice', async () => {
    const { file, clock } = fresh();
    let { store, p } = await withFridgeFault(file, clock, threaded);
    expect(p.tickets.list()).toHaveLength(1);
    expect(p.outbox.list()).toHaveLength(1);
    // Crash: no checkpoint was written after the fault, so a restart replays it.
    const restarted = await crashAndRestart(file, clock, threaded, store, p);
    ({ store, p } = restarted);
    expect(restarted.replayed).toBeGreaterThanOrEqual(1);
    expect(p.tickets.list()).toHaveLength(1);
    expect(p.outbox.list()).toHaveLength(1);
    // The engine's state came back: a repeat attaches, it does not open a second ticket.
    await expectRepeatAttaches(p);
    await stopAfterCrash(restarted);
  });

  it('replays past a damaged journal row instead of stopping at it or crashing: the fault after it is judged once', async () => {
    const { file, clock } = fresh();
    const first = await started(file, clock, threaded);
    registerFridge(first.p);
    // Two rows as a disk fault could leave them: a damaged one, then a good fault behind it; no checkpoint covers them.
    const put = first.store.journal.prepare('INSERT INTO journal (received_at, hub_id, appliance_id, kind, payload) VALUES (?, ?, ?, ?, ?)');
    put.run(T0, 'h1', 'h1.fridge', 'fault', Buffer.from('{"ts":1,"se'));
    put.run(T0, 'h1', 'h1.fridge', 'fault', Buffer.from(JSON.stringify(fault(1).payload)));
    const restarted = await crashAndRestart(file, clock, threaded, first.store, first.p);
    const { p } = restarted;
    expect(restarted.replayed).toBe(1);
    expect(p.tickets.list()).toHaveLength(1);
    await expectRepeatAttaches(p);
    await stopAfterCrash(restarted);
  });

  it('checkpoints before its time once a thousand parts changed, so a restart replays only what came after', async () => {
    const file = newFile();
    const clock = new ManualClock(T0); // never advances: the 60 s interval never comes due
    let { store, p } = await started(file, clock, threaded);
    // 1,200 appliances report for the first time: each is a changed part.
    for (let i = 0; i < 1200; i++) append(p.journal, firstReport(`h1.f${i}`));
    await commit(p.journal, p.runner);
    const restarted = await crashAndRestart(file, clock, threaded, store, p);
    ({ store, p } = restarted);
    // A checkpoint was written once the changes passed 1,000 (batches of 100), with the position
    // handed to the engine by then: at most the batches after it are replayed, not all 1,200.
    expect(restarted.replayed).toBeLessThanOrEqual(300);
    await stopAfterCrash(restarted);
  });

  it('a checkpoint that could not be written goes with the next one: a restart after it still knows the open alarm', async () => {
    const { file, clock } = fresh();
    let { store, p } = await withFridgeFault(file, clock, threaded);
    // The first write fails (a full disk): the engine has handed over its changes all the same.
    const save = vi.spyOn(SqliteCheckpointStore.prototype, 'save').mockImplementationOnce(() => Promise.reject(new Error('disk full')));
    await p.runner.checkpoint();
    save.mockRestore();
    // Only another appliance changes after it; the next checkpoint, at a later position, succeeds.
    append(p.journal, firstReport('h1.f2'));
    await commit(p.journal, p.runner);
    await p.runner.checkpoint();
    const restarted = await crashAndRestart(file, clock, threaded, store, p);
    ({ store, p } = restarted);
    expect(restarted.replayed).toBe(0);
    // The fridge's alarm came back from the checkpoint: the engine counts it, and a repeat attaches to it.
    expect(p.runner.openAlarms()).toBe(1);
    await expectRepeatAttaches(p);
    await stopAfterCrash(restarted);
  });

  it('raises hub-offline from the timer while the hub stays silent, and survives a checkpointed restart; the outage itself is no silence', async () => {
    const file = newFile();
    const clock = new ManualClock(T0);
    let { store, p } = await started(file, clock, threaded);
    append(p.journal, { kind: 'heartbeat', hubId: 'h1', payload: { ts: T0, seq: 1 } });
    await commit(p.journal, p.runner);
    clock.advance(20_000);
    await p.runner.tick(); // heard nothing for 20 s while running
    await p.runner.stop();
    store.close();
    clock.advance(600_000); // the gateway was down for 10 minutes: no hub could reach it
    const restarted = await started(file, clock, threaded);
    ({ store, p } = restarted);
    expect(restarted.replayed).toBe(0);
    await p.runner.tick();
    expect(p.alarms.list({ status: ['raised'] }).map((a) => a.ruleId)).not.toContain('hub-offline');
    clock.advance(39_000);
    await p.runner.tick();
    expect(p.alarms.list({ status: ['raised'] }).map((a) => a.ruleId)).not.toContain('hub-offline');
    clock.advance(2_000); // 20 s before the outage and 41 s after it: past the 60 s silence
    await p.runner.tick();
    expect(p.alarms.list({ status: ['raised'] }).map((a) => a.ruleId)).toContain('hub-offline');
    await p.runner.stop();
    store.close();
  });

  it('rebuilds the engine when a batch cannot be applied, and loses none of its alarms', async () => {
    const { store, p } = await started(newFile(), new ManualClock(T0), threaded);
    registerFridge(p);
    // The first attempt to apply the fault's alarm fails (as a full disk would): the batch is
    // journaled, so the runner rebuilds the engine from its checkpoint and replays it.
    const apply = p.service.apply.bind(p.service);
    let failures = 1;
    p.service.apply = (e) => {
      if (failures-- > 0) throw new Error('disk full');
      return apply(e);
    };
    append(p.journal, fault(1));
    await commit(p.journal, p.runner);
    await p.runner.recover();
    expect(p.tickets.list()).toHaveLength(1);
    expect(p.alarms.list({ status: ['raised'] }).map((a) => a.ruleId)).toContain('fault-code');
    await p.runner.stop();
    store.close();
  });
});

describe('rule runner, engine thread lost', () => {
  it('rebuilds the engine on a new thread from its checkpoint and the journal: no alarm is lost or doubled', async () => {
    const { store, p } = await started(newFile(), new ManualClock(T0), true);
    registerFridge(p);
    append(p.journal, fault(1));
    await commit(p.journal, p.runner);
    await p.runner.checkpoint();
    // The thread dies with a batch in hand (as a crash of the engine would).
    const host = (p.runner as unknown as { host: { thread: { worker: { terminate(): Promise<number> } } } }).host;
    append(p.journal, fault(2, 'E-DOOR-07'));
    p.journal.flush();
    await host.thread.worker.terminate();
    await p.journal.settled();
    // The new thread took over: the lost batch was replayed, and what follows is judged as before.
    await vi.waitFor(async () => {
      await p.runner.settled();
      expect(p.alarms.list({ status: ['raised'] }).map((a) => a.title).sort()).toHaveLength(2);
    });
    append(p.journal, fault(3));
    await commit(p.journal, p.runner);
    expect(p.alarms.list({ status: ['raised'] })).toHaveLength(2);
    expect(p.tickets.list()).toHaveLength(2);
    await p.runner.stop();
    store.close();
  });
});

/** A runner whose store was closed under it (a crash): only its thread is left to end. */
async function stopHost(runner: RuleRunner): Promise<void> {
  await (runner as unknown as { host: { stop(): Promise<void> } }).host.stop();
}
