import { desc } from 'drizzle-orm';
import type { UplinkMessage } from '@forecare/firmware-contracts';
import { Engine, type AlarmEvent, type EngineInput, type RuleDef } from '@forecare/rules';
import type { Clock } from '../clock.js';
import type { CustomerRegistry } from '../customers/customer-registry.js';
import type { EventBus, LiveEvent } from '../events/bus.js';
import type { JournalEntry } from '../ingest/journal.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ServiceLoop } from '../service/service.js';
import type { Store } from '../store/db.js';
import { ruleVersions } from '../store/schema.js';
import { CheckpointStore, type LoadedCheckpoint } from './checkpoint-store.js';


export type RuleOverrides = Record<string, Record<string, number | string | boolean>>;

export interface RuleRunnerOptions {
  readonly tickMs: number;
  readonly checkpointEveryMs: number;
  readonly overrides: RuleOverrides;
}

const SEEN_WRITE_EVERY_MS = 30_000;
const TELEMETRY_ROW_EVERY_MS = 10_000;
const REPLAY_CHUNK = 2000;

/** true (and remembers `at`) when `key` was last written `every` ms ago or more, or never; a clock step back counts as due. */
function due(written: Map<string, number>, key: string, at: number, every: number): boolean {
  const last = written.get(key);
  if (last !== undefined && at - last < every && at >= last) return false;
  if (written.size > 1_000_000) written.clear();
  written.set(key, at);
  return true;
}

/** Rebuilds the contract message a journal row holds (it was validated before it was written). */
export function messageOfRow(row: { kind: string; hub_id: string; appliance_id: string | null; payload: string | Buffer }): UplinkMessage {
  const payload = JSON.parse(row.payload.toString()) as never;
  return { kind: row.kind, hubId: row.hub_id, ...(row.appliance_id !== null ? { applianceId: row.appliance_id } : {}), payload } as UplinkMessage;
}

/** Engine inputs for one journal entry: batched telemetry samples first (oldest first), then the message itself. */
export function engineInputs(entry: JournalEntry): EngineInput[] {
  const m = entry.message;
  const at = entry.receivedAt;
  switch (m.kind) {
    case 'status':
      return [{ kind: 'status', hubId: m.hubId, state: m.payload.state, at }];
    case 'heartbeat':
      return [{ kind: 'heartbeat', hubId: m.hubId, seq: m.payload.seq, deviceTs: m.payload.ts, at, appliances: m.payload.appliances }];
    case 'fault':
      return [{ kind: 'fault', hubId: m.hubId, applianceId: m.applianceId, applianceType: m.payload.type, seq: m.payload.seq, deviceTs: m.payload.ts, at, code: m.payload.code, active: m.payload.active }];
    case 'inventory':
      return [{ kind: 'inventory', hubId: m.hubId, applianceId: m.applianceId, applianceType: m.payload.type, seq: m.payload.seq, deviceTs: m.payload.ts, at, items: m.payload.items }];
    case 'telemetry': {
      // Built field by field (no spreads): this runs for every message.
      const p = m.payload;
      const latest: EngineInput = { kind: 'telemetry', hubId: m.hubId, applianceId: m.applianceId, applianceType: p.type, seq: p.seq, deviceTs: p.ts, at, metrics: p.metrics, state: p.state };
      if (p.samples === undefined || p.samples.length === 0) return [latest];
      const inputs: EngineInput[] = [];
      for (const s of p.samples) {
        // Server time of an earlier sample: arrival minus its age on the device clock.
        inputs.push({ kind: 'telemetry', hubId: m.hubId, applianceId: m.applianceId, applianceType: p.type, seq: s.seq, deviceTs: s.ts, at: Math.min(at, at - Math.max(0, p.ts - s.ts)), metrics: s.metrics, state: s.state });
      }
      inputs.push(latest);
      return inputs;
    }
  }
}

/**
 * Drives the rules engine from the journal: every committed batch goes through the engine,
 * its alarm events through the service loop, in one transaction per batch; timers are
 * advanced every `tickMs`. The engine's snapshot is checkpointed with the journal position
 * it reflects; a restart restores it and replays the journal after that position — alarm
 * events already applied are recognised and do nothing.
 */
