/**
 * Reconnect storm (issue 25): a gateway restarts and every hub comes back at once, each with
 * its own password. Measured: the time until every hub is connected and has had one QoS 1
 * message acknowledged, and meanwhile the PUBACK times of hubs that were already back and
 * publishing (open loop, a process of their own: storm-publishers.ts).
 *
 * The same-run baseline is what the storm would take without the verified-password memory
 * kept across the restart (hubs/verified-file.ts): a sample of hubs the memory does not know
 * connects at once, its scrypt checks per second are measured, and the whole fleet's time is
 * projected from that rate.
 *
 * Setup, not measured: every hub gets a password and a real scrypt hash, cached between runs
 * in ~/.cache/forecare/bench (the first run pays ~1 min per 1,500 hubs); the kept memory is
 * written with the gateway's own classes, as if every hub but the sample had connected once
 * in the run before the restart. The hub count is capped by this machine's open-file limit
 * (hard 20,000, not raisable without privileges): the gateway holds a socket per hub.
 * Settings: BENCH_STORM_HUBS (19,000), BENCH_STORM_PUBLISHERS (200), BENCH_STORM_COLD (300).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connect, type Socket } from 'node:net';
import { connectPacket, publishPacket } from '@forecare/device-sim';
import { generatePassword, hashPassword, VerifiedPasswords } from '../dist/hubs/credentials.js';
import { keptVerifyKey, VerifiedPasswordsFile } from '../dist/hubs/verified-file.js';
import { createLogger } from '../dist/log.js';
import { openStore } from '../dist/store/db.js';
import { waitForLine } from './child-output.js';

const STORM = Number(process.env.BENCH_STORM_HUBS ?? 19_000);
const PUBLISHERS = Number(process.env.BENCH_STORM_PUBLISHERS ?? 200);
const COLD = Number(process.env.BENCH_STORM_COLD ?? 300);
const DEADLINE_MS = 120_000;
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const r1 = (x: number): number => Math.round(x * 10) / 10;

interface Hub {
  readonly hubId: string;
  readonly password: string;
  readonly hash: string;
}

/** Passwords and their scrypt hashes, made once per count and kept in the user's cache. */
async function credentials(count: number): Promise<Hub[]> {
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'forecare', 'bench');
  const file = join(dir, `storm-hubs-${count}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Hub[];
  mkdirSync(dir, { recursive: true });
  const hubs: Hub[] = [];
  const started = Date.now();
  for (let i = 0; i < count; i += 64) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(64, count - i) }, async (_, j) => {
        const password = generatePassword();
        return { hubId: `storm-${i + j}`, password, hash: await hashPassword(password) };
      }),
    );
    hubs.push(...batch);
    if (hubs.length % 1024 === 0) console.log(`setup: ${hubs.length}/${count} scrypt hashes (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  writeFileSync(file, JSON.stringify(hubs));
  return hubs;
}

/**
 * One connect as a hub's firmware makes it, on a raw socket (19,000 MQTT.js clients would
 * measure the library): CONNECT, its CONNACK, one QoS 1 PUBLISH, its PUBACK. The open socket,
 * or undefined when refused, dropped or silent for 30 s.
 */
function connectOnce(port: number, hub: Hub): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    let stage: 'connack' | 'puback' | 'done' = 'connack';
    const give = (ok: boolean): void => {
      if (stage === 'done') return;
      stage = 'done';
      socket.setTimeout(0);
      if (!ok) socket.destroy();
      resolve(ok ? socket : undefined);
    };
    socket.setNoDelay(true);
    socket.setTimeout(30_000, () => give(false));
    socket.on('error', () => give(false));
    socket.on('close', () => give(false));
    socket.on('connect', () => socket.write(connectPacket(hub.hubId, hub.hubId, hub.password)));
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (stage === 'connack' && got.length >= 4) {
        // CONNACK 0x20, length 2, session present, return code 0 = accepted [MQTT-3.2.2.3].
        if (got[0] !== 0x20 || got[3] !== 0) return give(false);
        got = got.subarray(4);
        stage = 'puback';
        socket.write(publishPacket(Buffer.from(`forecare/v1/${hub.hubId}/appliances/fridge-1/telemetry`), 1, `{"ts":${Date.now()},"seq":1,"type":"refrigerator","metrics":{"fridge_temp_c":4.1,"freezer_temp_c":-18.5,"compressor_duty":0.4,"compressor_current_a":1.1,"door_open":false}}`));
      }
      if (stage === 'puback' && got.length >= 4 && got[0] === 0x40) give(true);
    });
  });
}

/** Connects as firmware does after a restart: again, after a jittered pause, until accepted and one message is acknowledged. */
async function comeBack(port: number, hub: Hub, deadline: number): Promise<{ socket: Socket; attempts: number } | undefined> {
  for (let attempts = 1; Date.now() < deadline; attempts++) {
    const socket = await connectOnce(port, hub);
    if (socket !== undefined) return { socket, attempts };
    await new Promise((r) => setTimeout(r, 500 + Math.random() * 1000));
  }
  return undefined;
}

/** Every hub at once; answers how long until the last one was back and publishing, and those that were. */
async function storm(port: number, hubs: readonly Hub[]): Promise<{ seconds: number; back: Socket[]; retries: number }> {
  const t0 = Date.now();
  const results = await Promise.all(hubs.map((h) => comeBack(port, h, t0 + DEADLINE_MS)));
  const back = results.flatMap((r) => (r === undefined ? [] : [r.socket]));
  return { seconds: r1((Date.now() - t0) / 1000), back, retries: results.reduce((n, r) => n + (r === undefined ? 0 : r.attempts - 1), 0) };
}

