/** What every TelemetryExcerptStore must do, as a test that takes a factory (SQLite here, PostgreSQL in issue 22). */
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryExcerptStore, TelemetryPoint } from '../ports/telemetry-excerpts.js';

export interface TelemetryExcerptStoreHarness {
  readonly excerpts: TelemetryExcerptStore;
  /** Writes a point whose metrics are stored as the given text (a damaged row). */
  insertRaw(point: Omit<TelemetryPoint, 'metrics'>, metrics: string): Promise<void>;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 10, 24, 12, 0);
const point = (id: number, at: number, hubId = 'home-a', applianceId = 'fridge-1'): TelemetryPoint => ({ id, hubId, applianceId, at, deviceTs: at - 5, metrics: { fridge_temp_c: 4 + id / 1000, door_open: false } });

export function telemetryExcerptStoreContract(name: string, open: () => Promise<TelemetryExcerptStoreHarness>): void {
  describe(`TelemetryExcerptStore contract: ${name}`, () => {
    let h: TelemetryExcerptStoreHarness | undefined;
    const harness = async (): Promise<TelemetryExcerptStoreHarness> => (h = await open());
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it('answers nothing for an appliance without points, an empty window or a limit of 0', async () => {
      const { excerpts } = await harness();
      expect(await excerpts.points('home-a', 'fridge-1', 0, Number.MAX_SAFE_INTEGER, 100)).toEqual([]);
      await excerpts.add(point(1024, T0));
      expect(await excerpts.points('home-a', 'fridge-1', T0 + 1, T0 - 1, 100)).toEqual([]);
      expect(await excerpts.points('home-a', 'fridge-1', 0, Number.MAX_SAFE_INTEGER, 0)).toEqual([]);
    });

    it('keeps each id once (a replay adds nothing), and reads one appliance of one home, oldest first, within the window and limit', async () => {
      const { excerpts } = await harness();
      await excerpts.add(point(3072, T0 + 20_000));
      await excerpts.add(point(1024, T0));
      await excerpts.add(point(2048, T0 + 10_000));
      await excerpts.add({ ...point(1024, T0), metrics: { fridge_temp_c: 99 } });
      // Another home's fridge-1 is another appliance.
      await excerpts.add(point(4096, T0 + 10_000, 'home-b'));
      expect(await excerpts.points('home-a', 'fridge-1', T0, T0 + 20_000, 100)).toEqual([point(1024, T0), point(2048, T0 + 10_000), point(3072, T0 + 20_000)]);
      expect((await excerpts.points('home-a', 'fridge-1', T0 + 1, T0 + 20_000, 1)).map((p) => p.id)).toEqual([2048]);
      expect((await excerpts.points('home-b', 'fridge-1', 0, Number.MAX_SAFE_INTEGER, 100)).map((p) => p.id)).toEqual([4096]);
    });

    it('leaves a point whose stored metrics are damaged out, and answers the others', async () => {
      const h = await harness();
      await h.excerpts.add(point(1024, T0));
      await h.insertRaw({ id: 2048, hubId: 'home-a', applianceId: 'fridge-1', at: T0 + 1, deviceTs: T0 }, '{"fridge_temp_c":');
      await h.insertRaw({ id: 3072, hubId: 'home-a', applianceId: 'fridge-1', at: T0 + 2, deviceTs: T0 }, '[4]');
      await h.excerpts.add(point(4096, T0 + 3));
      expect((await h.excerpts.points('home-a', 'fridge-1', T0, T0 + 3, 100)).map((p) => p.id)).toEqual([1024, 4096]);
    });
  });
}
