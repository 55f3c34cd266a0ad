import type { AlarmEvent, RuleDef } from '@forecare/rules';
import type { Clock } from '../clock.js';
import type { CustomerRegistry } from '../customers/customer-registry.js';
import type { JournalEntry } from '../ingest/journal.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Part } from '../part.js';
import type { JournalListeners } from '../sinks/journal-listener.js';
import { transferOf, type JournalBatch } from '../store/journal-db.js';
import type { JournalStore } from '../store/ports/journal.js';
import type { AlarmApplier } from './alarm-applier.js';
import { CheckpointSchedule } from './checkpoint-schedule.js';
import type { EngineReply, EngineRequest } from './engine-core.js';
import { InlineEngineHost, type EngineHost } from './engine-host.js';
import { HeldBatches } from './held-batches.js';
import { HouseholdZones } from './household-zones.js';
import { clearAgain, clearsSince } from './manual-clears.js';
import type { RuleOverrides, RuleRunnerOptions, RuleRunnerStores } from './rule-runner-options.js';
import { RuleTicks } from './rule-ticks.js';

/**
 * Batches the engine may be behind before the journal's PUBACKs wait for it: a hub's
 * messages are acknowledged once on disk, and the rules follow, at most this far behind.
 */
const MAX_BACKLOG = 8;
const REPLAY_CHUNK = 2000; // journal entries per read of a replay, one engine request each

/**
 * Drives the rules engine from the journal: every committed batch goes to the engine (on a
 * thread of its own in the gateway, see engine-host.ts), its alarm events to the applier;
 * timers are advanced every `tickMs`. The checkpoint schedule saves the engine's changes
 * with the journal position they reflect; a restart restores the checkpoint and replays the
 * journal after it — alarm events already applied are recognised and do nothing. Requests
 * and replies keep their order, so a tick, an acknowledgement or a deploy sees every batch
 * handed over before it.
 */
export class RuleRunner implements Part {
  readonly name = 'rules';
  private readonly schedule: CheckpointSchedule;
  private readonly host: EngineHost;
  private readonly listeners: JournalListeners | undefined;
  private version: number;
  private rules: RuleDef[];
  /** Journal position whose events have been applied. */
  private pos = 0;
  /** Journal position last handed to the engine. */
  private postedPos = 0;
  /** Its own part in the gateway (started once it serves); stopped with the runner too. */
  readonly ticks: RuleTicks;
  /** Bumped when the engine is rebuilt: replies to requests made before are not applied. */
  private generation = 0;
  private recovering: Promise<{ replayed: number }> | undefined;
  private readonly held = new HeldBatches();
  private ticking = false;
  private openAlarmCount = 0;
  /** Batches handed to the engine and not yet answered. */
  private backlog = 0;
  private readonly households: HouseholdZones;
  private readonly journal: JournalStore;

