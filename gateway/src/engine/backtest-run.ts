/**
 * A backtest that judges exactly as the gateway does live: a recording's messages go through
 * the same parts in the same order — decode and validate, dedupe, the journal, the rule
 * runner (engine, service loop: alarms, tickets, contact decisions, the fleet red light) —
 * on a scratch store, with the clock set to each message's receive time and the rule timers
 * advanced on the same schedule (`tickMs`) the gateway's ticker keeps. It emits every alarm
 * event, fleet alert and contact decision as it happens; memory stays bounded whatever the
 * recording's size (the scratch journal is pruned as the rules take it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlarmEvent, RuleDef } from '@forecare/rules';
import { AlarmStore } from '../alarms/alarm-store.js';
import { ManualClock } from '../clock.js';
import { CustomerRegistry, type NewAppliance, type NewCustomer } from '../customers/customer-registry.js';
import { EventBus, type LiveEvent } from '../events/bus.js';
import { DEFAULT_FLEET, FleetMonitor, type FleetAlertRow, type FleetOptions } from '../fleet/fleet-monitor.js';
import { Ingest } from '../ingest/ingest.js';
import { Journal } from '../ingest/journal.js';
import { HubRegistry } from '../hubs/hub-registry.js';
import { createLogger } from '../log.js';
import { Metrics } from '../metrics/metrics.js';
import { Outbox } from '../outbox/outbox.js';
import { ContactService } from '../service/contact-service.js';
import { ServiceLoop, type ContactDecisionRecord } from '../service/service.js';
import { openStore, type Store } from '../store/db.js';
import { ChartHistory } from '../sinks/chart-history.js';
import { JournalListeners } from '../sinks/journal-listener.js';
import { Presence } from '../sinks/presence.js';
import { Retention } from '../store/retention.js';
import { TicketService } from '../tickets/ticket-service.js';
import { AlarmApplier } from './alarm-applier.js';
import { isProblem, type RecordedMessage, type RecordingProblem } from './recording.js';
import { RuleRunner } from './rule-runner.js';
import type { RuleOverrides } from './rule-runner-options.js';
import { sqliteEngineStores } from '../store/sqlite/engine-stores.js';
import { SqliteHubStore } from '../store/sqlite/hub-store.js';
import { SqliteTelemetryExcerptStore } from '../store/sqlite/telemetry-excerpt-store.js';

/** A customer of the backtest, with the hubs (households) and appliances that are theirs. */
export type BacktestCustomer = NewCustomer & { readonly hubs?: readonly string[]; readonly appliances?: readonly Omit<NewAppliance, 'customerId'>[] };

export interface BacktestSetup {
  readonly rules: RuleDef[];
  readonly overrides: RuleOverrides;
  /** How often the gateway advances rule timers (FORECARE_TICK_MS): the backtest ticks on the same schedule. */
  readonly tickMs: number;
  readonly reopenWindowMs: number;
  readonly fleet?: FleetOptions;
  readonly customers?: readonly BacktestCustomer[];
  /** How much recorded time of journal the scratch store keeps (the rules have taken it by then). */
  readonly keepJournalMs?: number;
}

export type BacktestLine =
  | ({ readonly type: 'alarm'; readonly kind: string } & AlarmEvent)
  | ({ readonly type: 'fleet-alert' } & FleetAlertRow)
  | ({ readonly type: 'contact' } & ContactDecisionRecord)
  | { readonly type: 'skipped'; readonly line?: number; readonly topic?: string; readonly problem: string };

export interface BacktestSummary {
  readonly type: 'summary';
  /** Lines read as messages. */
  readonly messages: number;
  /** Lines that were no message (not JSON, no topic…). */
  readonly skippedLines: number;
  /** Messages the contract refused (live: dead letters). */
  readonly rejected: number;
  /** Redeliveries dropped by dedupe. */
  readonly duplicates: number;
  readonly raisedByRule: Record<string, number>;
  readonly fleetAlerts: number;
  readonly contacts: { readonly sent: number; readonly suppressed: number };
  readonly from: number | null;
  readonly to: number | null;
}

/**
 * When the gateway's ticker advances the rule timers, as a backtest replays it: before the
 * first message received after a tick was due, at that tick (`tickMs` boundaries of the
 * receive time). A live run driven by hand (tests) ticks on the same schedule.
 */
