/**
 * Service benchmark: alarm → ticket + outbox commit → task received by a contact-center
 * stand-in, at a fixed rate of new faults (each on its own appliance, so each opens a ticket
 * and a contact). Reports p50/p99 from the fault's PUBLISH to the task's arrival and the
 * tasks/s delivered. BENCH_RATE (1000/s), BENCH_SECONDS (10) measured after BENCH_WARMUP_SECONDS (2)
 * at the same rate (JIT, first statements, connection set-up), which are not counted. Prints one final JSON line.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { topics } from '@forecare/firmware-contracts';
import { loadConfig } from '../dist/config/config.js';
import { startGateway } from '../dist/controller.js';
import { createLogger } from '../dist/log.js';

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = RATE * Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const N = RATE * SECONDS;
const TOTAL = WARMUP + N;

const sentAt = new Map<string, number>();
const latencies: number[] = [];
const trace: [number, number][] = [];
let firstArrival = 0;
let lastArrival = 0;
const cc = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const now = performance.now();
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { applianceId: string } };
    const t = sentAt.get(body.data.applianceId);
    if (t !== undefined && Number(body.data.applianceId.slice(2)) < WARMUP) sentAt.delete(body.data.applianceId);
    else if (t !== undefined) {
      latencies.push(now - t);
      if (process.env.BENCH_TRACE) trace.push([t, now - t]);
      sentAt.delete(body.data.applianceId);
      if (firstArrival === 0) firstArrival = now;
      lastArrival = now;
    }
    res.writeHead(202).end();
  });
});
await new Promise<void>((resolve) => cc.listen(0, '127.0.0.1', resolve));

const dataDir = mkdtempSync(join(tmpdir(), 'forecare-service-bench-'));
const config = loadConfig({ FORECARE_MQTT_PORT: '0', FORECARE_HTTP_PORT: '0', FORECARE_DATA_DIR: dataDir, FORECARE_ADMIN_TOKEN: 'bench-token-0123456789abcdef', FORECARE_CONTACT_CENTER_URL: `http://127.0.0.1:${(cc.address() as AddressInfo).port}/tasks`, FORECARE_CONFIG: join(dataDir, 'none.json') });
const gw = await startGateway(config, { logger: createLogger({ level: 'warn' }) });
const { password } = await gw.ctx.hubs.provision({ hubId: 'bench-svc' });
const s = gw.ctx.store.sqlite;
const now = Date.now();
gw.ctx.store.transaction(() => {
  const customer = s.prepare("INSERT INTO customers (customer_id, name, phone, daily_cap, created_at) VALUES (?, 'Bench', ?, 100, ?)");
  const appliance = s.prepare("INSERT INTO appliances (appliance_id, hub_id, customer_id, type, model, created_at) VALUES (?, 'bench-svc', ?, 'refrigerator', 'RF-BENCH', ?)");
  for (let i = 0; i < TOTAL; i++) {
    customer.run(`c-${i}`, `+1 555 ${String(i).padStart(7, '0')}`, now);
    appliance.run(`a-${i}`, `c-${i}`, now);
  }
});
const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${gw.mqttPort}`, { username: 'bench-svc', password, protocolVersion: 4, reconnectPeriod: 0 });
const start = performance.now();
const pending: Promise<unknown>[] = [];
for (let i = 0; i < TOTAL; i++) {
  const due = start + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  const id = `a-${i}`;
  sentAt.set(id, performance.now());
  pending.push(client.publishAsync(topics.fault('bench-svc', id), JSON.stringify({ ts: Date.now(), seq: 1, type: 'refrigerator', code: 'E-CMP-01', active: true }), { qos: 1 }));
}
await Promise.all(pending);
const deadline = performance.now() + 30_000;
while (latencies.length < N && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
await client.endAsync();
await gw.stop();
cc.close();
rmSync(dataDir, { recursive: true, force: true });
if (process.env.BENCH_TRACE) {
  const t0 = trace[0]?.[0] ?? 0;
  for (const [t, l] of trace) if (l > 20) console.log(`slow: sent at +${Math.round(t - t0)} ms took ${Math.round(l)} ms`);
}
latencies.sort((a, b) => a - b);
const pct = (p: number): number => Math.round((latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN) * 100) / 100;
const delivered = latencies.length;
const tasksPerSec = Math.round(delivered / ((lastArrival - firstArrival) / 1000 || 1));
console.log(`${delivered}/${N} tasks at ${RATE} faults/s: fault → task received p50 ${pct(50)} ms, p99 ${pct(99)} ms; ${tasksPerSec} tasks/s delivered`);
console.log(
  JSON.stringify({
    name: 'service: fault → ticket + outbox commit → task at the contact center',
    rate: RATE,
    figures: { delivered, expected: N, p50Ms: pct(50), p99Ms: pct(99), tasksPerSec },
    baseline: { name: 'offered fault rate', perSec: RATE },
    ratio: Math.round((tasksPerSec / RATE) * 100) / 100,
    targets: { p99MsMax: 20 },
  }),
);
