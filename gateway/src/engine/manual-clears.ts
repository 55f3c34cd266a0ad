import type { ManualClear } from '@forecare/rules';
import type { Logger } from '../log.js';
import type { EngineReply, EngineRequest } from './engine-core.js';

/**
 * A checkpoint asked for before a clear may be written after it: clears this long before the
 * checkpoint's time are taken again too (taking one again is harmless, see clearAgain).
 */
const CHECKPOINT_SLACK_MS = 60_000;

/** From when the recorded clears by hand are taken again: the restored checkpoint's time, or all of them without one (the whole journal is replayed). */
export function clearsSince(checkpointAt: number | undefined): number {
  return checkpointAt === undefined ? 0 : checkpointAt - CHECKPOINT_SLACK_MS;
}

/**
 * A rebuilt engine, after its replay, applies again the clears by hand recorded since its
 * checkpoint: the process may have stopped, or the checkpoint failed, after a clear was
 * recorded in the alarm store and before a checkpoint held it. Each names its alarm by
 * first-seen, so one the restored state already holds — or an alarm raised again since — is
 * left alone, and an event made again is the same one, recognised by the store as applied.
 */
export async function clearAgain(clears: readonly ManualClear[], request: (req: EngineRequest) => Promise<EngineReply>, apply: (reply: EngineReply) => boolean, logger: Logger): Promise<void> {
  if (clears.length === 0) return;
  const reply = await request({ op: 'clear', clears });
  if (!apply(reply)) throw new Error(`clears by hand not applied again: ${reply.error ?? 'events not applied'}`);
  if (reply.events.length > 0) logger.info({ alarms: reply.events.map((e) => e.alarmKey) }, 'alarms cleared by hand applied again after the checkpoint');
}
