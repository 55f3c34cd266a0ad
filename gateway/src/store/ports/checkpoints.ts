/**
 * Checkpoints as a port: the rule engine's state with the journal position it reflects, and
 * the positions other journal readers (the history sink) have reached. One store serves one
 * engine (the gateway's; in cluster mode, issue 22, one per partition, built with its name).
 */
import type { EngineChanges, EngineParts } from '@forecare/rules';

/** A checkpoint as data (it crosses to the engine's thread): its parts, or a whole snapshot of the earlier form. */
export type CheckpointData = ({ readonly pos: number; readonly parts: EngineParts } | { readonly pos: number; readonly snapshot: string }) & {
  /** When it was written (gateway clock): clears by hand since then are taken again after a restart (engine/manual-clears.ts). */
  readonly at?: number | undefined;
};

export interface CheckpointStore {
  /** The engine's last checkpoint; undefined when there is none. Rejects when it cannot be read. */
  load(): Promise<CheckpointData | undefined>;
  /** Writes changes taken from the engine with the journal position they reflect, in one commit: all of them or none. */
  save(changes: EngineChanges, pos: number, at: number): Promise<void>;
  /** Forgets the engine's checkpoint (it is rebuilt from the whole journal). */
  reset(): Promise<void>;
  /** The position a named journal reader has reached, undefined when it has none yet. */
  position(reader: string): Promise<number | undefined>;
  savePosition(reader: string, pos: number, at: number): Promise<void>;
}
