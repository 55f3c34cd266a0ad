/**
 * Hubs already back after a restart, publishing while the others reconnect: each of the given
 * hubs sends one QoS 1 telemetry message every `everyMs` (with jitter, open loop: a late PUBACK
 * never holds the next message back). A process of its own, so the storm's connects in the
 * bench process do not delay the clock these PUBACK times are read with. Prints `ready` once
 * all are connected; on `report` (stdin) prints one JSON line of PUBACK times since the last
 * `mark`, on `mark` starts a new window; exits on stdin end.
 */
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';

const [portText, everyText] = process.argv.slice(2);
const hubs = JSON.parse(process.env.STORM_HUBS ?? '[]') as { hubId: string; password: string }[];
const everyMs = Number(everyText ?? 1000);
let samples: number[] = [];
let failures = 0;

const clients = await Promise.all(
  hubs.map((h) => mqtt.connectAsync(`mqtt://127.0.0.1:${portText}`, { username: h.hubId, password: h.password, clientId: h.hubId, protocolVersion: 4, reconnectPeriod: 0, keepalive: 600 })),
);
let seq = 0;
const timers = clients.map((client, i) => {
  const hubId = hubs[i]?.hubId ?? '';
  const topic = `forecare/v1/${hubId}/appliances/fridge-1/telemetry`;
  const send = (): void => {
    const payload = `{"ts":${Date.now()},"seq":${++seq},"type":"refrigerator","metrics":{"fridge_temp_c":4.1,"freezer_temp_c":-18.5,"compressor_duty":0.42,"compressor_current_a":1.1,"door_open":false}}`;
    const t0 = performance.now();
    client.publish(topic, payload, { qos: 1 }, (err) => {
      if (err) failures++;
      else samples.push(performance.now() - t0);
    });
  };
  // Spread over the period, then each on its own jittered beat.
  return setTimeout(function beat() {
    send();
    timers[i] = setTimeout(beat, everyMs * (0.8 + Math.random() * 0.4));
  }, Math.random() * everyMs);
});
console.log('ready');

const pct = (sorted: number[], p: number): number => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 10) / 10;
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'mark') {
    samples = [];
    failures = 0;
  } else if (line === 'report') {
    const sorted = [...samples].sort((a, b) => a - b);
    console.log(JSON.stringify({ acked: sorted.length, failures, p50Ms: pct(sorted, 0.5), p99Ms: pct(sorted, 0.99), maxMs: pct(sorted, 1) }));
  }
}).on('close', () => {
  for (const t of timers) clearTimeout(t);
  void Promise.all(clients.map((c) => c.endAsync(true))).then(() => process.exit(0));
});