export class RuleRunner {
  private readonly checkpoints: CheckpointStore;
  private engine: Engine;
  private version: number;
  private rules: RuleDef[];
  private pos = 0;
  private dirty = false;
  private lastCheckpointAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly insertTelemetry;
  private readonly touchHub;

  constructor(
    private readonly store: Store,
    private readonly service: ServiceLoop,
    private readonly customers: CustomerRegistry,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly bus: EventBus,
    rules: RuleDef[],
    private readonly options: RuleRunnerOptions,
  ) {
    this.rules = rules;
    this.version = this.ensureVersion(rules);
    this.engine = new Engine({ rules, version: this.version, overrides: options.overrides, trackChanges: true });
    this.checkpoints = new CheckpointStore(store);
    // One telemetry row per (journal position, sample): the id makes a replay write nothing new.
    this.insertTelemetry = store.sqlite.prepare('INSERT OR IGNORE INTO telemetry (id, appliance_id, hub_id, at, device_ts, metrics) VALUES (?, ?, ?, ?, ?, ?)');
    this.touchHub = store.sqlite.prepare('UPDATE hubs SET last_seen_at = ? WHERE hub_id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)');
  }

  get ruleVersion(): number {
    return this.version;
  }

  get ruleSet(): readonly RuleDef[] {
    return this.rules;
  }

  get overrides(): RuleOverrides {
    return this.options.overrides;
  }

  get position(): number {
    return this.pos;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** The deployed rule version: the files' rules become a new version when they differ from the latest one. */
  private ensureVersion(rules: RuleDef[]): number {
    const json = JSON.stringify(rules);
    const latest = this.store.db.select().from(ruleVersions).orderBy(desc(ruleVersions.version)).limit(1).get();
    if (latest !== undefined && latest.rules === json) return latest.version;
    const version = (latest?.version ?? 0) + 1;
    this.store.db.insert(ruleVersions).values({ version, author: 'rule files', message: latest === undefined ? 'initial rules' : 'rule files changed', createdAt: this.clock.now(), rules: json }).run();
    return version;
  }

  /** Restores the last checkpoint and replays the journal after it. Call before the broker accepts messages. */
  recover(): { replayed: number } {
    const opts = { rules: this.rules, version: this.version, overrides: this.options.overrides, trackChanges: true };
    let cp: LoadedCheckpoint | undefined;
    try {
      cp = this.checkpoints.load(opts);
    } catch (err) {
      this.logger.error({ err }, 'rule engine checkpoint unreadable; rebuilding from the whole journal');
      this.checkpoints.reset();
    }
    this.engine = cp?.engine ?? new Engine(opts);
    this.pos = cp?.pos ?? 0;
    const select = this.store.journal.prepare('SELECT pos, received_at, hub_id, appliance_id, kind, payload FROM journal WHERE pos > ? ORDER BY pos LIMIT ?');
    let replayed = 0;
    for (;;) {
      const rows = select.all(this.pos, REPLAY_CHUNK) as { pos: number; received_at: number; hub_id: string; appliance_id: string | null; kind: string; payload: Buffer }[];
      if (rows.length === 0) break;
      this.process(rows.map((r) => ({ pos: r.pos, receivedAt: r.received_at, message: messageOfRow(r) })), false);
      replayed += rows.length;
    }
    if (replayed > 0) this.logger.info({ replayed, pos: this.pos }, 'journal replayed into the rule engine');
    this.checkpoint();
    return { replayed };
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.tickMs);
    this.timer.unref();
  }

  /** Handles a committed journal batch. */
  onCommitted(entries: readonly JournalEntry[]): void {
    this.process(entries, true);
  }

  private process(entries: readonly JournalEntry[], live: boolean): void {
    const started = process.hrtime.bigint();
    const published: LiveEvent[] = [];
    try {
      this.store.transaction(() => {
        for (const entry of entries) {
          this.sideEffects(entry);
          for (const input of engineInputs(entry)) {
            const events = this.engine.ingest(input);
            for (let i = 0; i < events.length; i++) for (const l of this.service.apply(events[i] as AlarmEvent).live) published.push(l);
          }
          this.pos = entry.pos;
        }
      });
    } catch (err) {
      this.logger.error({ err, from: entries[0]?.pos, to: entries.at(-1)?.pos }, 'rule batch failed; restoring the engine from its checkpoint');
      this.recover();
      return;
    }
    this.dirty = true;
    this.metrics.ruleEvalSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    if (live) this.publish(published);
    this.maybeCheckpoint();
  }

