/**
 * What every JournalStore must do, as a test that takes a factory: the SQLite store runs it
 * (sqlite/journal-store.test.ts), and so must any other implementation (PostgreSQL or
 * JetStream, issue 22). Not a test file itself: vitest collects only the `*.test.ts` that call it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { UplinkMessage } from '@forecare/firmware-contracts';
import { packBatch } from '../../ingest/journal.js';
import type { JournalRecord, JournalStore, UnreadableRow } from '../ports/journal.js';

/** A row put in as it is stored, bypassing validation: how a damaged row is made. */
export interface RawJournalRow {
  readonly receivedAt: number;
  readonly hubId: string;
  readonly applianceId: string | null;
  readonly kind: string;
  readonly payload: string;
}

export interface JournalStoreHarness {
  readonly journal: JournalStore;
  /** What the store reported as unreadable, in order. */
  readonly unreadable: readonly UnreadableRow[];
  /** Writes a row as stored, answering its position. */
  insertRaw(row: RawJournalRow): Promise<number>;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 10, 24, 12, 0);
const telemetry = (hubId: string, seq: number): UplinkMessage => ({ kind: 'telemetry', hubId, applianceId: `${hubId}.fridge`, payload: { ts: T0 + seq, seq, type: 'refrigerator', metrics: { fridge_temp_c: 4 + seq / 10 } } });
const status = (hubId: string): UplinkMessage => ({ kind: 'status', hubId, payload: { ts: T0, state: 'online' } } as UplinkMessage);

/** Appends messages as one batch, received at `at` (+ i ms each), the raw bytes the payload's JSON. */
async function append(journal: JournalStore, messages: readonly UplinkMessage[], at = T0): Promise<number> {
  const { batch, transfer } = packBatch(messages.map((message, i) => ({ message, raw: Buffer.from(JSON.stringify(message.payload)), receivedAt: at + i })));
  return (await journal.append(batch, transfer)).firstPos;
}

