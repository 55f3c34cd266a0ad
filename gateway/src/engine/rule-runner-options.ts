import type { RuleDef } from '@forecare/rules';
import type { JournalListeners } from '../sinks/journal-listener.js';
import type { CheckpointStore } from '../store/ports/checkpoints.js';
import type { JournalStore } from '../store/ports/journal.js';
import type { EngineHost } from './engine-host.js';

/** Rule parameters set from the gateway's settings (the hub-offline times), over what the rule files say. */
export type RuleOverrides = Record<string, Record<string, number | string | boolean>>;

export interface RuleRunnerOptions {
  /** The deployed rule set and its version (see `fileRulesVersion`). */
  readonly rules: RuleDef[];
  readonly version: number;
  readonly tickMs: number;
  readonly checkpointEveryMs: number;
  readonly overrides: RuleOverrides;
  /** Where the engine runs (default: on the event loop, answering at once). */
  readonly host?: EngineHost;
  /** Rows kept from the journal beside the rules (presence, chart history): told every batch before the engine, replays included. */
  readonly listeners?: JournalListeners;
}

/** The stores the runner reads the journal from and keeps the engine's checkpoints in. */
export interface RuleRunnerStores {
  readonly journal: JournalStore;
  readonly checkpoints: CheckpointStore;
}