  /** Last time "seen" was written per hub / appliance, and the last chart row per appliance: presence is kept to the minute, not per message. */
  private readonly hubSeenWritten = new Map<string, number>();
  private readonly applianceSeenWritten = new Map<string, number>();
  private readonly telemetryWritten = new Map<string, number>();

  private sideEffects(entry: JournalEntry): void {
    const m = entry.message;
    const at = entry.receivedAt;
    if (due(this.hubSeenWritten, m.hubId, at, SEEN_WRITE_EVERY_MS)) this.touchHub.run(at, m.hubId, at);
    if (m.kind !== 'telemetry' && m.kind !== 'fault' && m.kind !== 'inventory') return;
    if (due(this.applianceSeenWritten, m.applianceId, at, SEEN_WRITE_EVERY_MS)) {
      this.customers.seen(m.applianceId, m.hubId, m.payload.type, m.kind === 'telemetry' ? m.payload.model : undefined, at);
    }
    if (m.kind === 'telemetry' && due(this.telemetryWritten, m.applianceId, at, TELEMETRY_ROW_EVERY_MS)) {
      // The chart history is downsampled (one row per appliance per 10 s); the journal keeps every message.
      // Row ids are pos·1024 (at most 500 samples plus the message), so a replay writes nothing new.
      this.insertTelemetry.run(entry.pos * 1024, m.applianceId, m.hubId, at, m.payload.ts, JSON.stringify(m.payload.metrics));
    }
  }

  /** Advances rule timers to now (offline alarms fire here while the hub stays away). */
  tick(): void {
    const now = this.clock.now();
    const published: LiveEvent[] = [];
    let events: readonly AlarmEvent[] = [];
    try {
      this.store.transaction(() => {
        events = this.engine.tick(now);
        for (const e of events) published.push(...this.service.apply(e).live);
      });
    } catch (err) {
      this.logger.error({ err }, 'rule tick failed; restoring the engine from its checkpoint');
      this.recover();
      return;
    }
    if (events.length > 0) {
      this.dirty = true;
      this.publish(published);
    }
    this.maybeCheckpoint();
  }

  acknowledge(alarmKey: string): AlarmEvent[] {
    const published: LiveEvent[] = [];
    const events = this.store.transaction(() => {
      const evs = this.engine.acknowledge(alarmKey, this.clock.now());
      for (const e of evs) published.push(...this.service.apply(e).live);
      return evs;
    });
    this.dirty = true;
    this.publish(published);
    this.checkpoint();
    return events;
  }

  /** Deploys a rule set as a new version, keeping the state of unchanged rules. */
  deploy(rules: RuleDef[], version: number): AlarmEvent[] {
    const published: LiveEvent[] = [];
    const events = this.store.transaction(() => {
      const evs = this.engine.deploy(rules, version, this.clock.now());
      for (const e of evs) published.push(...this.service.apply(e).live);
      return evs;
    });
    this.rules = rules;
    this.version = version;
    this.dirty = true;
    this.publish(published);
    this.checkpoint();
    return events;
  }

  private publish(events: readonly LiveEvent[]): void {
    for (const e of events) this.bus.publish(e);
    this.onApplied?.(events);
  }

  /** Test and wiring hook: called after each committed batch with what it changed. */
  onApplied: ((events: readonly LiveEvent[]) => void) | undefined;

  private maybeCheckpoint(): void {
    if (this.dirty && this.clock.now() - this.lastCheckpointAt >= this.options.checkpointEveryMs) this.checkpoint();
  }

  /** Saves what changed since the last checkpoint (cheap: done often, it holds the event loop only briefly). */
  checkpoint(): void {
    this.checkpoints.save(this.engine, this.pos, this.clock.now());
    this.lastCheckpointAt = this.clock.now();
    this.dirty = false;
  }

  openAlarms(): number {
    return this.engine.alarms().length;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.checkpoint();
  }
}
