/**
 * The rule engine as a request handler, so the same code runs on the event loop (tests, an
 * in-memory store) or on a thread of its own (engine-thread.ts, the gateway): the engine is
 * pure, so all it needs is its requests — committed journal batches, timer ticks,
 * acknowledgements, deploys — and all it gives back is alarm events and, when asked, what
 * changed for a checkpoint. The store, the service loop and the checkpoint rows stay with
 * the caller (rule-runner.ts).
 */
import type { UplinkMessage } from '@forecare/firmware-contracts';
import { Engine, type AlarmEvent, type ManualClear, type EngineChanges, type EngineInput, type EngineOptions, type RuleDef } from '@forecare/rules';
import type { JournalEntry } from '../ingest/journal.js';
import { JOURNAL_KINDS, type JournalBatch } from '../store/journal-db.js';
import { engineOfCheckpoint, type CheckpointData } from './checkpoint-data.js';

/** The journal entries a committed batch holds, the payloads parsed again (they were validated before they were written). */
export function entriesOfBatch(b: JournalBatch, firstPos: number): JournalEntry[] {
  const text = Buffer.from(b.text.buffer, b.text.byteOffset, b.text.byteLength);
  const payload = Buffer.from(b.payload.buffer, b.payload.byteOffset, b.payload.byteLength);
  const entries = new Array<JournalEntry>(b.count);
  let textStart = 0;
  let payloadStart = 0;
  for (let i = 0; i < b.count; i++) {
    const hubEnd = b.textEnds[2 * i] as number;
    const applianceEnd = b.textEnds[2 * i + 1] as number;
    const end = b.ends[i] as number;
    const message = { kind: JOURNAL_KINDS[b.kind[i] as number], hubId: text.toString('utf8', textStart, hubEnd), payload: JSON.parse(payload.toString('utf8', payloadStart, end)) as never } as { applianceId?: string };
    if (applianceEnd !== hubEnd) message.applianceId = text.toString('utf8', hubEnd, applianceEnd);
    entries[i] = { pos: firstPos + i, receivedAt: b.receivedAt[i] as number, message: message as UplinkMessage };
    textStart = applianceEnd;
    payloadStart = end;
  }
  return entries;
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

export type EngineRequest =
  | { readonly op: 'init'; readonly opts: EngineOptions; readonly checkpoint: CheckpointData | undefined }
  /** A committed batch as the journal packed it (thread hand-off: a few buffers). */
  | { readonly op: 'batch'; readonly batch: JournalBatch; readonly firstPos: number }
  /** Decoded entries (on the event loop, and the replay after a restart). */
  | { readonly op: 'entries'; readonly entries: readonly JournalEntry[] }
  | { readonly op: 'tick'; readonly now: number }
  /** The first tick after a restart: the time since the engine's last tick or input was the gateway's outage (see Engine.resume). */
  | { readonly op: 'resume'; readonly now: number }
  /** Households' settings from the customer records (time zone, digest hour): not from the hubs, so not in the journal. */
  | { readonly op: 'households'; readonly households: readonly { readonly hubId: string; readonly timeZone: string; readonly digestAt?: string | undefined }[]; readonly now: number }
  | { readonly op: 'acknowledge'; readonly alarmKey: string; readonly now: number }
  /** Alarms cleared by hand: one from the console, or the recorded ones a recovery applies again (each names its alarm by firstSeen). */
  | { readonly op: 'clear'; readonly clears: readonly ManualClear[] }
  | { readonly op: 'deploy'; readonly rules: readonly RuleDef[]; readonly version: number; readonly now: number }
  | { readonly op: 'changes' }
  /** Answers once everything asked before is done. */
  | { readonly op: 'ping' };

export interface EngineReply {
  readonly events: AlarmEvent[];
  /** Open alarms after the request; -1 when it raised and cleared nothing (unchanged). */
  readonly openAlarms: number;
  readonly evalMs: number;
  /** For `changes`: what changed since the previous one. */
  readonly changes?: EngineChanges;
  /** Parts changed since the last `changes` (what the next checkpoint would write); absent when unknown. */
  readonly changeCount?: number;
  /** For `resume`: how far the silence timers moved (0: the outage was too short to count). */
  readonly outageMs?: number;
  /** The request failed part-way: the engine must be rebuilt from its checkpoint. */
  readonly error?: string;
  /** The engine's thread was lost with the request (not the request's fault). */
  readonly lost?: true;
}

/** From the engine's thread: the next `acks` requests in order raised and cleared nothing (they took `evalMs` in all). */
export interface EngineAcks {
  readonly acks: number;
  readonly evalMs: number;
  /** The engine's `changeCount` after the last of them. */
  readonly changeCount: number;
}

export class EngineCore {
  private engine: Engine | undefined;

  handle(req: EngineRequest): EngineReply {
    const started = performance.now();
    const events: AlarmEvent[] = [];
    let changes: EngineChanges | undefined;
    let outageMs: number | undefined;
    try {
      if (req.op === 'init') {
        this.engine = req.checkpoint !== undefined ? engineOfCheckpoint(req.checkpoint, req.opts) : new Engine(req.opts);
        return { events, openAlarms: this.engine.alarmCount, evalMs: performance.now() - started };
      }
      const engine = this.engine;
      if (engine === undefined) throw new Error('rule engine not initialised');
      switch (req.op) {
        case 'batch':
          ingestAll(engine, entriesOfBatch(req.batch, req.firstPos), events);
          break;
        case 'entries':
          ingestAll(engine, req.entries, events);
          break;
        case 'tick':
          for (const e of engine.tick(req.now)) events.push(e);
          break;
        case 'resume': {
          const resumed = engine.resume(req.now);
          outageMs = resumed.outageMs;
          for (const e of resumed.events) events.push(e);
          break;
        }
        case 'households':
          for (const h of req.households) for (const e of engine.ingest({ kind: 'household', hubId: h.hubId, timeZone: h.timeZone, digestAt: h.digestAt, at: req.now })) events.push(e);
          break;
        case 'acknowledge':
          for (const e of engine.acknowledge(req.alarmKey, req.now)) events.push(e);
          break;
        case 'clear':
          for (const c of req.clears) for (const e of engine.clearManually(c)) events.push(e);
          break;
        case 'deploy':
          for (const e of engine.deploy(req.rules, req.version, req.now)) events.push(e);
          break;
        case 'changes':
          changes = engine.takeChanges();
          break;
        case 'ping':
          break;
      }
      // A count, not alarms(): that builds every open alarm, and a batch with events comes with every fault.
      const openAlarms = events.length > 0 || req.op === 'changes' ? engine.alarmCount : -1;
      return { events, openAlarms, evalMs: performance.now() - started, changeCount: engine.changeCount, ...(changes !== undefined ? { changes } : {}), ...(outageMs !== undefined ? { outageMs } : {}) };
    } catch (err) {
      return { events: [], openAlarms: -1, evalMs: performance.now() - started, error: String((err as Error)?.stack ?? err) };
    }
  }
}

function ingestAll(engine: Engine, entries: readonly JournalEntry[], events: AlarmEvent[]): void {
  for (const entry of entries) {
    for (const input of engineInputs(entry)) {
      const out = engine.ingest(input);
      for (let i = 0; i < out.length; i++) events.push(out[i] as AlarmEvent);
    }
  }
}