async function all(it: AsyncIterable<JournalRecord>): Promise<JournalRecord[]> {
  const out: JournalRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

const seqOf = (r: { message: UplinkMessage }): number => (r.message.kind === 'telemetry' ? r.message.payload.seq : -1);

export function journalStoreContract(name: string, open: () => Promise<JournalStoreHarness>): void {
  describe(`JournalStore contract: ${name}`, () => {
    let h: JournalStoreHarness | undefined;
    const harness = async (): Promise<JournalStoreHarness> => {
      h = await open();
      await h.journal.start();
      return h;
    };
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it('an empty journal reads as empty everywhere, positions past its end included', async () => {
      const { journal } = await harness();
      expect(await journal.maxPosition()).toBe(0);
      expect(await journal.count()).toBe(0);
      expect(await journal.tail(100)).toEqual([]);
      expect(await journal.after(0, 0, 100)).toEqual({ entries: [], through: 0 });
      expect(await journal.after(50, 1000, 100)).toEqual({ entries: [], through: 50 });
      expect(await all(journal.since(0))).toEqual([]);
    });

    it('appends batches at consecutive positions, in the order given, and reads back the same messages and bytes', async () => {
      const { journal } = await harness();
      // Three appends in flight at once: their promises settle in order, positions never interleave.
      const firsts = await Promise.all([append(journal, [telemetry('h1', 1), telemetry('h1', 2)]), append(journal, [status('h2')]), append(journal, [telemetry('h1', 3)])]);
      expect(firsts[1]).toBe((firsts[0] as number) + 2);
      expect(firsts[2]).toBe((firsts[1] as number) + 1);
      const end = await journal.maxPosition();
      expect(end).toBe((firsts[2] as number));
      expect(await journal.count()).toBe(4);
      const { entries, through } = await journal.after(0, end, 100);
      expect(through).toBe(end);
      expect(entries.map((e) => e.pos)).toEqual([firsts[0], (firsts[0] as number) + 1, firsts[1], firsts[2]]);
      expect(entries.map((e) => e.message)).toEqual([telemetry('h1', 1), telemetry('h1', 2), status('h2'), telemetry('h1', 3)]);
      expect(entries[0]?.receivedAt).toBe(T0);
      const tail = await journal.tail(2);
      expect(tail.map((r) => r.message)).toEqual([status('h2'), telemetry('h1', 3)]);
      expect(tail[1]?.raw.toString()).toBe(JSON.stringify(telemetry('h1', 3).payload));
    });

    it('after() keeps to its window, its limit and its kind; a window past the end or upside down reads nothing', async () => {
      const { journal } = await harness();
      const first = await append(journal, [telemetry('h1', 1), status('h1'), telemetry('h1', 2), telemetry('h1', 3), status('h1')]);
      const end = await journal.maxPosition();
      const page = await journal.after(first - 1, end, 2);
      expect(page.entries.map((e) => e.pos)).toEqual([first, first + 1]);
      expect(page.through).toBe(first + 1);
      expect((await journal.after(first, first + 2, 100)).entries.map((e) => e.pos)).toEqual([first + 1, first + 2]);
      const telemetryOnly = await journal.after(first - 1, end, 100, 'telemetry');
      expect(telemetryOnly.entries.map(seqOf)).toEqual([1, 2, 3]);
      expect(telemetryOnly.through).toBe(first + 3);
      expect(await journal.after(end, end + 1000, 100)).toEqual({ entries: [], through: end });
      expect(await journal.after(end + 10, end + 1000, 100)).toEqual({ entries: [], through: end + 10 });
      expect(await journal.after(end, first, 100)).toEqual({ entries: [], through: end });
      expect(await journal.after(-5, end, 0)).toEqual({ entries: [], through: -5 });
      expect((await journal.after(-5, end, 100)).entries).toHaveLength(5);
    });

    it('since() streams what was received from a time on, page after page, in journal order', async () => {
      const { journal } = await harness();
      await append(journal, [telemetry('h1', 1), telemetry('h1', 2)], T0);
      await append(journal, Array.from({ length: 7 }, (_, i) => telemetry('h2', 10 + i)), T0 + 60_000);
      const later = await all(journal.since(T0 + 60_000, 3));
      expect(later.map(seqOf)).toEqual([10, 11, 12, 13, 14, 15, 16]);
      expect(later.map((r) => r.pos)).toEqual([...later.map((r) => r.pos)].sort((a, b) => a - b));
      expect((await all(journal.since(T0))).length).toBe(9);
      expect(await all(journal.since(T0 + 86_400_000))).toEqual([]);
    });

    it('skips a row it cannot decode — not JSON, an unknown kind, an appliance kind without appliance, no device time — reports each with its code, and reads on past it', async () => {
      const h = await harness();
      const { journal } = h;
      await append(journal, [telemetry('h1', 1)]);
      const bad = [
        await h.insertRaw({ receivedAt: T0, hubId: 'h1', applianceId: 'h1.fridge', kind: 'telemetry', payload: '{"ts":1,"seq":' }),
        await h.insertRaw({ receivedAt: T0, hubId: 'h1', applianceId: null, kind: 'firmware', payload: '{"ts":1}' }),
        await h.insertRaw({ receivedAt: T0, hubId: 'h1', applianceId: null, kind: 'fault', payload: '{"ts":1,"seq":1,"type":"refrigerator","code":"E","active":true}' }),
        await h.insertRaw({ receivedAt: T0, hubId: 'h1', applianceId: 'h1.fridge', kind: 'telemetry', payload: '[1,2]' }),
      ];
      const last = await append(journal, [telemetry('h1', 2)]);
      const end = await journal.maxPosition();
      expect(end).toBe(last);
      const page = await journal.after(0, end, 100);
      expect(page.entries.map(seqOf)).toEqual([1, 2]);
      expect(page.through).toBe(end);
      // A page made only of damaged rows still moves on: a replay reading it never stops short.
      const onlyBad = await journal.after(bad[0] as number - 1, bad[3] as number, 100);
      expect(onlyBad).toEqual({ entries: [], through: bad[3] });
      expect((await journal.tail(10)).map(seqOf)).toEqual([1, 2]);
      expect((await all(journal.since(0))).map(seqOf)).toEqual([1, 2]);
      expect(h.unreadable.slice(0, 4).map((u) => [u.pos, u.error.code])).toEqual(bad.map((pos) => [pos, 'GW_ERR_JOURNAL_ROW_UNREADABLE']));
      expect(h.unreadable[0]?.payload.toString()).toBe('{"ts":1,"seq":');
      expect(await journal.count()).toBe(6);
    });

    it('stop() lets an append already handed over commit; reads still answer afterwards', async () => {
      const { journal } = await harness();
      const appending = append(journal, [telemetry('h1', 1), telemetry('h1', 2)]);
      await journal.stop();
      const first = await appending;
      expect((await journal.after(first - 1, first + 1, 10)).entries.map(seqOf)).toEqual([1, 2]);
    });
  });
}
