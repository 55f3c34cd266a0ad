/**
 * What the gateway's pipeline behind the broker costs per message, without MQTT: the real
 * gateway (started in this process on the bench's data and rules directories) is fed the
 * load generator's messages straight into ingest — decode, validate, dedupe, journal on its
 * writer thread, rules, telemetry history — in bursts as large as the bench's windows. CPU is
 * counted over every thread of this process. Also the decode + validation step alone, the
 * part no design can skip. Prints one JSON line. Run by run.ts with the data dir as argument.
 */
import { decodeUplink } from '@forecare/firmware-contracts';
import { loadConfig } from '../dist/config/config.js';
import { startGateway } from '../dist/controller.js';

const [dataDir = '', rulesDir = '', hubsArg = '20', windowArg = '64', messagesArg = '300000'] = process.argv.slice(2);
const hubs = Number(hubsArg);
const burst = hubs * Number(windowArg);
const total = Number(messagesArg);

const topicOf = (h: number): string => `forecare/v1/bench-${h}/appliances/bench-${h}.fridge/telemetry`;
/** The load generator's payload (device-sim raw-load.ts), with its seq. */
const payloadOf = (seq: number): Buffer =>
  Buffer.from(`{"ts":${Date.now()},"seq":${seq},"type":"refrigerator","metrics":{"fridge_temp_c":${4 + (seq % 10) / 10},"freezer_temp_c":-18.5,"compressor_duty":0.42,"compressor_current_a":1.1,"door_open":false}}`);

function cpuUs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return d.user + d.system;
}

const config = loadConfig({ ...process.env, FORECARE_DATA_DIR: dataDir, FORECARE_RULES_DIR: rulesDir, FORECARE_MQTT_PORT: '0', FORECARE_HTTP_PORT: '0', FORECARE_LOG_LEVEL: 'warn', FORECARE_ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef', FORECARE_CONFIG: `${dataDir}/none.json` });
const gw = await startGateway(config);
const publishers = Array.from({ length: hubs }, (_, h) => ({ hubId: `bench-${h}`, clientId: `bench-${h}-pipeline` }));
const topics = publishers.map((_, h) => topicOf(h));
const base = Math.floor(Date.now() / 1000) * 1000 + 500_000_000;

/** One burst through ingest; resolves when every message's `done` (the PUBACK) has run. */
function feed(payloads: readonly Buffer[], first: number, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = count;
    for (let i = 0; i < count; i++) {
      const n = first + i;
      const h = n % hubs;
      gw.ingest.accept(publishers[h] as (typeof publishers)[number], topics[h] as string, payloads[n] as Buffer, (err) => {
        if (err !== undefined) reject(err);
        else if (--left === 0) resolve();
      });
    }
  });
}

// Warm up (JIT, caches), then measure; the payloads are made beforehand, as a socket would bring them.
const warm = 50_000;
const payloads = Array.from({ length: warm + total }, (_, n) => payloadOf(base + n));
for (let n = 0; n < warm; n += burst) await feed(payloads, n, Math.min(burst, warm - n));
await gw.ctx.runner.settled();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let n = warm; n < warm + total; n += burst) await feed(payloads, n, Math.min(burst, warm + total - n));
// The rules follow the PUBACKs a few batches behind (on their own thread): their share counts in full.
await gw.ctx.runner.settled();
const pipelineUs = cpuUs(cpu0) / total;
const elapsedS = (performance.now() - t0) / 1000;

// Decode + validate only, on the same payloads (payload building outside the timing).
const sample = Array.from({ length: 20_000 }, (_, i) => payloadOf(i));
for (let r = 0; r < 3; r++) for (let i = 0; i < sample.length; i++) decodeUplink(topics[i % hubs] as string, sample[i] as Buffer);
const d0 = process.cpuUsage();
const rounds = 10;
for (let r = 0; r < rounds; r++) for (let i = 0; i < sample.length; i++) decodeUplink(topics[i % hubs] as string, sample[i] as Buffer);
const decodeUs = cpuUs(d0) / (rounds * sample.length);

await gw.stop();
const round = (x: number): number => Math.round(x * 100) / 100;
console.log(JSON.stringify({ messages: total, burst, pipelineCpuUsPerMsg: round(pipelineUs), decodeValidateCpuUsPerMsg: round(decodeUs), perSecOneProcess: Math.round(total / elapsedS) }));
