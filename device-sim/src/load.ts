import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '@forecare/firmware-contracts';
import { runRawLoad } from './raw-load.js';

export interface LoadOptions {
  readonly url: string;
  readonly hubs: readonly { hubId: string; password: string }[];
  readonly qos: 0 | 1;
  readonly seconds: number;
  /** Messages in flight per connection (QoS 1). */
  readonly window: number;
  readonly onProgress?: (sent: number) => void;
}

export interface LoadResult {
  readonly connections: number;
  readonly sent: number;
  readonly seconds: number;
  readonly perSec: number;
  readonly pubackP50Ms: number | null;
  readonly pubackP99Ms: number | null;
  readonly errors: number;
}

/**
 * Publishes valid fridge telemetry as fast as the gateway acknowledges it, from many
 * connections: over raw sockets for mqtt:// (raw-load.ts: the generator costs little, so the
 * rate is the server's), through the mqtt client library for mqtts:// and ws(s)://.
 */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const url = new URL(o.url);
  if (url.protocol !== 'mqtt:') return runClientLoad(o);
  const r = await runRawLoad({ host: url.hostname, port: Number(url.port === '' ? 1883 : url.port), hubs: o.hubs, qos: o.qos, window: o.window, seconds: o.seconds, ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}) });
  const ms = (v: number): number | null => (Number.isNaN(v) ? null : v);
  return { connections: r.connections, sent: r.acked, seconds: r.seconds, perSec: r.perSec, pubackP50Ms: o.qos === 1 ? ms(r.p50) : null, pubackP99Ms: o.qos === 1 ? ms(r.p99) : null, errors: r.errors };
}

async function runClientLoad(o: LoadOptions): Promise<LoadResult> {
  const clients: MqttClient[] = await Promise.all(o.hubs.map((h) => mqtt.connectAsync(o.url, { username: h.hubId, password: h.password, clientId: `${h.hubId}-load`, protocolVersion: 4, reconnectPeriod: 0 })));
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  const deadline = Date.now() + o.seconds * 1000;
  const progress = setInterval(() => o.onProgress?.(sent), 250);
  const t0 = process.hrtime.bigint();
  await Promise.all(
    clients.map(async (client, i) => {
      const hubId = o.hubs[i]?.hubId ?? '';
      const topic = topics.telemetry(hubId, `${hubId}.fridge`);
      let seq = Math.floor(Date.now() / 1000) * 1000;
      const lane = async (): Promise<void> => {
        while (Date.now() < deadline) {
          const payload = JSON.stringify({ ts: Date.now(), seq: ++seq, type: 'refrigerator', metrics: { fridge_temp_c: 4 + (seq % 20) / 10, freezer_temp_c: -18.4, compressor_duty: 0.41 } });
          const started = process.hrtime.bigint();
          try {
            await client.publishAsync(topic, payload, { qos: o.qos });
            if (o.qos === 1) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            sent++;
          } catch {
            errors++;
            return;
          }
        }
      };
      await Promise.all(Array.from({ length: o.qos === 1 ? o.window : 1 }, lane));
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(progress);
  o.onProgress?.(sent);
  await Promise.all(clients.map((c) => c.endAsync()));
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number | null => (latencies.length === 0 ? null : Math.round((latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0) * 100) / 100);
  return { connections: clients.length, sent, seconds: Math.round(seconds * 100) / 100, perSec: Math.round(sent / seconds), pubackP50Ms: pct(50), pubackP99Ms: pct(99), errors };
}