export class TickSchedule {
  private next = -Infinity;

  constructor(private readonly tickMs: number) {}

  /** The tick to run before a message received at `at`, or undefined when none falls due. */
  before(at: number): number | undefined {
    if (at < this.next) return undefined;
    const first = this.next === -Infinity;
    const tick = at - (at % this.tickMs);
    this.next = tick + this.tickMs;
    return first ? undefined : tick;
  }
}

/** Records fed between two settles (and scratch-journal prunes): a batch of the journal's size. */
const CHUNK = 2000;
const PRUNE_EVERY = 200_000;

export class Backtest {
  private readonly dir = mkdtempSync(join(tmpdir(), 'forecare-backtest-'));
  private readonly clock = new ManualClock(0);
  private readonly store: Store;
  private readonly hubStore: SqliteHubStore;
  private readonly ingest: Ingest;
  private readonly journal: Journal;
  private readonly runner: RuleRunner;
  private readonly fleet: FleetMonitor;
  private readonly metrics = new Metrics({ defaultMetrics: false });
  private readonly retention: Retention;
  private readonly customers: CustomerRegistry;
  private readonly kinds: Map<string, string>;
  private readonly ticks: TickSchedule;
  private pending = 0;
  private sinceSettle = 0;
  private sincePrune = 0;
  private messages = 0;
  private skipped = 0;
  private rejected = 0;
  private first: number | null = null;
  private last: number | null = null;
  private readonly raisedByRule: Record<string, number> = {};
  private readonly contacts = { sent: 0, suppressed: 0 };
  private failure: Error | undefined;

  constructor(
    private readonly setup: BacktestSetup,
    private readonly emit: (line: BacktestLine) => void,
  ) {
    const logger = createLogger({ level: 'silent' });
    this.store = openStore(join(this.dir, 'forecare.db'));
    this.hubStore = new SqliteHubStore(this.store);
    const customers = new CustomerRegistry(this.store, this.clock);
    this.customers = customers;
    this.kinds = new Map(setup.rules.map((r) => [r.id, r.kind]));
    this.ticks = new TickSchedule(setup.tickMs);
    const tickets = new TicketService(this.store, this.clock, customers, this.metrics, { reopenWindowMs: setup.reopenWindowMs });
    this.fleet = new FleetMonitor(this.store, this.clock, this.metrics, logger, setup.fleet ?? DEFAULT_FLEET);
    const service = new ServiceLoop(new AlarmStore(this.store, this.clock), tickets, customers, new ContactService(new Outbox(this.store, this.clock, this.metrics), logger), this.metrics, logger, this.fleet, (d) => {
      this.contacts[d.send ? 'sent' : 'suppressed']++;
      this.emit({ type: 'contact', ...d });
    });
    const applier = new AlarmApplier(this.store, service, new EventBus(), logger, [(events) => this.report(events)]);
    // A scratch store has no deploy history: the recording is judged by one version of the rules.
    const options = { rules: setup.rules, version: 1, tickMs: setup.tickMs, checkpointEveryMs: 60_000, overrides: setup.overrides };
    const stores = sqliteEngineStores(this.store, { writerThread: false, synchronous: 'NORMAL', inlineMax: 0, logger });
    this.runner = new RuleRunner(stores, applier, customers, this.clock, this.metrics, logger, { ...options, listeners: new JournalListeners(this.store, logger, [new Presence(this.hubStore, customers, logger), new ChartHistory(new SqliteTelemetryExcerptStore(this.store), logger)]) });
    this.journal = new Journal(stores.journal, stores.deadLetters, this.clock, this.metrics, logger, { maxBatch: 1000 });
    this.ingest = new Ingest(this.journal, this.clock, this.metrics, logger, () => undefined);
    this.retention = new Retention(this.store, this.clock, logger, setup.keepJournalMs ?? 3_600_000, ['rules']);
  }

