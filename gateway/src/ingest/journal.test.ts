import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UplinkMessage } from '@forecare/firmware-contracts';
import { ManualClock } from '../clock.js';
import { createLogger } from '../log.js';
import { Metrics } from '../metrics/metrics.js';
import { openStore, type Store } from '../store/db.js';
import type { DeadLetterStore } from '../store/ports/dead-letters.js';
import { SqliteDeadLetterStore } from '../store/sqlite/dead-letter-store.js';
import { SqliteJournalStore } from '../store/sqlite/journal-store.js';
import { Journal, type JournalEntry } from './journal.js';
import { InlineJournalWriter, type BatchWritten, type JournalWriter } from './journal-writer.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0);
const telemetry = (seq: number): UplinkMessage => ({ kind: 'telemetry', hubId: 'h1', applianceId: 'h1.fridge', payload: { ts: T0, seq, type: 'refrigerator', metrics: { fridge_temp_c: 4 } } });

function journalOn(maxBatch: number, maxDelayMs: number): { store: Store; journal: Journal; batches: JournalEntry[][] } {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'journal-')), 'db.sqlite'));
  const journal = new Journal(new SqliteJournalStore(store), new SqliteDeadLetterStore(store), new ManualClock(T0), new Metrics({ defaultMetrics: false }), createLogger({ level: 'silent' }), { maxBatch, maxDelayMs });
  const batches: JournalEntry[][] = [];
  journal.onCommitted((entries) => {
    batches.push([...entries]);
  });
  return { store, journal, batches };
}

/** Lets the stores' answers (promises) run. */
const answered = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const rows = (store: Store): { pos: number; seq: number }[] => store.journal.prepare('SELECT pos, seq FROM journal ORDER BY pos').all() as { pos: number; seq: number }[];

