import type { EngineChanges, EngineOptions } from '@forecare/rules';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { mergeChanges, type CheckpointData, type CheckpointStore } from './checkpoint-store.js';
import type { EngineReply, EngineRequest } from './engine-core.js';

/**
 * Changed parts after which a checkpoint is written before its time is up. A checkpoint
 * writes every changed part in one transaction on the event loop (a few µs each): when
 * hundreds of new appliances and alarms a second pile up (a storm of faults), waiting the
 * full interval made each one hold the loop for 30–60 ms, which every PUBACK and fault
 * behind it waited for; this bounds it to a few ms.
 */
const CHECKPOINT_MAX_CHANGES = 1000;

/** What the schedule needs of the runner that drives the engine. */
export interface CheckpointSource {
  /** Asks the engine for its changes since the last call; the reply follows every request made before. */
  takeChanges(done: (reply: EngineReply) => void): void;
  /** The journal position handed to the engine so far. */
  postedPosition(): number;
  /** Bumped when the engine is rebuilt: a reply to a request made before is not saved. */
  generation(): number;
  /** The engine's count of open alarms, as the reply said. */
  openAlarmsWere(count: number): void;
}

/**
 * When the engine's state is checkpointed: every `everyMs` while something changed, or
 * sooner once CHECKPOINT_MAX_CHANGES parts did. The changes are saved with the journal
 * position handed to the engine when they were asked for: the engine's reply comes after its
 * replies to those batches, so their events are applied by then.
 */
export class CheckpointSchedule {
  private dirty = false;
  /** Parts the engine has changed since the last checkpoint, as its latest reply said. */
  private changeCount = 0;
  private lastCheckpointAt = 0;
  /** Changes the engine handed over for a checkpoint that could not be written: the next one writes them too. */
  private unsaved: EngineChanges | undefined;
  private checkpointing: Promise<void> | undefined;

  constructor(
    private readonly checkpoints: CheckpointStore,
    private readonly source: CheckpointSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly everyMs: number,
  ) {}

  /** An engine reply was applied; `changeCount` is its count of parts changed since the last checkpoint. */
  changed(changeCount: number | undefined): void {
    this.dirty = true;
    if (changeCount !== undefined) this.changeCount = changeCount;
  }

  /** The engine is rebuilt from the stored checkpoint and the journal, which makes unsaved changes again. */
  forgetUnsaved(): void {
    this.unsaved = undefined;
  }

  /**
   * Starts the engine from the stored checkpoint: one it cannot read is dropped, and the
   * engine starts empty (the whole journal is replayed). Resolves with the checkpoint used.
   */
  async restore(request: (req: EngineRequest) => Promise<EngineReply>, opts: EngineOptions): Promise<{ init: EngineReply; checkpoint: CheckpointData | undefined }> {
    let cp: CheckpointData | undefined;
    try {
      cp = this.checkpoints.loadData();
    } catch (err) {
      this.logger.error({ err }, 'rule engine checkpoint unreadable; rebuilding from the whole journal');
      this.checkpoints.reset();
    }
    let init = await request({ op: 'init', opts, checkpoint: cp });
    if (init.lost === true) throw new Error(`rule engine could not start: ${init.error}`);
    if (init.error !== undefined && cp !== undefined) {
      this.logger.error({ err: init.error }, 'rule engine checkpoint unreadable; rebuilding from the whole journal');
      this.checkpoints.reset();
      cp = undefined;
      init = await request({ op: 'init', opts, checkpoint: undefined });
    }
    if (init.error !== undefined) throw new Error(`rule engine could not start: ${init.error}`);
    return { init, checkpoint: cp };
  }

  /** When the stored checkpoint was written; undefined when there is none. */
  savedAt(): number | undefined {
    return this.checkpoints.savedAt();
  }

  /** Starts a checkpoint when one is due. */
  maybe(): void {
    if (!this.dirty || this.checkpointing !== undefined) return;
    if (this.changeCount >= CHECKPOINT_MAX_CHANGES || this.clock.now() - this.lastCheckpointAt >= this.everyMs) void this.save();
  }

  /** Saves what changed since the last checkpoint, after one already under way. */
  now(): Promise<void> {
    const running = this.checkpointing;
    return running === undefined ? this.save() : running.then(() => this.save());
  }

  private save(): Promise<void> {
    if (this.checkpointing !== undefined) return this.checkpointing;
    const gen = this.source.generation();
    const pos = this.source.postedPosition();
    let finished = false;
    const saved = new Promise<void>((resolve) =>
      this.source.takeChanges((reply) => {
        finished = true;
        this.checkpointing = undefined;
        if (gen === this.source.generation() && reply.changes !== undefined) this.write(reply.changes, reply.openAlarms, pos);
        resolve();
      }),
    );
    if (!finished) this.checkpointing = saved;
    return saved;
  }

  private write(given: EngineChanges, openAlarms: number, pos: number): void {
    const changes = this.unsaved === undefined ? given : mergeChanges(this.unsaved, given);
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
    if (openAlarms >= 0) this.source.openAlarmsWere(openAlarms);
  }
}
