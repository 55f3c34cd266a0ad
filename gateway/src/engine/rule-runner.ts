import { desc } from 'drizzle-orm';
import type { AlarmEvent, EngineChanges, RuleDef } from '@forecare/rules';
import type { Clock } from '../clock.js';
import type { CustomerRegistry } from '../customers/customer-registry.js';
import type { EventBus, LiveEvent } from '../events/bus.js';
import type { JournalEntry } from '../ingest/journal.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ServiceLoop } from '../service/service.js';
import type { Store } from '../store/db.js';
import { transferOf, type JournalBatch } from '../store/journal-db.js';
import { ruleVersions } from '../store/schema.js';
import type { EngineReply, EngineRequest } from './engine-core.js';
import { InlineEngineHost, type EngineHost } from './engine-host.js';
import { CheckpointStore, mergeChanges, type CheckpointData } from './checkpoint-store.js';

export { engineInputs, messageOfRow } from './engine-core.js';
import { messageOfRow } from './engine-core.js';

export type RuleOverrides = Record<string, Record<string, number | string | boolean>>;

export interface RuleRunnerOptions {
  readonly tickMs: number;
  readonly checkpointEveryMs: number;
  readonly overrides: RuleOverrides;
  /** Where the engine runs (default: on the event loop, answering at once). */
  readonly host?: EngineHost;
}

const SEEN_WRITE_EVERY_MS = 30_000;
/** How often the customers' households (time zones) are read again for the food digests. */
const HOUSEHOLD_SYNC_MS = 300_000;
const TELEMETRY_ROW_EVERY_MS = 10_000;
const REPLAY_CHUNK = 2000;
/**
 * Batches the engine may be behind before the journal's PUBACKs wait for it: a hub's
 * messages are acknowledged once on disk, and the rules follow, at most this far behind.
 */
const MAX_BACKLOG = 8;

/**
 * Changed parts after which a checkpoint is written before its time is up. A checkpoint
 * writes every changed part in one transaction on the event loop (a few µs each): when
 * hundreds of new appliances and alarms a second pile up (a storm of faults), waiting the
 * full interval made each one hold the loop for 30–60 ms, which every PUBACK and fault
 * behind it waited for; this bounds it to a few ms.
 */
const CHECKPOINT_MAX_CHANGES = 1000;

/** true (and remembers `at`) when `key` was last written `every` ms ago or more, or never; a clock step back counts as due. */
/** `due` for an appliance, keyed by hub then appliance id (no key string built per message; ids repeat across hubs). */
function dueFor(written: Map<string, Map<string, number>>, hubId: string, applianceId: string, at: number, every: number): boolean {
  let ofHub = written.get(hubId);
  if (ofHub === undefined) {
    if (written.size > 200_000) written.clear();
    ofHub = new Map();
    written.set(hubId, ofHub);
  }
  return due(ofHub, applianceId, at, every);
}

function due(written: Map<string, number>, key: string, at: number, every: number): boolean {
  const last = written.get(key);
  if (last !== undefined && at - last < every && at >= last) return false;
  if (written.size > 1_000_000) written.clear();
  written.set(key, at);
  return true;
}

interface Queued {
  readonly entries: readonly JournalEntry[];
  readonly batch: JournalBatch | undefined;
  readonly release: () => void;
}

/**
 * Drives the rules engine from the journal: every committed batch goes to the engine (on a
 * thread of its own in the gateway, see engine-host.ts), its alarm events through the
 * service loop in one transaction per batch; timers are advanced every `tickMs`. The
 * engine's changes are checkpointed with the journal position they reflect, written only
 * after the events up to that position were applied; a restart restores the checkpoint and
 * replays the journal after it — alarm events already applied are recognised and do
 * nothing. Requests and replies keep their order, so a tick, an acknowledgement or a deploy
 * sees every batch handed over before it.
 */
