import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { readRecording, runBacktest, loadRuleFiles, type RecordedMessage } from '@forecare/gateway';
import { tempDir } from '../support/gateway.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};

const T0 = Date.UTC(2026, 3, 1);
const HUBS = 300;

/** Message `i` of a synthetic fleet: a fridge reading per hub a minute, a heartbeat every fifth. */
function message(i: number): RecordedMessage {
  const hub = `s-${i % HUBS}`;
  const minute = Math.floor(i / HUBS);
  const at = T0 + minute * 60_000 + (i % HUBS) * 10;
  if (minute % 5 === 0 && i % 2 === 0) return { topic: `forecare/v1/${hub}/heartbeat`, payload: Buffer.from(JSON.stringify({ ts: at, seq: minute + 1 })), at };
  const payload = { ts: at, seq: minute + 1, type: 'refrigerator', model: 'RF-1', metrics: { fridge_temp_c: 4 + ((minute * 7 + i) % 20) / 10, freezer_temp_c: -18, door_open: false }, state: { mode: 'normal', defrost: false } };
  return { topic: `forecare/v1/${hub}/appliances/fridge-1/telemetry`, payload: Buffer.from(JSON.stringify(payload)), at };
}

describe('a backtest streams its recording: memory stays flat whatever its size', () => {
  it('reading a recording of a few hundred MB holds a line at a time', async () => {
    const file = join(tempDir(), 'big.ndjson');
    const out = createWriteStream(file);
    const line = (i: number): string => {
      const m = message(i);
      return JSON.stringify({ topic: m.topic, payload: m.payload.toString(), at: m.at }) + '\n';
    };
    let i = 0;
    while (out.bytesWritten + out.writableLength < 250e6) {
      if (!out.write(line(i++))) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    expect(statSync(file).size).toBeGreaterThan(250e6);
    const before = heapMb();
    let n = 0;
    let peak = 0;
    for await (const m of readRecording(file)) {
      if ('problem' in m) throw new Error(m.problem);
      if (++n % 200_000 === 0) peak = Math.max(peak, heapMb());
    }
    expect(n).toBe(i);
    // Had the file been read whole, a quarter of a gigabyte of text would be on the heap.
    expect(peak - before).toBeLessThan(40);
  }, 120_000);

  it('judging 150,000 messages of a fixed fleet, the heap after the first third does not grow with the rest', async () => {
    const total = 150_000;
    const samples: number[] = [];
    let alarms = 0;
    async function* messages(): AsyncGenerator<RecordedMessage> {
      for (let i = 0; i < total; i++) {
        if (i % 50_000 === 0 && i > 0) samples.push(heapMb());
        yield message(i);
      }
    }
    const summary = await runBacktest({ rules: loadRuleFiles(''), overrides: {}, tickMs: 1000, reopenWindowMs: 86_400_000 }, messages(), (l) => (l.type === 'alarm' ? alarms++ : 0));
    samples.push(heapMb());
    expect(summary).toMatchObject({ messages: total, rejected: 0, skippedLines: 0 });
    // The whole journal went through the scratch store and was pruned behind the rules.
    expect(samples).toHaveLength(3);
    expect((samples[2] as number) - (samples[0] as number)).toBeLessThan(15);
    expect(alarms).toBe(0);
  }, 180_000);
});