  constructor(
    stores: RuleRunnerStores,
    private readonly applier: AlarmApplier,
    customers: CustomerRegistry,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly options: RuleRunnerOptions,
  ) {
    this.rules = options.rules;
    this.version = options.version;
    this.host = options.host ?? new InlineEngineHost();
    this.listeners = options.listeners;
    const source = {
      takeChanges: (done: (reply: EngineReply) => void) => this.host.call({ op: 'changes' }, [], done),
      postedPosition: () => this.postedPos,
      generation: () => this.generation,
      openAlarmsWere: (count: number) => (this.openAlarmCount = count),
    };
    this.schedule = new CheckpointSchedule(stores.checkpoints, source, clock, logger, options.checkpointEveryMs);
    this.ticks = new RuleTicks(() => this.tick(), options.tickMs);
    this.households = new HouseholdZones(customers);
    this.journal = stores.journal;
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

  get running(): boolean {
    return this.ticks.running;
  }

  /** Starts the engine's host (its thread); a thread lost later has its engine rebuilt from the checkpoint and the journal. */
  startHost(): Promise<void> {
    return this.host.start(() => {
      this.logger.error('rule engine lost; rebuilding it from its checkpoint and the journal');
      this.recoverLater();
    });
  }

  /** The part's start: the engine's host, then its state recovered, before the broker accepts messages. */
  async start(): Promise<void> {
    await this.startHost();
    await this.recover();
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
    this.schedule.forgetUnsaved();
    const run = this.rebuild().finally(() => {
      this.recovering = undefined;
      this.held.releaseAll(() => this.postedPos, (entries, batch) => this.post(entries, batch));
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
    const { init, checkpoint: cp } = await this.schedule.restore((req) => this.request(req), opts);
    this.openAlarmCount = init.openAlarms;
    const end = await this.journal.maxPosition();
    if (cp !== undefined && cp.pos > end) {
      // The journal file was replaced (positions start again): the engine's state stands, the positions follow the new file.
      this.logger.warn({ checkpointPos: cp.pos, journalPos: end }, 'journal is behind the rule engine checkpoint (a new journal file?): positions follow the journal');
    }
    this.pos = Math.min(cp?.pos ?? 0, end);
    this.postedPos = this.pos;
    let replayed = 0;
    while (this.postedPos < end) {
      // `through` passes rows the store could not decode (it reported them): they are skipped, not replayed.
      const { entries, through } = await this.journal.after(this.postedPos, end, REPLAY_CHUNK);
      if (through <= this.postedPos) break;
      this.postedPos = through;
      if (entries.length === 0) continue;
      this.listeners?.onEntries(entries);
      const reply = await this.request({ op: 'entries', entries });
      if (!this.apply(reply, through, false)) throw new Error(`rule engine replay failed at ${through}: ${reply.error ?? 'events not applied'}`);
      replayed += entries.length;
    }
    this.postedPos = Math.max(this.postedPos, end);
    this.pos = Math.max(this.pos, end);
    if (replayed > 0) this.logger.info({ replayed, pos: this.pos }, 'journal replayed into the rule engine');
    await clearAgain(this.applier.manualClearsSince(clearsSince(cp?.at)), (req) => this.request(req), (reply) => this.apply(reply, undefined, false), this.logger);
    // The time since the engine's last tick or input (its checkpoint, then the replay) was this
    // gateway's outage: no hub could reach it, so that is nobody's silence. Without this a
    // restart after a long stop called every hub of the fleet offline at its first tick. Before
    // anything else that carries the time (households, ticks).
    const resumed = await this.request({ op: 'resume', now: this.clock.now() });
    if (!this.apply(resumed, undefined, true)) throw new Error(`rule engine could not resume: ${resumed.error ?? 'events not applied'}`);
    if ((resumed.outageMs ?? 0) > 0) this.logger.info({ outageMs: resumed.outageMs }, 'silence timers moved past the gateway outage');
    this.households.forget();
    await this.syncHouseholds();
    await this.schedule.now();
    return { replayed };
  }

  /**
   * Handles a committed batch (with its packed form, for the engine's thread). Its alarm
   * events are applied when the engine answers; a promise (holding the batch's PUBACKs until
   * then) only while rebuilding or when the engine is more than MAX_BACKLOG batches behind.
   */
  onCommitted(entries: readonly JournalEntry[], batch?: JournalBatch): Promise<void> | undefined {
    const last = entries[entries.length - 1];
    if (last === undefined || last.pos <= this.postedPos) return undefined; // replayed already
    if (this.recovering !== undefined) return this.held.hold(entries, batch);
    return this.post(entries, batch);
  }

  private post(entries: readonly JournalEntry[], batch: JournalBatch | undefined): Promise<void> | undefined {
    this.listeners?.onEntries(entries);
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
        if (this.apply(reply, last.pos, true)) this.schedule.maybe();
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
    this.schedule.changed(reply.changeCount);
    return this.applier.apply(reply.events, live);
  }

  /** Advances rule timers to now (offline alarms fire here while the hub stays away). Resolves once their events are applied. */
  async tick(): Promise<void> {
    if (this.recovering !== undefined || this.ticking) return;
    this.ticking = true;
    try {
      const now = this.clock.now();
      if (this.households.due(now)) await this.syncHouseholds();
      await this.command({ op: 'tick', now }, 'rule tick failed');
    } catch {
      // Logged by command(), and the engine is being rebuilt: the next tick runs on the new one.
    } finally {
      this.ticking = false;
    }
  }

  /** Hands the engine the households whose settings changed since it was last told (see HouseholdZones). */
  private async syncHouseholds(): Promise<void> {
    const changed = this.households.changed(this.clock.now());
    if (changed.length === 0) return;
    await this.command({ op: 'households', households: changed, now: this.clock.now() }, 'household settings not applied');
    this.households.tell(changed);
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
    if (always) await this.schedule.now();
    else this.schedule.maybe();
    return reply.events;
  }

  /** A person acknowledges (stops its escalation) or clears an alarm: in order with the batches, checkpointed at once; [] when not open. */
  acknowledge(alarmKey: string): Promise<AlarmEvent[]> {
    return this.command({ op: 'acknowledge', alarmKey, now: this.clock.now() }, 'acknowledgement failed', true);
  }

  clear(alarmKey: string, by: string): Promise<AlarmEvent[]> {
    return this.command({ op: 'clear', clears: [{ alarmKey, at: this.clock.now(), by }] }, 'manual clear failed', true);
  }

  /** Deploys a rule set as a new version, keeping the state of unchanged rules. */
  deploy(rules: RuleDef[], version: number): Promise<AlarmEvent[]> {
    const done = this.command({ op: 'deploy', rules, version, now: this.clock.now() }, 'rule deploy failed', true);
    // Requests keep their order: whatever follows (a rebuild included) sees the new rules.
    this.rules = rules;
    this.version = version;
    return done;
  }

  /** Saves what changed since the last checkpoint, after one already under way. */
  checkpoint(): Promise<void> {
    return this.schedule.now();
  }

  openAlarms(): number {
    return this.openAlarmCount;
  }

  async stop(): Promise<void> {
    await this.ticks.stop();
    await this.recovering?.catch(() => undefined);
    await this.schedule.now();
    await this.host.stop();
  }
}