const hubs = await credentials(STORM + PUBLISHERS + COLD);
const warmHubs = hubs.slice(0, STORM + PUBLISHERS);
const coldHubs = hubs.slice(STORM + PUBLISHERS);
const dataDir = mkdtempSync(join(tmpdir(), 'forecare-storm-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const store = openStore(join(dataDir, 'forecare.db'));
const insert = store.sqlite.prepare('INSERT INTO hubs (hub_id, password_hash, created_at) VALUES (?, ?, ?)');
store.transaction(() => {
  for (const h of hubs) insert.run(h.hubId, h.hash, Date.now());
});
store.close();
// The run before the restart: every hub but the cold sample was verified once.
const logger = createLogger({ level: 'warn' });
const kept = new VerifiedPasswords(200_000, () => Promise.resolve(true), keptVerifyKey(join(dataDir, 'verify-key'), logger));
for (const h of warmHubs) await kept.check(h.password, h.hash);
await new VerifiedPasswordsFile(join(dataDir, 'verified-hub-passwords'), kept, logger).stop();

const env = { ...process.env, FORECARE_MQTT_PORT: '0', FORECARE_HTTP_PORT: '0', FORECARE_DATA_DIR: dataDir, FORECARE_LOG_LEVEL: 'warn', FORECARE_ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef', FORECARE_CONFIG: join(dataDir, 'none.json') };
const startedAt = Date.now();
// Profile it: BENCH_GATEWAY_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
const nodeArgs = ['--max-semi-space-size=64', ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')];
const gateway = spawn(process.execPath, [...nodeArgs, here('../dist/cli/main.js'), 'start'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const port = Number((await waitForLine(gateway, /mqtt:\/\/[^:]+:(\d+)/))[1]);
const startSeconds = r1((Date.now() - startedAt) / 1000);

// The publishing hubs' passwords go by environment, not arguments: a process list shows arguments.
const publishers = spawn(process.execPath, [here('./storm-publishers.js'), String(port), '1000'], { env: { ...process.env, STORM_HUBS: JSON.stringify(warmHubs.slice(STORM).map(({ hubId, password }) => ({ hubId, password }))) }, stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: publishers.stdout });
const nextLine = (): Promise<string> => new Promise((resolve) => lines.once('line', resolve));
const ready = nextLine();
await ready;
const window = async (run: () => Promise<unknown>): Promise<{ acked: number; failures: number; p50Ms: number; p99Ms: number; maxMs: number }> => {
  publishers.stdin.write('mark\n');
  await run();
  const reply = nextLine();
  publishers.stdin.write('report\n');
  return JSON.parse(await reply) as { acked: number; failures: number; p50Ms: number; p99Ms: number; maxMs: number };
};

const quiet = await window(() => new Promise((r) => setTimeout(r, 3000)));
console.log(`${PUBLISHERS} hubs publishing once a second, quiet: PUBACK p50 ${quiet.p50Ms} ms, p99 ${quiet.p99Ms} ms`);
let warm: Awaited<ReturnType<typeof storm>> | undefined;
const during = await window(async () => (warm = await storm(port, warmHubs.slice(0, STORM))));
if (warm === undefined) throw new Error('storm did not run');
console.log(`storm: ${warm.back.length}/${STORM} hubs back and publishing in ${warm.seconds} s (${warm.retries} retried connects); meanwhile PUBACK p50 ${during.p50Ms} ms, p99 ${during.p99Ms} ms`);
let cold: Awaited<ReturnType<typeof storm>> | undefined;
await window(async () => (cold = await storm(port, coldHubs)));
if (cold === undefined) throw new Error('cold sample did not run');
const coldPerSec = r1(cold.back.length / cold.seconds);
const projectedColdSeconds = r1(STORM / coldPerSec);
console.log(`baseline: ${cold.back.length} hubs the memory does not know came back in ${cold.seconds} s (${coldPerSec} scrypt checks/s): ${STORM} would take ~${projectedColdSeconds} s`);

for (const socket of [...warm.back, ...cold.back]) socket.destroy();
publishers.stdin.end();
await new Promise((r) => publishers.once('exit', r));
const exited = new Promise((r) => gateway.once('exit', r));
gateway.kill('SIGTERM');
await exited;

console.log(
  JSON.stringify({
    bench: 'reconnect-storm',
    hubs: STORM,
    gatewayStartSeconds: startSeconds,
    stormSeconds: warm.seconds,
    hubsBack: warm.back.length,
    retriedConnects: warm.retries,
    publishers: PUBLISHERS,
    pubackQuiet: quiet,
    pubackDuringStorm: during,
    baseline: { what: 'the same storm without the kept verified-password memory, projected from a cold sample in this run', sampleHubs: COLD, sampleSeconds: cold.seconds, scryptChecksPerSec: coldPerSec, projectedStormSeconds: projectedColdSeconds },
    ratio: r1(projectedColdSeconds / warm.seconds),
    targets: { stormSecondsMax: 60, pubackP99MsMax: 50 },
    met: warm.back.length === STORM && warm.seconds <= 60 && during.p99Ms <= 50,
  }),
);
process.exit(0);
