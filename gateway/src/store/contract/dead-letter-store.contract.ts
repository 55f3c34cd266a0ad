/** What every DeadLetterStore must do, as a test that takes a factory (SQLite and PostgreSQL). */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeadLetter, DeadLetterStore } from '../ports/dead-letters.js';

export interface Kept {
  readonly letter: DeadLetter;
  readonly receivedAt: number;
}

export interface DeadLetterStoreHarness {
  readonly deadLetters: DeadLetterStore;
  /** Every letter kept, in the order they were kept (read from the table, as the operators' view reads it). */
  kept(): Promise<Kept[]>;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 10, 24, 12, 0);
const letter = (i: number, over: Partial<DeadLetter> = {}): DeadLetter => ({
  hubId: `hub-${i}`,
  clientId: `client-${i}`,
  topic: `forecare/v1/hub-${i}/appliances/fridge-1/telemetry`,
  reason: 'schema',
  errors: [{ pointer: '/metrics/fridge_temp_c', message: `must be number (${i})` }],
  payload: Buffer.from(`{"n":${i}}`),
  ...over,
});

export function deadLetterStoreContract(name: string, open: () => Promise<DeadLetterStoreHarness>): void {
  describe(`DeadLetterStore contract: ${name}`, () => {
    let h: DeadLetterStoreHarness | undefined;
    const harness = async (): Promise<DeadLetterStoreHarness> => (h = await open());
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it('keeps nothing for an empty batch, and answers it', async () => {
      const { deadLetters, kept } = await harness();
      await deadLetters.append([]);
      expect(await kept()).toEqual([]);
    });

    it('keeps each letter as given, with its receive time, in order: payload bytes byte for byte, errors, and unknown hub or client as null', async () => {
      const { deadLetters, kept } = await harness();
      const given: Kept[] = [
        { letter: letter(1), receivedAt: T0 },
        // Not UTF-8, NUL bytes, 0xff: a payload is bytes, not text.
        { letter: letter(2, { payload: Buffer.from([0x00, 0xff, 0xc3, 0x28, 0x00, 0x7b]), reason: 'not-json', errors: [] }), receivedAt: T0 + 1 },
        { letter: letter(3, { hubId: null, clientId: null, topic: 'forecare/v1/+/bad', reason: 'bad-topic', payload: Buffer.alloc(0) }), receivedAt: T0 + 2 },
        { letter: letter(4, { errors: [{ pointer: "/a/b'\"c", message: 'größer als "max"\nzweite Zeile' }, { pointer: '', message: '😀' }] }), receivedAt: T0 + 2 },
      ];
      await deadLetters.append(given);
      await deadLetters.append([{ letter: letter(5), receivedAt: T0 - 10 }]);
      expect(await kept()).toEqual([...given, { letter: letter(5), receivedAt: T0 - 10 }]);
    });

    it('keeps a batch whole or not at all: one letter it cannot keep rejects the batch and keeps none of it', async () => {
      const { deadLetters, kept } = await harness();
      await deadLetters.append([{ letter: letter(1), receivedAt: T0 }]);
      const broken = letter(3, { topic: null as unknown as string });
      await expect(deadLetters.append([{ letter: letter(2), receivedAt: T0 }, { letter: broken, receivedAt: T0 }, { letter: letter(4), receivedAt: T0 }])).rejects.toThrow();
      expect((await kept()).map((k) => k.letter.hubId)).toEqual(['hub-1']);
      await deadLetters.append([{ letter: letter(5), receivedAt: T0 }]);
      expect((await kept()).map((k) => k.letter.hubId)).toEqual(['hub-1', 'hub-5']);
    });

    it('keeps a large batch whole, and every letter of batches appended at once', async () => {
      const { deadLetters, kept } = await harness();
      const batch = (from: number, n: number): Kept[] => Array.from({ length: n }, (_, i) => ({ letter: letter(from + i), receivedAt: T0 + from + i }));
      // 10,000 letters: more values than PostgreSQL takes in one statement (65,535 parameters).
      await deadLetters.append(batch(0, 10_000));
      await Promise.all([deadLetters.append(batch(20_000, 300)), deadLetters.append(batch(30_000, 300)), deadLetters.append(batch(40_000, 300))]);
      const all = await kept();
      expect(all).toHaveLength(10_900);
      expect(all.slice(0, 10_000)).toEqual(batch(0, 10_000));
      const byTime = [...all.slice(10_000)].sort((x, y) => x.receivedAt - y.receivedAt);
      expect(byTime).toEqual([...batch(20_000, 300), ...batch(30_000, 300), ...batch(40_000, 300)]);
    });
  });
}
