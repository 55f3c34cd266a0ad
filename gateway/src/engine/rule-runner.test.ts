import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UplinkMessage } from '@forecare/firmware-contracts';
import { AlarmStore } from '../alarms/alarm-store.js';
import { ManualClock } from '../clock.js';
import { CustomerRegistry } from '../customers/customer-registry.js';
import { EventBus } from '../events/bus.js';
import { Journal } from '../ingest/journal.js';
import { createLogger } from '../log.js';
import { Metrics } from '../metrics/metrics.js';
import { Outbox } from '../outbox/outbox.js';
import { ServiceLoop } from '../service/service.js';
import { openStore, type Store } from '../store/db.js';
import { TicketService } from '../tickets/ticket-service.js';
import { loadRuleFiles } from './rule-files.js';
import { RuleRunner } from './rule-runner.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0);

function parts(store: Store, clock: ManualClock) {
  const metrics = new Metrics({ defaultMetrics: false });
  const logger = createLogger({ level: process.env.TEST_LOG ?? 'silent' });
  const customers = new CustomerRegistry(store, clock);
  const tickets = new TicketService(store, clock, customers, metrics, { reopenWindowMs: 30 * 86_400_000 });
  const alarms = new AlarmStore(store, clock);
  const outbox = new Outbox(store, clock, metrics);
  const service = new ServiceLoop(alarms, tickets, customers, outbox, metrics, logger);
  const runner = new RuleRunner(store, service, customers, clock, metrics, logger, new EventBus(), loadRuleFiles(''), {
    tickMs: 1000,
    checkpointEveryMs: 60_000,
    overrides: { 'hub-offline': { silentFor: 60_000 } },
  });
  const journal = new Journal(store, clock, metrics, logger, { maxBatch: 100 });
  journal.onCommitted((entries) => runner.onCommitted(entries));
  return { runner, journal, tickets, alarms, outbox, customers };
}

const fault = (seq: number, code = 'E-CMP-01'): UplinkMessage => ({ kind: 'fault', hubId: 'h1', applianceId: 'h1.fridge', payload: { ts: T0, seq, type: 'refrigerator', code, active: true } });

/** Journals a message as the broker would: the raw bytes are the payload's JSON. */
function append(journal: Journal, m: UplinkMessage): void {
  journal.append(m, Buffer.from(JSON.stringify(m.payload)), () => undefined);
}

describe('rule runner', () => {
  it('replays the journal after a crash without acting twice', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'runner-')), 'db.sqlite');
    const clock = new ManualClock(T0);
    let store = openStore(file);
    let p = parts(store, clock);
    p.runner.recover();
    p.customers.create({ customerId: 'c1', name: 'Ada', phone: '+1 555 0100' });
    p.customers.registerAppliance({ applianceId: 'h1.fridge', hubId: 'h1', customerId: 'c1', type: 'refrigerator' });
    append(p.journal, fault(1));
    p.journal.flush();
    expect(p.tickets.list()).toHaveLength(1);
    expect(p.outbox.list()).toHaveLength(1);
    // Crash: no checkpoint was written after the fault, so a restart replays it.
    store.close();
    store = openStore(file);
    p = parts(store, clock);
    const { replayed } = p.runner.recover();
    expect(replayed).toBeGreaterThanOrEqual(1);
    expect(p.tickets.list()).toHaveLength(1);
    expect(p.outbox.list()).toHaveLength(1);
    // The engine's state came back: a repeat attaches, it does not open a second ticket.
    append(p.journal, fault(2));
    p.journal.flush();
    expect(p.tickets.list()).toHaveLength(1);
    expect(p.tickets.list()[0]?.alarmCount).toBe(2);
    store.close();
  });

  it('raises hub-offline from the timer while the hub stays silent, and survives a checkpointed restart', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'runner-')), 'db.sqlite');
    const clock = new ManualClock(T0);
    let store = openStore(file);
    let p = parts(store, clock);
    p.runner.recover();
    append(p.journal, { kind: 'heartbeat', hubId: 'h1', payload: { ts: T0, seq: 1 } });
    p.journal.flush();
    p.runner.checkpoint();
    store.close();
    clock.advance(61_000);
    store = openStore(file);
    p = parts(store, clock);
    p.runner.recover();
    p.runner.tick();
    expect(p.alarms.list({ status: ['raised'] }).map((a) => a.ruleId)).toContain('hub-offline');
    store.close();
  });
});
