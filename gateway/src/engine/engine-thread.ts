/**
 * The rule engine's thread: an EngineCore answering the event loop's requests in the order
 * they come (rule-runner.ts keeps the store and applies the events). Started by
 * ThreadEngineHost (engine-host.ts).
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { EngineCore, type EngineAcks, type EngineRequest } from './engine-core.js';

/**
 * This thread yields the CPU to the broker's event loop and the journal's writer (Linux:
 * a nicer priority for this thread alone): on a machine of few cores the PUBACKs come first,
 * and the runner holds them back only when the engine falls behind by more than a few batches.
 */
function yieldToTheBroker(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // Not Linux, or not allowed: the thread keeps the process's priority.
  }
}
yieldToTheBroker();

const core = new EngineCore();
const port = parentPort;

/**
 * Batches that raised and cleared nothing are answered together, once the requests waiting
 * on the port are done (`{ acks, evalMs }`: that many in order): under load the event loop
 * is woken once per drain, not once per batch.
 */
let acks = 0;
let acksMs = 0;
let changeCount = 0;
let flushing = false;
const flushAcks = (): void => {
  flushing = false;
  if (acks === 0) return;
  port?.postMessage({ acks, evalMs: acksMs, changeCount } satisfies EngineAcks);
  acks = 0;
  acksMs = 0;
};

port?.on('message', (m: EngineRequest | 'stop') => {
  if (m === 'stop') {
    flushAcks();
    port.close();
    return;
  }
  const reply = core.handle(m);
  if ((m.op === 'batch' || m.op === 'entries') && reply.events.length === 0 && reply.error === undefined && reply.openAlarms < 0) {
    acks++;
    acksMs += reply.evalMs;
    changeCount = reply.changeCount ?? changeCount;
    if (!flushing) {
      flushing = true;
      setImmediate(flushAcks);
    }
    return;
  }
  flushAcks();
  port.postMessage(reply);
});
port?.postMessage('ready');