describe('journal group commit', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('commits whole 32-row chunks and the rest in order, with the positions SQLite gave them, and acknowledges only after the commit', async () => {
    const { store, journal, batches } = journalOn(1000, 0);
    const acked: number[] = [];
    for (let seq = 1; seq <= 70; seq++) journal.append(telemetry(seq), Buffer.from(JSON.stringify(telemetry(seq).payload)), () => acked.push(seq));
    expect(acked).toEqual([]);
    journal.flush();
    await answered();
    expect(acked).toHaveLength(70);
    const written = rows(store);
    expect(written.map((r) => r.seq)).toEqual(Array.from({ length: 70 }, (_, i) => i + 1));
    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((e) => e.pos)).toEqual(written.map((r) => r.pos));
    expect(batches[0]?.map((e) => (e.message.kind === 'telemetry' ? e.message.payload.seq : 0))).toEqual(written.map((r) => r.seq));
  });

  it('cuts a batch at maxBatch', async () => {
    const { journal, batches } = journalOn(10, 0);
    for (let seq = 1; seq <= 25; seq++) journal.append(telemetry(seq), Buffer.from('{}'), () => undefined);
    journal.flush();
    await journal.settled();
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('with a delay, waits up to that long for the batch to fill and commits it once', async () => {
    vi.useFakeTimers();
    const { journal, batches } = journalOn(1000, 20);
    const acked: number[] = [];
    journal.append(telemetry(1), Buffer.from('{}'), () => acked.push(1));
    vi.advanceTimersByTime(10);
    journal.append(telemetry(2), Buffer.from('{}'), () => acked.push(2));
    expect(acked).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expect(acked).toEqual([1, 2]);
    expect(batches.map((b) => b.length)).toEqual([2]);
  });

  it('without a delay, one turn of the event loop is one batch', async () => {
    const { journal, batches } = journalOn(1000, 0);
    journal.append(telemetry(1), Buffer.from('{}'), () => undefined);
    journal.append(telemetry(2), Buffer.from('{}'), () => undefined);
    await new Promise((r) => setImmediate(r));
    journal.append(telemetry(3), Buffer.from('{}'), () => undefined);
    await new Promise((r) => setImmediate(r));
    expect(batches.map((b) => b.length)).toEqual([2, 1]);
  });

  it('with a writer thread, small batches commit on the event loop only while the thread holds none: positions stay in order', async () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'journal-')), 'db.sqlite'));
    // A stand-in for the thread: it commits as the thread would, but answers only when released.
    const held: (() => void)[] = [];
    const sizes: number[] = [];
    const inner = new InlineJournalWriter(store.journal);
    const thread: JournalWriter = {
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(),
      write: (batch, transfer, done: BatchWritten) => {
        sizes.push(batch.count);
        inner.write(batch, transfer, (err, firstPos, ms) => held.push(() => done(err, firstPos, ms)));
      },
    };
    const journalStore = new SqliteJournalStore(store, { writer: thread, inlineMax: 4 });
    const journal = new Journal(journalStore, new SqliteDeadLetterStore(store), new ManualClock(T0), new Metrics({ defaultMetrics: false }), createLogger({ level: 'silent' }), { maxBatch: 1000 });
    const batches: JournalEntry[][] = [];
    journal.onCommitted((entries) => {
    batches.push([...entries]);
  });
    let seq = 0;
    const append = (n: number): void => {
      for (let i = 0; i < n; i++) journal.append(telemetry(++seq), Buffer.from('{}'), () => undefined);
      journal.flush();
    };
    append(2); // small, thread idle: committed here at once
    await answered();
    expect(sizes).toEqual([]);
    expect(batches.map((b) => b.length)).toEqual([2]);
    append(10); // large: to the thread
    append(2); // small, but the thread holds a batch: behind it, to the thread
    expect(sizes).toEqual([10, 2]);
    for (const release of held.splice(0)) release();
    await answered();
    expect(batches.map((b) => b.length)).toEqual([2, 10, 2]);
    const positions = batches.flat().map((e) => e.pos);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(rows(store).map((r) => r.seq)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    store.close();
  });

  it('a dead letter its store could not keep is not acknowledged: the callback gets the error, and the journal goes on', async () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'journal-')), 'db.sqlite'));
    // A store that has lost its disk: every append rejects.
    const failing: DeadLetterStore = { append: () => Promise.reject(new Error('disk I/O error')) };
    const journal = new Journal(new SqliteJournalStore(store), failing, new ManualClock(T0), new Metrics({ defaultMetrics: false }), createLogger({ level: 'silent' }), { maxBatch: 100 });
    const results: (string | undefined)[] = [];
    journal.appendDeadLetter({ hubId: 'h1', clientId: 'c1', topic: 'forecare/v1/h1/status', reason: 'not-json', errors: [], payload: Buffer.from('{') }, (err) => results.push(err?.message));
    journal.append(telemetry(1), Buffer.from(JSON.stringify(telemetry(1).payload)), (err) => results.push(err?.message ?? 'ok'));
    await journal.settled();
    expect(results.sort()).toEqual(['disk I/O error', 'ok']);
    expect(rows(store).map((r) => r.seq)).toEqual([1]);
    store.close();
  });

  it('keeps dead letters in their store with the time they came in', async () => {
    const { store, journal } = journalOn(100, 0);
    const acked: (Error | undefined)[] = [];
    journal.appendDeadLetter({ hubId: 'h1', clientId: 'c1', topic: 'forecare/v1/h1/status', reason: 'not-json', errors: [{ pointer: '', message: 'bad' }], payload: Buffer.from('{') }, (err) => acked.push(err));
    await journal.settled();
    expect(acked).toEqual([undefined]);
    expect(store.sqlite.prepare('SELECT received_at, hub_id, reason, errors FROM dead_letters').all()).toEqual([{ received_at: T0, hub_id: 'h1', reason: 'not-json', errors: '[{"pointer":"","message":"bad"}]' }]);
  });
});
