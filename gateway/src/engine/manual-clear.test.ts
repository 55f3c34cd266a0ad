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
import { AlarmApplier } from './alarm-applier.js';
import { ThreadEngineHost } from './engine-host.js';
import { loadRuleFiles } from './rule-files.js';
import { RuleRunner } from './rule-runner.js';
import { fileRulesVersion } from './rule-versions.js';
import { SqliteCheckpointStore } from '../store/sqlite/checkpoint-store.js';
import { sqliteEngineStores } from '../store/sqlite/engine-stores.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0);
const FRIDGE_ALARM = 'h1/h1.fridge|fault-code|E-CMP-01';

async function parts(store: Store, clock: ManualClock, threaded: boolean) {
  const metrics = new Metrics({ defaultMetrics: false });
  const logger = createLogger({ level: process.env.TEST_LOG ?? 'silent' });
  const customers = new CustomerRegistry(store, clock);
  const tickets = new TicketService(store, clock, customers, metrics, { reopenWindowMs: 30 * 86_400_000 });
  const alarms = new AlarmStore(store, clock);
  const service = new ServiceLoop(alarms, tickets, customers, new ContactService(new Outbox(store, clock, metrics), logger), metrics, logger);
  const rules = loadRuleFiles('');
  const stores = sqliteEngineStores(store, { writerThread: false, synchronous: 'NORMAL', inlineMax: 0, logger });
  const runner = new RuleRunner(stores, new AlarmApplier(store, service, new EventBus(), logger), customers, clock, metrics, logger, {
    rules,
    version: await fileRulesVersion(stores.ruleVersions, clock, rules),
    tickMs: 1000,
    checkpointEveryMs: 60_000,
    overrides: { 'hub-offline': { silentFor: 60_000 } },
    ...(threaded ? { host: new ThreadEngineHost(logger) } : {}),
  });
  const journal = new Journal(stores.journal, stores.deadLetters, clock, metrics, logger, { maxBatch: 100 });
  journal.onCommitted((entries, batch) => runner.onCommitted(entries, batch));
  return { runner, journal, tickets, alarms, customers };
}
type Parts = Awaited<ReturnType<typeof parts>>;

async function started(file: string, clock: ManualClock, threaded: boolean): Promise<{ store: Store; p: Parts }> {
  const store = openStore(file);
  const p = await parts(store, clock, threaded);
  await p.runner.startHost();
  await p.runner.recover();
  return { store, p };
}

async function send(p: Parts, m: UplinkMessage): Promise<void> {
  p.journal.append(m, Buffer.from(JSON.stringify(m.payload)), () => undefined);
  p.journal.flush();
  await p.journal.settled();
  await p.runner.settled();
}

const fault = (seq: number, ts = T0): UplinkMessage => ({ kind: 'fault', hubId: 'h1', applianceId: 'h1.fridge', payload: { ts, seq, type: 'refrigerator', code: 'E-CMP-01', active: true } });

/** Ada's fridge on hub h1 with an open compressor alarm and its ticket. */
async function withFridgeFault(file: string, clock: ManualClock, threaded: boolean): Promise<{ store: Store; p: Parts }> {
  const s = await started(file, clock, threaded);
  s.p.customers.create({ customerId: 'c1', name: 'Ada', phone: '+1 555 0100' });
  s.p.customers.registerAppliance({ applianceId: 'h1.fridge', hubId: 'h1', customerId: 'c1', type: 'refrigerator' });
  await send(s.p, fault(1));
  expect(s.p.alarms.get(FRIDGE_ALARM)?.status).toBe('raised');
  return s;
}

/** Closes the store under the running runner (a crash), then starts anew on the same file. */
async function crashAndRestart(file: string, clock: ManualClock, threaded: boolean, store: Store, p: Parts): Promise<{ store: Store; p: Parts; crashed: RuleRunner }> {
  store.close();
  return { ...(await started(file, clock, threaded)), crashed: p.runner };
}

async function stopAll(r: { store: Store; p: Parts; crashed?: RuleRunner }): Promise<void> {
  await r.p.runner.stop();
  r.store.close();
  if (r.crashed !== undefined) await (r.crashed as unknown as { host: { stop(): Promise<void> } }).host.stop();
}

const fresh = (): { file: string; clock: ManualClock } => ({ file: join(mkdtempSync(join(tmpdir(), 'manual-clear-')), 'db.sqlite'), clock: new ManualClock(T0) });