export class RuleRunner {
  private readonly checkpoints: CheckpointStore;
  private readonly host: EngineHost;
  private version: number;
  private rules: RuleDef[];
  /** Journal position whose events have been applied. */
  private pos = 0;
  /** Journal position last handed to the engine. */
  private postedPos = 0;
  private dirty = false;
  /** Parts the engine has changed since the last checkpoint, as its latest reply said. */
  private changeCount = 0;
  private lastCheckpointAt = 0;
  /** Changes the engine handed over for a checkpoint that could not be written: the next one writes them too. */
  private unsaved: EngineChanges | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Bumped when the engine is rebuilt: replies to requests made before are not applied. */
  private generation = 0;
  private recovering: Promise<{ replayed: number }> | undefined;
  private readonly queued: Queued[] = [];
  private ticking = false;
  private checkpointing: Promise<void> | undefined;
  private openAlarmCount = 0;
  /** Batches handed to the engine and not yet answered. */
  private backlog = 0;
  /** The household settings (time zone, digest hour) the engine was last given, by hub. */
  private readonly households = new Map<string, string>();
  private householdsSyncedAt = -Infinity;
  private readonly insertTelemetry;
  private readonly touchHub;
  private readonly maxPos;

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
    this.host = options.host ?? new InlineEngineHost();
    this.host.onLost = () => {
      this.logger.error('rule engine lost; rebuilding it from its checkpoint and the journal');
      this.recoverLater();
    };
    this.checkpoints = new CheckpointStore(store);
    // One telemetry row per (journal position, sample): the id makes a replay write nothing new.
    this.insertTelemetry = store.sqlite.prepare('INSERT OR IGNORE INTO telemetry (id, appliance_id, hub_id, at, device_ts, metrics) VALUES (?, ?, ?, ?, ?, ?)');
    this.touchHub = store.sqlite.prepare('UPDATE hubs SET last_seen_at = ? WHERE hub_id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)');
    this.maxPos = store.journal.prepare('SELECT coalesce(max(pos), 0) AS pos FROM journal');
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

  /** Starts the engine's host (its thread). */
  startHost(): Promise<void> {
    return this.host.start();
  }

  private request(req: EngineRequest): Promise<EngineReply> {
    return new Promise((resolve) => this.host.call(req, [], resolve));
  }

  /**
   * Rebuilds the engine from the last checkpoint and replays the journal after it (to the
   * position committed when it starts; later batches wait and follow). Call before the
   * broker accepts messages; also run when applying a batch failed or the engine was lost.
   */
  recover(): Promise<{ replayed: number }> {
    if (this.recovering !== undefined) return this.recovering;
    // Replies to requests made before are not applied from here on.
    this.generation++;
    // The rebuilt engine replays the journal after the stored checkpoint, which makes those changes again.
    this.unsaved = undefined;
    const run = this.rebuild().finally(() => {
      this.recovering = undefined;
      this.drainQueued();
    });
    this.recovering = run;
    return run;
  }

  /** Rebuilds in the background (after a failure): what cannot be rebuilt is logged, and tried again on the next failure. */
  private recoverLater(): void {
    this.recover().catch((err: unknown) => this.logger.error({ err }, 'rule engine could not be rebuilt'));
  }