  /** The alarms and fleet alerts a batch raised, as report lines. */
  private report(events: readonly LiveEvent[]): void {
    for (const l of events) {
      if (l.type !== 'alarm') continue;
      const data = l.data as Partial<AlarmEvent> & { fleetAlert?: string };
      if (data.fleetAlert !== undefined) {
        const alert = this.fleet.list().find((a) => a.alertId === data.fleetAlert);
        if (alert !== undefined) this.emit({ type: 'fleet-alert', ...alert });
      } else if (data.ruleId !== undefined && data.transition !== undefined) {
        const e = data as AlarmEvent;
        if (e.transition === 'raised') this.raisedByRule[e.ruleId] = (this.raisedByRule[e.ruleId] ?? 0) + 1;
        this.emit({ type: 'alarm', kind: this.kinds.get(e.ruleId) ?? 'unknown', ...e });
      }
    }
  }

  async start(): Promise<void> {
    const hubs = new HubRegistry(this.hubStore, this.clock);
    for (const c of this.setup.customers ?? []) {
      const { appliances = [], hubs: own = [], ...customer } = c;
      const row = this.customers.create(customer);
      for (const hubId of own) await hubs.provision({ hubId, customerId: row.customerId });
      // An appliance is (hub, appliance): another home's appliance of the same id is registered beside it, as the API does.
      for (const a of appliances) this.customers.registerAppliance({ ...a, customerId: row.customerId });
    }
    await this.journal.start();
    await this.runner.recover();
    this.journal.onCommitted((entries, batch) => this.runner.onCommitted(entries, batch));
  }

  /** One line of the recording: a message, or a line that is none (reported, skipped). */
  async feed(m: RecordedMessage | RecordingProblem): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (isProblem(m)) {
      this.skipped++;
      this.emit({ type: 'skipped', line: m.line, problem: m.problem });
      return;
    }
    this.messages++;
    // The gateway's ticker: before a message received after a tick was due, the timers are advanced to that tick.
    const tick = this.ticks.before(m.at);
    if (tick !== undefined) await this.tickTo(tick);
    this.first ??= m.at;
    this.last = Math.max(this.last ?? m.at, m.at);
    this.clock.set(m.at);
    const hubId = m.topic.split('/')[2] ?? '';
    this.pending++;
    this.ingest.accept({ hubId, clientId: null }, m.topic, m.payload, (err, refused) => {
      this.pending--;
      if (err !== undefined) this.failure = err;
      else if (refused === true) this.rejected++;
    });
    if (++this.sinceSettle >= CHUNK) await this.settle();
  }

  private async tickTo(at: number): Promise<void> {
    await this.settle();
    this.clock.set(Math.max(at, this.clock.now()));
    await this.runner.tick();
  }

  /** Everything fed so far committed, judged and applied; the scratch journal pruned now and then. */
  private async settle(): Promise<void> {
    this.sincePrune += this.sinceSettle;
    this.sinceSettle = 0;
    await this.journal.settled();
    await this.runner.settled();
    if (this.failure !== undefined) throw this.failure;
    if (this.sincePrune >= PRUNE_EVERY) {
      this.sincePrune = 0;
      await this.runner.checkpoint();
      this.retention.prune();
    }
  }

  /** The end of the recording: timers due by its last message fire; then the summary. */
  async finish(): Promise<BacktestSummary> {
    await this.settle();
    if (this.last !== null) await this.tickTo(this.last);
    const duplicates = (await this.metrics.duplicates.get()).values.reduce((n, v) => n + v.value, 0);
    return {
      type: 'summary',
      messages: this.messages,
      skippedLines: this.skipped,
      rejected: this.rejected,
      duplicates,
      raisedByRule: this.raisedByRule,
      fleetAlerts: this.fleet.list().length,
      contacts: { ...this.contacts },
      from: this.first,
      to: this.last,
    };
  }

  /** Removes the scratch store. */
  async close(): Promise<void> {
    await this.runner.stop().catch(() => undefined);
    await this.journal.close().catch(() => undefined);
    this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs a whole recording through a backtest; every line goes to `emit`, the summary is returned. */
export async function runBacktest(setup: BacktestSetup, messages: AsyncIterable<RecordedMessage | RecordingProblem> | Iterable<RecordedMessage | RecordingProblem>, emit: (line: BacktestLine) => void): Promise<BacktestSummary> {
  const bt = new Backtest(setup, emit);
  try {
    await bt.start();
    for await (const m of messages) await bt.feed(m);
    return await bt.finish();
  } finally {
    await bt.close();
  }
}