describe.each([
  ['on the event loop', false],
  ['on its own thread', true],
])('clearing an alarm by hand, engine %s', (_where, threaded) => {
  it('records cleared (manual, by whom), leaves the ticket as it is, refuses a second clear, and stays cleared after a crash', async () => {
    const { file, clock } = fresh();
    const { store, p } = await withFridgeFault(file, clock, threaded);
    const ticketId = p.alarms.get(FRIDGE_ALARM)?.ticketId ?? '';
    clock.advance(60_000);
    // Two clears at once: the engine takes them in order, and only the first finds the alarm open.
    const [first, second] = await Promise.all([p.runner.clear(FRIDGE_ALARM, 'erik'), p.runner.clear(FRIDGE_ALARM, 'ada')]);
    expect(first).toMatchObject([{ transition: 'cleared', reason: 'manual', by: 'erik', at: T0 + 60_000 }]);
    expect(second).toEqual([]);
    expect(p.alarms.get(FRIDGE_ALARM)?.status).toBe('cleared');
    expect(p.alarms.history(FRIDGE_ALARM).map((e) => [e.transition, e.reason, e.by])).toEqual([
      ['raised', undefined, undefined],
      ['cleared', 'manual', 'erik'],
    ]);
    // The ticket is the dispatcher's to finish: still open.
    expect(p.tickets.require(ticketId).status).toBe('open');
    const r = await crashAndRestart(file, clock, threaded, store, p);
    expect(r.p.runner.openAlarms()).toBe(0);
    expect(r.p.alarms.history(FRIDGE_ALARM)).toHaveLength(2);
    // The fault reported again is a new alarm (raised, first seen now), attached to the same open ticket.
    clock.advance(60_000);
    await send(r.p, fault(2, T0 + 120_000));
    expect(r.p.alarms.history(FRIDGE_ALARM).map((e) => [e.transition, e.firstSeen])).toEqual([
      ['raised', T0],
      ['cleared', T0],
      ['raised', T0 + 120_000],
    ]);
    expect(r.p.alarms.get(FRIDGE_ALARM)?.ticketId).toBe(ticketId);
    expect(r.p.tickets.list().filter((t) => t.faultClass === 'compressor')).toHaveLength(1);
    await stopAll(r);
  });

  it('a clear recorded after the last checkpoint (its checkpoint failed, then a crash) is applied again on restart, once', async () => {
    const { file, clock } = fresh();
    const { store, p } = await withFridgeFault(file, clock, threaded);
    await p.runner.checkpoint(); // holds the open alarm
    clock.advance(60_000);
    const save = vi.spyOn(SqliteCheckpointStore.prototype, 'save').mockImplementationOnce(() => Promise.reject(new Error('disk full')));
    expect(await p.runner.clear(FRIDGE_ALARM, 'erik')).toHaveLength(1);
    save.mockRestore();
    const r = await crashAndRestart(file, clock, threaded, store, p);
    // Restored with the alarm open, the engine took the recorded clear again: nothing open, no second event.
    expect(r.p.runner.openAlarms()).toBe(0);
    expect(r.p.alarms.history(FRIDGE_ALARM).map((e) => e.transition)).toEqual(['raised', 'cleared']);
    // And a restart after that (a checkpoint now holds the clear) changes nothing.
    const again = await crashAndRestart(file, clock, threaded, r.store, r.p);
    expect(again.p.runner.openAlarms()).toBe(0);
    expect(again.p.alarms.history(FRIDGE_ALARM)).toHaveLength(2);
    await stopAll(again);
    await (r.p.runner as unknown as { host: { stop(): Promise<void> } }).host.stop();
  });

  it('a hub-offline alarm cleared by hand closes no ticket: the hub is not back', async () => {
    const { file, clock } = fresh();
    const { store, p } = await started(file, clock, threaded);
    p.customers.create({ customerId: 'c1', name: 'Ada', phone: '+1 555 0100', hubId: 'h1' } as never);
    await send(p, { kind: 'heartbeat', hubId: 'h1', payload: { ts: T0, seq: 1 } });
    clock.advance(61_000);
    await p.runner.tick();
    const offline = p.alarms.list({ status: ['raised'] }).find((a) => a.ruleId === 'hub-offline');
    expect(offline?.ticketId).toBeTruthy();
    const ticketId = offline?.ticketId ?? '';
    expect(p.tickets.require(ticketId).status).toBe('open');
    expect(await p.runner.clear(offline?.alarmKey ?? '', 'mia')).toMatchObject([{ transition: 'cleared', reason: 'manual' }]);
    expect(p.tickets.require(ticketId).status).toBe('open');
    await stopAll({ store, p });
  });
});