  private async rebuild(): Promise<{ replayed: number }> {
    const opts = { rules: this.rules, version: this.version, overrides: this.options.overrides, trackChanges: true };
    let cp: CheckpointData | undefined;
    try {
      cp = this.checkpoints.loadData();
    } catch (err) {
      this.logger.error({ err }, 'rule engine checkpoint unreadable; rebuilding from the whole journal');
      this.checkpoints.reset();
    }
    let init = await this.request({ op: 'init', opts, checkpoint: cp });
    if (init.lost === true) throw new Error(`rule engine could not start: ${init.error}`);
    if (init.error !== undefined && cp !== undefined) {
      this.logger.error({ err: init.error }, 'rule engine checkpoint unreadable; rebuilding from the whole journal');
      this.checkpoints.reset();
      cp = undefined;
      init = await this.request({ op: 'init', opts, checkpoint: undefined });
    }
    if (init.error !== undefined) throw new Error(`rule engine could not start: ${init.error}`);
    this.openAlarmCount = init.openAlarms;
    const end = (this.maxPos.get() as { pos: number }).pos;
    if (cp !== undefined && cp.pos > end) {
      // The journal file was replaced (positions start again): the engine's state stands, the positions follow the new file.
      this.logger.warn({ checkpointPos: cp.pos, journalPos: end }, 'journal is behind the rule engine checkpoint (a new journal file?): positions follow the journal');
    }
    this.pos = Math.min(cp?.pos ?? 0, end);
    this.postedPos = this.pos;
    const select = this.store.journal.prepare('SELECT pos, received_at, hub_id, appliance_id, kind, payload FROM journal WHERE pos > ? AND pos <= ? ORDER BY pos LIMIT ?');
    let replayed = 0;
    while (this.postedPos < end) {
      const rows = select.all(this.postedPos, end, REPLAY_CHUNK) as { pos: number; received_at: number; hub_id: string; appliance_id: string | null; kind: string; payload: Buffer }[];
      if (rows.length === 0) break;
      const entries = rows.map((r) => ({ pos: r.pos, receivedAt: r.received_at, message: messageOfRow(r) }));
      const last = entries[entries.length - 1] as JournalEntry;
      this.sideEffectsOf(entries);
      this.postedPos = last.pos;
      const reply = await this.request({ op: 'entries', entries });
      if (!this.apply(reply, last.pos, false)) throw new Error(`rule engine replay failed at ${last.pos}: ${reply.error ?? 'events not applied'}`);
      replayed += rows.length;
    }
    this.postedPos = Math.max(this.postedPos, end);
    this.pos = Math.max(this.pos, end);
    if (replayed > 0) this.logger.info({ replayed, pos: this.pos }, 'journal replayed into the rule engine');
    // The time since the engine's last tick or input (its checkpoint, then the replay) was this
    // gateway's outage: no hub could reach it, so that is nobody's silence. Without this a
    // restart after a long stop called every hub of the fleet offline at its first tick. Before
    // anything else that carries the time (households, ticks).
    const resumed = await this.request({ op: 'resume', now: this.clock.now() });
    if (!this.apply(resumed, undefined, true)) throw new Error(`rule engine could not resume: ${resumed.error ?? 'events not applied'}`);
    if ((resumed.outageMs ?? 0) > 0) this.logger.info({ outageMs: resumed.outageMs }, 'silence timers moved past the gateway outage');
    // A rebuilt engine is told every household again (unchanged ones change nothing).
    this.households.clear();
    await this.syncHouseholds();
    await this.checkpoint();
    return { replayed };
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.tickMs);
    this.timer.unref();
  }

  /**
   * Handles a committed batch (with its packed form, for the engine's thread). Its alarm
   * events are applied when the engine answers; a promise (holding the batch's PUBACKs until
   * then) only while rebuilding or when the engine is more than MAX_BACKLOG batches behind.
   */
  onCommitted(entries: readonly JournalEntry[], batch?: JournalBatch): Promise<void> | undefined {
    const last = entries[entries.length - 1];
    if (last === undefined || last.pos <= this.postedPos) return undefined; // replayed already
    if (this.recovering !== undefined) return new Promise((release) => this.queued.push({ entries, batch, release }));
    return this.post(entries, batch);
  }

  private drainQueued(): void {
    const queued = this.queued.splice(0);
    for (const q of queued) {
      const last = q.entries[q.entries.length - 1] as JournalEntry;
      if (last.pos <= this.postedPos) q.release();
      else {
        const p = this.post(q.entries, q.batch);
        if (p === undefined) q.release();
        else void p.then(q.release);
      }
    }
  }

  private post(entries: readonly JournalEntry[], batch: JournalBatch | undefined): Promise<void> | undefined {
    this.sideEffectsOf(entries);
    const first = entries[0] as JournalEntry;
    const last = entries[entries.length - 1] as JournalEntry;
    this.postedPos = last.pos;
    const gen = this.generation;
    let release: (() => void) | undefined;
    const req: EngineRequest = batch !== undefined && this.host.takesPackedBatches ? { op: 'batch', batch, firstPos: first.pos } : { op: 'entries', entries };
    this.backlog++;
    this.host.call(req, req.op === 'batch' ? transferOf(req.batch) : [], (reply) => {
      this.backlog--;
      if (gen === this.generation) {
        if (this.apply(reply, last.pos, true)) this.maybeCheckpoint();
        else {
          this.logger.error({ err: reply.error, from: first.pos, to: last.pos }, 'rule batch failed; restoring the engine from its checkpoint');
          this.recoverLater();
        }
      }
      release?.();
    });
    // Within the backlog the PUBACKs go now; beyond it they wait for the engine (back-pressure on the hubs).
    if (this.backlog <= MAX_BACKLOG) return undefined;
    return new Promise((resolve) => (release = resolve));
  }

  /** Resolves once every batch handed over so far has been judged and its events applied. */
  async settled(): Promise<void> {
    await this.request({ op: 'ping' });
  }

  /** Applies an engine reply's events in one transaction; false when the engine failed or they could not be applied. */
  private apply(reply: EngineReply, pos: number | undefined, live: boolean): boolean {
    if (reply.error !== undefined) return false;
    if (reply.openAlarms >= 0) this.openAlarmCount = reply.openAlarms;
    this.metrics.ruleEvalSeconds.observe(reply.evalMs / 1000);
    if (pos !== undefined) this.pos = pos;
    this.dirty = true;
    if (reply.changeCount !== undefined) this.changeCount = reply.changeCount;
    if (reply.events.length === 0) return true;
    const published: LiveEvent[] = [];
    try {
      this.store.transaction(() => {
        for (const e of reply.events) for (const l of this.service.apply(e).live) published.push(l);
      });
    } catch (err) {
      this.logger.error({ err, events: reply.events.length }, 'alarm events not applied');
      return false;
    }
    if (live) this.publish(published);
    return true;
  }

  /** Last time "seen" was written per hub / appliance, and the last chart row per appliance: presence is kept to the minute, not per message. */
  private readonly hubSeenWritten = new Map<string, number>();
  private readonly applianceSeenWritten = new Map<string, Map<string, number>>();
  private readonly telemetryWritten = new Map<string, Map<string, number>>();

  private sideEffectsOf(entries: readonly JournalEntry[]): void {
    try {
      this.store.transaction(() => {
        for (const entry of entries) this.sideEffects(entry);
      });
    } catch (err) {
      this.logger.error({ err, from: entries[0]?.pos }, 'presence and chart rows not written for a batch');
    }
  }

  private sideEffects(entry: JournalEntry): void {
    const m = entry.message;
    const at = entry.receivedAt;
    if (due(this.hubSeenWritten, m.hubId, at, SEEN_WRITE_EVERY_MS)) this.touchHub.run(at, m.hubId, at);
    if (m.kind !== 'telemetry' && m.kind !== 'fault' && m.kind !== 'inventory') return;
    if (dueFor(this.applianceSeenWritten, m.hubId, m.applianceId, at, SEEN_WRITE_EVERY_MS)) {
      this.customers.seen(m.hubId, m.applianceId, m.payload.type, m.kind === 'telemetry' ? m.payload.model : undefined, at);
    }
    if (m.kind === 'telemetry' && dueFor(this.telemetryWritten, m.hubId, m.applianceId, at, TELEMETRY_ROW_EVERY_MS)) {
      // The chart history is downsampled (one row per appliance per 10 s); the journal keeps every message.
      // Row ids are pos·1024 (at most 500 samples plus the message), so a replay writes nothing new.
      this.insertTelemetry.run(entry.pos * 1024, m.applianceId, m.hubId, at, m.payload.ts, JSON.stringify(m.payload.metrics));
    }
  }

  /** Advances rule timers to now (offline alarms fire here while the hub stays away). Resolves once their events are applied. */
  async tick(): Promise<void> {
    if (this.recovering !== undefined || this.ticking) return;
    this.ticking = true;
    try {
      const now = this.clock.now();
      if (now - this.householdsSyncedAt >= HOUSEHOLD_SYNC_MS || now < this.householdsSyncedAt) await this.syncHouseholds();
      await this.command({ op: 'tick', now }, 'rule tick failed');
    } catch {
      // Logged by command(), and the engine is being rebuilt: the next tick runs on the new one.
    } finally {
      this.ticking = false;
    }
  }

  /**
   * Hands the engine the households whose settings changed since it was last told (the
   * customer's time zone: when its food digest is due). Customers change through the API,
   * not through the hubs, so they are read again every HOUSEHOLD_SYNC_MS.
   */
  private async syncHouseholds(): Promise<void> {
    this.householdsSyncedAt = this.clock.now();
    const settings = (h: { timeZone: string; digestAt: string | undefined }): string => `${h.timeZone} ${h.digestAt ?? ''}`;
    const changed = this.customers.householdZones().filter((h) => this.households.get(h.hubId) !== settings(h));
    if (changed.length === 0) return;
    await this.command({ op: 'households', households: changed, now: this.clock.now() }, 'household settings not applied');
    for (const h of changed) this.households.set(h.hubId, settings(h));
  }

  /** Runs a request that is not a batch; its events are applied, then the checkpoint is kept when due (`always`: now). */
  private async command(req: EngineRequest, failure: string, always = false): Promise<AlarmEvent[]> {
    const gen = this.generation;
    const reply = await this.request(req);
    if (gen !== this.generation) return [];
    if (!this.apply(reply, undefined, true)) {
      this.logger.error({ err: reply.error }, `${failure}; restoring the engine from its checkpoint`);
      this.recoverLater();
      throw new Error(`${failure}: ${reply.error ?? 'alarm events not applied'}`);
    }
    if (always) await this.checkpoint();
    else this.maybeCheckpoint();
    return reply.events;
  }

  acknowledge(alarmKey: string): Promise<AlarmEvent[]> {
    return this.command({ op: 'acknowledge', alarmKey, now: this.clock.now() }, 'acknowledgement failed', true);
  }

  /** Deploys a rule set as a new version, keeping the state of unchanged rules. */
  deploy(rules: RuleDef[], version: number): Promise<AlarmEvent[]> {
    const done = this.command({ op: 'deploy', rules, version, now: this.clock.now() }, 'rule deploy failed', true);
    // Requests keep their order: whatever follows (a rebuild included) sees the new rules.
    this.rules = rules;
    this.version = version;
    return done;
  }

  private publish(events: readonly LiveEvent[]): void {
    this.bus.publishAll(events);
    this.onApplied?.(events);
  }

  /** Test and wiring hook: called after each committed batch with what it changed. */
  onApplied: ((events: readonly LiveEvent[]) => void) | undefined;

  private maybeCheckpoint(): void {
    if (!this.dirty || this.checkpointing !== undefined) return;
    if (this.changeCount >= CHECKPOINT_MAX_CHANGES || this.clock.now() - this.lastCheckpointAt >= this.options.checkpointEveryMs) void this.saveCheckpoint();
  }

  /** Saves what changed since the last checkpoint, after one already under way. */
  checkpoint(): Promise<void> {
    const running = this.checkpointing;
    return running === undefined ? this.saveCheckpoint() : running.then(() => this.saveCheckpoint());
  }

  /**
   * Saves what changed since the last checkpoint, with the position handed to the engine so
   * far: its reply comes after theirs, so their events are applied by then.
   */
  private saveCheckpoint(): Promise<void> {
    if (this.checkpointing !== undefined) return this.checkpointing;
    const gen = this.generation;
    const pos = this.postedPos;
    let finished = false;
    const saved = new Promise<void>((resolve) =>
      this.host.call({ op: 'changes' }, [], (reply) => {
        finished = true;
        this.checkpointing = undefined;
        if (gen === this.generation && reply.changes !== undefined) {
          const changes = this.unsaved === undefined ? reply.changes : mergeChanges(this.unsaved, reply.changes);
          try {
            this.checkpoints.saveChanges(changes, pos, this.clock.now());
            this.unsaved = undefined;
            this.lastCheckpointAt = this.clock.now();
            this.dirty = false;
            this.changeCount = 0;
          } catch (err) {
            // The engine has let go of these changes: kept, they go with the next checkpoint (dirty stays set, so it comes).
            this.unsaved = changes;
            this.logger.error({ err }, 'rule engine checkpoint not written; its changes go with the next one');
          }
          if (reply.openAlarms >= 0) this.openAlarmCount = reply.openAlarms;
        }
        resolve();
      }),
    );
    if (!finished) this.checkpointing = saved;
    return saved;
  }

  openAlarms(): number {
    return this.openAlarmCount;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.recovering?.catch(() => undefined);
    await this.checkpoint();
    await this.host.stop();
  }
}
