/**
 * Ingest benchmark: QoS 1 throughput and PUBACK latency of the full gateway pipeline (auth,
 * ACL, validation, dedupe, journal group commit, the shipped rules and 100 extra threshold
 * rules, telemetry history) against bare aedes, both in their own processes, loaded by the
 * same raw-MQTT generator (device-sim raw-load.ts) in a process of its own. Also: the
 * gateway's broker layer alone (broker-only.ts: login, ACL, hygiene, nothing behind it), the
 * pipeline's CPU per message behind the broker, the ceiling that puts on this machine and
 * what the broker thread has left for the pipeline at the target ratio, the floor (floor-aedes.ts:
 * bare aedes with only a JSON parse and a group-committed journal row before each PUBACK, the
 * least any design meeting the issue does), RSS per idle hub connection, and device-sim's `load`
 * (forecare-sim load) against both servers. Prints one final JSON line. Settings by
 * environment: BENCH_SECONDS (8), BENCH_WARMUP_SECONDS (2), BENCH_ROUNDS (3), BENCH_HUBS (20),
 * BENCH_WINDOW (64 in flight per hub), BENCH_CONNECTIONS (15000). Every server is loaded for
 * the warm-up time first, alike, so the figures are steady state, not the JIT compiling the
 * hot paths (the gateway's warm-up figures are printed too); each is then compared with bare
 * aedes, which stays up, in BENCH_ROUNDS pairs of back-to-back runs (see paired()).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { APPLIANCE_TYPES, applianceCatalog } from '@forecare/firmware-contracts';
import { runLoad, type RawLoadOptions, type RawLoadResult } from '@forecare/device-sim';
import { defaultRulesDir } from '@forecare/rules';
import Database from 'better-sqlite3';
import { hashPassword } from '../dist/hubs/credentials.js';
import { openStore } from '../dist/store/db.js';
import { waitForLine } from './child-output.js';


const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const HUBS = Number(process.env.BENCH_HUBS ?? 20);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 64);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 15_000);
const TOKEN = 'bench-admin-token-0123456789abcdef';
const PASSWORD = 'bench-password-shared-by-bench-hubs-only';
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
/** device-sim's raw-socket generator (what `forecare-sim load` uses), run as a script of its own. */
const rawLoadScript = fileURLToPath(new URL('raw-load.js', import.meta.resolve('@forecare/device-sim')));

interface Server {
  readonly child: ChildProcess;
  readonly mqttPort: number;
  readonly httpPort?: number;
}

/** A bench server script (bare-aedes, broker-only, floor-aedes) in a Node process of its own, once it prints `listening <port>`. */
async function startListening(args: readonly string[]): Promise<Server> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const m = await waitForLine(child, /listening (\d+)/);
  return { child, mqttPort: Number(m[1]) };
}

const startBare = (): Promise<Server> => startListening([here('./bare-aedes.js')]);

/** Data dirs this run made (hundreds of MB each after a run): removed once used, and at exit whatever is left. */
const madeDirs = new Set<string>();
function discard(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  madeDirs.delete(dir);
}
process.on('exit', () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

/** A data dir with `hubs` provisioned directly (one shared hash: bench only), the shipped rules and 100 extra ones. */
async function prepareGatewayDir(hubCount: number): Promise<{ dataDir: string; rulesDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'forecare-bench-'));
  madeDirs.add(dataDir);
  const store = openStore(join(dataDir, 'forecare.db'));
  const hash = await hashPassword(PASSWORD);
  const insert = store.sqlite.prepare('INSERT INTO hubs (hub_id, password_hash, created_at) VALUES (?, ?, ?)');
  store.transaction(() => {
    for (let i = 0; i < hubCount; i++) insert.run(`bench-${i}`, hash, Date.now());
  });
  store.close();
  const rulesDir = join(dataDir, 'rules');
  mkdirSync(rulesDir);
  // Every shipped rule (as `npm start` runs them), plus the 100.
  for (const f of readdirSync(defaultRulesDir)) writeFileSync(join(rulesDir, f), readFileSync(join(defaultRulesDir, f)));
  const pairs = APPLIANCE_TYPES.flatMap((t) => applianceCatalog[t].metrics.filter((m) => m.type !== 'boolean').map((m) => ({ t, m })));
  const rules = Array.from({ length: 100 }, (_, i) => {
    const p = pairs[i % pairs.length];
    return { id: `bench-rule-${i}`, kind: 'threshold', appliesTo: [p?.t ?? 'refrigerator'], raises: ['ticket'], condition: `metrics.${p?.m.name ?? 'x'} > ${(p?.m.valid[1] ?? 1) * 0.99}`, params: { for: '10m' } };
  });
  writeFileSync(join(rulesDir, 'bench.json'), JSON.stringify(rules));
  return { dataDir, rulesDir };
}

/** The real Broker with an instant, batched acknowledgement behind it (broker-only.ts), on the bench's hubs. */
const startBrokerOnly = (dataDir: string): Promise<Server> => startListening(['--max-semi-space-size=64', here('./broker-only.js'), dataDir]);

/** floor-aedes.ts: bare aedes that parses each payload (`parse` 'main') or not ('none') and commits it to SQLite before its PUBACK. */
const startFloor = (dir: string, parse: 'main' | 'none'): Promise<Server> => startListening([here('./floor-aedes.js'), dir, 'turn', parse]);

/** The least a durable gateway does, warmed up and paired with bare aedes (no logins: it takes any client, as bare aedes does). */
async function loadFloor(bare: Server, parse: 'main' | 'none'): Promise<Paired> {
  const dir = mkdtempSync(join(tmpdir(), 'forecare-bench-'));
  madeDirs.add(dir);
  const floor = await startFloor(dir, parse);
  await warm(floor, null);
  const figures = await paired(bare, floor, null);
  await stop(floor);
  discard(dir);
  return figures;
}

async function startGateway(dataDir: string, rulesDir: string, synchronous: 'NORMAL' | 'FULL', rulesThread = false): Promise<Server> {
  const env = {
    ...process.env,
    FORECARE_RULES_THREAD: rulesThread ? 'on' : 'off',
    FORECARE_MQTT_PORT: '0',
    FORECARE_HTTP_PORT: '0',
    FORECARE_DATA_DIR: dataDir,
    FORECARE_RULES_DIR: rulesDir,
    FORECARE_ADMIN_TOKEN: TOKEN,
    FORECARE_LOG_LEVEL: 'warn',
    FORECARE_SQLITE_SYNCHRONOUS: synchronous,
    FORECARE_CONFIG: join(dataDir, 'none.json'),
  };
  // Profile the gateway, not the load generator: BENCH_GATEWAY_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
  // As `npm start` runs it (a larger young generation), plus any profiling flags.
  const nodeArgs = ['--max-semi-space-size=64', ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')];
  const child = spawn(process.execPath, [...nodeArgs, here('../dist/cli/main.js'), 'start'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const m = await waitForLine(child, /mqtt:\/\/[^:]+:(\d+)\s+HTTP http:\/\/[^:]+:(\d+)/);
  return { child, mqttPort: Number(m[1]), httpPort: Number(m[2]) };
}

/** A gateway on a data dir of its own, warmed up, paired with bare aedes, then stopped. */
async function loadFreshGateway(bare: Server, synchronous: 'NORMAL' | 'FULL', rulesThread: boolean): Promise<Paired> {
  const dir = await prepareGatewayDir(HUBS);
  const gw = await startGateway(dir.dataDir, dir.rulesDir, synchronous, rulesThread);
  await warm(gw, PASSWORD);
  const figures = await paired(bare, gw, PASSWORD);
  await stop(gw);
  discard(dir.dataDir);
  return figures;
}

async function stop(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/**
 * HUBS connections publish valid fridge telemetry at QoS 1, WINDOW in flight each, for
 * SECONDS: the raw-socket generator (raw-load.ts) in a process of its own, so the figure is
 * the server's and not a client library's.
 */
/** CPU time (user + system, all threads) a process has used, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

type LoadFigures = RawLoadResult & { readonly serverCpuUsPerMsg: number };
/** The warm-up run: what the first seconds after a start look like. */
type Warmup = { readonly seconds: number; readonly acked: number; readonly perSec: number; readonly p99: number } | undefined;

/** Runs a bench script in a Node process of its own and reads the JSON line it ends with. */
async function lastJsonLine<T>(what: string, args: readonly string[]): Promise<T> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${what} exited ${code}: ${out}`);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as T;
}

/** Loads a server for the warm-up time (JIT, caches); answers that run's figures. */
async function warm(server: Server, password: string | null): Promise<Warmup> {
  if (WARMUP_SECONDS <= 0) return undefined;
  const w = await loadFor(server.mqttPort, password, server.child.pid ?? 0, WARMUP_SECONDS);
  return { seconds: WARMUP_SECONDS, acked: w.acked, perSec: w.perSec, p99: w.p99 };
}

interface Paired {
  readonly server: LoadFigures;
  readonly bare: LoadFigures;
  readonly ratio: number;
  readonly rounds: readonly { readonly perSec: number; readonly acked: number; readonly barePerSec: number; readonly ratio: number; readonly p99: number }[];
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * ROUNDS back-to-back runs of bare aedes and `server` (both warmed up already), which of the
 * two goes first alternating: this machine's speed drifts by tens of percent within minutes,
 * so a ratio only means something between runs this close. The round with the median ratio
 * stands for the pair; every round is reported.
 */
async function paired(bare: Server, server: Server, password: string | null): Promise<Paired> {
  const runServer = (): Promise<LoadFigures> => loadFor(server.mqttPort, password, server.child.pid ?? 0, SECONDS);
  const runBare = (): Promise<LoadFigures> => loadFor(bare.mqttPort, null, bare.child.pid ?? 0, SECONDS);
  const rounds: { server: LoadFigures; bare: LoadFigures; ratio: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let s: LoadFigures;
    let b: LoadFigures;
    if (i % 2 === 0) {
      s = await runServer();
      b = await runBare();
    } else {
      b = await runBare();
      s = await runServer();
    }
    rounds.push({ server: s, bare: b, ratio: s.perSec / b.perSec });
  }
  const median = [...rounds].sort((x, y) => x.ratio - y.ratio)[Math.floor(rounds.length / 2)] as (typeof rounds)[number];
  return { server: median.server, bare: median.bare, ratio: r2(median.ratio), rounds: rounds.map((r) => ({ perSec: r.server.perSec, acked: r.server.acked, barePerSec: r.bare.perSec, ratio: r2(r.ratio), p99: r.server.p99 })) };
}

async function loadFor(port: number, password: string | null, pid: number, seconds: number): Promise<LoadFigures> {
  const cpuBefore = cpuMs(pid);
  const options: RawLoadOptions = { port, hubs: Array.from({ length: HUBS }, (_, i) => ({ hubId: `bench-${i}`, password })), window: WINDOW, seconds };
  const result = await lastJsonLine<RawLoadResult>('load generator', [rawLoadScript, JSON.stringify(options)]);
  // Server CPU per acknowledged message: steadier than a rate on a shared machine.
  return { ...result, serverCpuUsPerMsg: r2(((cpuMs(pid) - cpuBefore) * 1000) / Math.max(1, result.acked)) };
}

/** Mean messages per journal commit, from the gateway's /metrics. */
async function journalBatchMean(httpPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const read = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return Math.round((read('forecare_journal_batch_size_sum') / read('forecare_journal_batch_size_count')) * 10) / 10;
}

interface PipelineCost {
  readonly pipelineCpuUsPerMsg: number;
  readonly decodeValidateCpuUsPerMsg: number;
}

function pipelineCost(dataDir: string, rulesDir: string): Promise<PipelineCost> {
  return lastJsonLine<PipelineCost>('pipeline cost run', ['--max-semi-space-size=64', here('./pipeline.js'), dataDir, rulesDir, String(HUBS), String(WINDOW)]);
}

/**
 * The most any arrangement of this pipeline over this machine's cores could reach: every
 * core busy, no hand-off cost, each message costing what the same run measured — the load
 * generator's CPU, bare aedes' CPU (the broker part) and the pipeline's behind it. Also what
 * the pipeline may cost, at most, for the target ratio to be reachable at all.
 */
/**
 * The broker layer runs on one thread (aedes'), saturated in the broker-only run: at the
 * target rate that thread has 1/rate per message, the broker layer takes 1/its own rate, and
 * the difference is all the pipeline may do on that thread. Over all cores: the same budget
 * as ceiling(), with the broker layer's CPU in place of bare aedes'.
 */
function brokerThreadRoom(bareLoad: LoadFigures, brokerLoad: LoadFigures, targetRatio: number): { targetPerSec: number; brokerThreadUsPerMsg: number; brokerLayerThreadUsPerMsg: number; pipelineOnBrokerThreadUsPerMsg: number; pipelineCpuBudgetUsPerMsg: number } {
  const target = targetRatio * bareLoad.perSec;
  const generatorUs = (bareLoad.cpuCores * 1e6) / bareLoad.perSec;
  return {
    targetPerSec: Math.round(target),
    brokerThreadUsPerMsg: r2(1e6 / target),
    brokerLayerThreadUsPerMsg: r2(1e6 / brokerLoad.perSec),
    pipelineOnBrokerThreadUsPerMsg: r2(1e6 / target - 1e6 / brokerLoad.perSec),
    pipelineCpuBudgetUsPerMsg: r2((availableParallelism() * 1e6) / target - generatorUs - brokerLoad.serverCpuUsPerMsg),
  };
}

function ceiling(bareLoad: LoadFigures, pipelineUs: number, targetRatio: number): { cores: number; generatorCpuUsPerMsg: number; messagesPerSec: number; ratio: number; pipelineBudgetUsPerMsg: number } {
  const cores = availableParallelism();
  const generatorUs = (bareLoad.cpuCores * 1e6) / bareLoad.perSec;
  const perMsg = generatorUs + bareLoad.serverCpuUsPerMsg + pipelineUs;
  const rate = (cores * 1e6) / perMsg;
  return {
    cores,
    generatorCpuUsPerMsg: r2(generatorUs),
    messagesPerSec: Math.round(rate),
    ratio: r2(rate / bareLoad.perSec),
    pipelineBudgetUsPerMsg: r2((cores * 1e6) / (targetRatio * bareLoad.perSec) - generatorUs - bareLoad.serverCpuUsPerMsg),
  };
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

async function idleConnections(port: number, pid: number, count: number): Promise<{ connections: number; rssGrowthKbPerConnection: number }> {
  const before = rssKb(pid);
  const clients: MqttClient[] = [];
  for (let i = 0; i < count; i += 200) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(200, count - i) }, (_, j) =>
        mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: `bench-${HUBS + i + j}`, password: PASSWORD, clientId: `idle-${i + j}`, protocolVersion: 4, reconnectPeriod: 0, keepalive: 600 }),
      ),
    );
    clients.push(...batch);
  }
  await new Promise((r) => setTimeout(r, 2000));
  const after = rssKb(pid);
  await Promise.all(clients.map((c) => c.endAsync(true)));
  return { connections: clients.length, rssGrowthKbPerConnection: r2((after - before) / clients.length) };
}

/** The simulator's `load` command (device-sim runLoad), with the same hubs, window and duration as this generator. */
const simLoad = (port: number): ReturnType<typeof runLoad> =>
  runLoad({ url: `mqtt://127.0.0.1:${port}`, hubs: Array.from({ length: HUBS }, (_, i) => ({ hubId: `bench-${i}`, password: PASSWORD })), qos: 1, seconds: SECONDS, window: WINDOW });

const bare = await startBare();
await warm(bare, null);
// How fast `forecare-sim load` can publish at all: against the bare broker, which is never the bottleneck here.
const simBare = await simLoad(bare.mqttPort);
console.log(`forecare-sim load against bare aedes: ${simBare.perSec} msg/s`);
const describe = (p: Paired): string => `rounds ${p.rounds.map((r) => `${r.perSec}/${r.barePerSec}=${r.ratio}`).join(', ')}`;
/** A paired server's median-round figures as printed, and (summary) as the JSON line has them. */
const text = (p: Paired): string => `${p.server.perSec} msg/s (${p.ratio} x bare aedes), PUBACK p99 ${p.server.p99} ms, ${p.server.serverCpuUsPerMsg} µs CPU/msg; ${describe(p)}`;
const summary = (p: Paired): { messagesPerSec: number; pubackP99Ms: number; serverCpuUsPerMsg: number; ratio: number; rounds: Paired['rounds'] } => ({ messagesPerSec: p.server.perSec, pubackP99Ms: p.server.p99, serverCpuUsPerMsg: p.server.serverCpuUsPerMsg, ratio: p.ratio, rounds: p.rounds });

// The gateway as `npm start` runs it, against bare aedes in pairs of runs.
const { dataDir, rulesDir } = await prepareGatewayDir(HUBS + CONNECTIONS);
const gw = await startGateway(dataDir, rulesDir, 'NORMAL');
const gwWarmup = await warm(gw, PASSWORD);
const main = await paired(bare, gw, PASSWORD);
const bareLoad = main.bare;
const gwLoad = main.server;
const batch = await journalBatchMean(gw.httpPort ?? 0);
console.log(`bare aedes: ${bareLoad.perSec} msg/s, PUBACK p50 ${bareLoad.p50} ms p99 ${bareLoad.p99} ms, ${bareLoad.serverCpuUsPerMsg} µs CPU/msg (the median round)`);
console.log(`gateway (synchronous=NORMAL): ${gwLoad.perSec} msg/s (${main.ratio} x bare aedes), PUBACK p50 ${gwLoad.p50} ms p99 ${gwLoad.p99} ms, ${gwLoad.serverCpuUsPerMsg} µs CPU/msg, ${batch} messages per journal commit; ${describe(main)}; in its first ${WARMUP_SECONDS} s after start ${gwWarmup?.perSec ?? '-'} msg/s, PUBACK p99 ${gwWarmup?.p99 ?? '-'} ms`);
const simGw = await simLoad(gw.mqttPort);
console.log(`forecare-sim load against the gateway: ${simGw.perSec} msg/s (${simGw.errors} errors)`);
const conns = await idleConnections(gw.mqttPort, gw.child.pid ?? 0, CONNECTIONS);
console.log(`${conns.connections} idle hubs: RSS +${conns.rssGrowthKbPerConnection} KB per connection`);
await stop(gw);
const journalDb = new Database(join(dataDir, 'journal.db'), { readonly: true });
const journaled = (journalDb.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n;
journalDb.close();
discard(dataDir);
// Every message the gateway acknowledged, warm-up and all rounds, must be in its journal.
const ackedInAll = (gwWarmup?.acked ?? 0) + main.rounds.reduce((n, r) => n + r.acked, 0);

// The broker layer alone: what is left of bare aedes' rate once hubs log in and every PUBLISH passes the ACL and hygiene checks.
const brokerDir = await prepareGatewayDir(HUBS);
const brokerOnly = await startBrokerOnly(brokerDir.dataDir);
await warm(brokerOnly, PASSWORD);
const brokerPair = await paired(bare, brokerOnly, PASSWORD);
const brokerLoad = brokerPair.server;
await stop(brokerOnly);
discard(brokerDir.dataDir);
console.log(`broker layer alone (login, ACL, hygiene; acknowledged at once): ${text(brokerPair)}`);

// The floor (floor-aedes.ts): bare aedes doing only what durability and validation cannot do
// without — each payload parsed as JSON once, committed to SQLite in a group commit on a thread
// before its PUBACK — and the same without the parse. No design meeting issue 9 does less.
const floorPair = await loadFloor(bare, 'main');
console.log(`floor: bare aedes + JSON.parse + group-committed SQLite row before each PUBACK: ${text(floorPair)}`);
const durablePair = await loadFloor(bare, 'none');
console.log(`floor without the parse (the journal commit alone): ${text(durablePair)}`);

// The pipeline behind the broker, without MQTT, in a process of its own (pipeline.ts).
const pipeDir = await prepareGatewayDir(HUBS);
const pipeline = await pipelineCost(pipeDir.dataDir, pipeDir.rulesDir);
discard(pipeDir.dataDir);
console.log(`pipeline behind the broker (no MQTT): ${pipeline.pipelineCpuUsPerMsg} µs CPU/msg, of which decode + validation ${pipeline.decodeValidateCpuUsPerMsg}`);

const fullPair = await loadFreshGateway(bare, 'FULL', false);
const fullLoad = fullPair.server;
console.log(`gateway (synchronous=FULL): ${fullLoad.perSec} msg/s (${fullPair.ratio} x bare aedes), PUBACK p50 ${fullLoad.p50} ms p99 ${fullLoad.p99} ms; ${describe(fullPair)}`);

// FORECARE_RULES_THREAD=on: the rules judge on a thread of their own, PUBACKs wait for the journal only.
const threadPair = await loadFreshGateway(bare, 'NORMAL', true);
const threadLoad = threadPair.server;
console.log(`gateway (rules on their own thread): ${threadLoad.perSec} msg/s (${threadPair.ratio} x bare aedes), PUBACK p50 ${threadLoad.p50} ms p99 ${threadLoad.p99} ms, ${threadLoad.serverCpuUsPerMsg} µs CPU/msg; ${describe(threadPair)}`);
await stop(bare);

const bound = ceiling(bareLoad, pipeline.pipelineCpuUsPerMsg, 0.8);
const room = brokerThreadRoom(brokerPair.bare, brokerLoad, 0.8);
console.log(`at 0.8 x bare aedes (${room.targetPerSec} msg/s) the broker thread has ${room.brokerThreadUsPerMsg} µs per message and the broker layer takes ${room.brokerLayerThreadUsPerMsg}: ${room.pipelineOnBrokerThreadUsPerMsg} µs/msg of pipeline may run on it; over all cores the pipeline may cost ${room.pipelineCpuBudgetUsPerMsg} µs/msg`);
console.log(`ceiling on ${bound.cores} cores: ${bound.messagesPerSec} msg/s (${bound.ratio} x bare aedes); for 0.8 x the pipeline may cost at most ${bound.pipelineBudgetUsPerMsg} µs/msg, it costs ${pipeline.pipelineCpuUsPerMsg} (decode + validation alone ${pipeline.decodeValidateCpuUsPerMsg})`);

console.log(
  JSON.stringify({
    name: 'gateway ingest: QoS 1 through the full pipeline vs bare aedes',
    hubs: HUBS,
    windowPerHub: WINDOW,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    figures: { messagesPerSec: gwLoad.perSec, pubackP50Ms: gwLoad.p50, pubackP99Ms: gwLoad.p99, journaledAtLeast: journaled >= ackedInAll, warmup: gwWarmup, rounds: main.rounds, messagesPerJournalCommit: batch, serverCpuUsPerMsg: gwLoad.serverCpuUsPerMsg, loadGeneratorCpuCores: gwLoad.cpuCores, full: { ...fullLoad, ratio: fullPair.ratio, rounds: fullPair.rounds }, rulesThread: { ...threadLoad, ratio: threadPair.ratio, rounds: threadPair.rounds }, idle: conns },
    baseline: { name: 'bare aedes, same raw-MQTT load generator, same run', messagesPerSec: bareLoad.perSec, pubackP50Ms: bareLoad.p50, pubackP99Ms: bareLoad.p99, serverCpuUsPerMsg: bareLoad.serverCpuUsPerMsg, loadGeneratorCpuCores: bareLoad.cpuCores },
    cpuPerMessageRatio: r2(gwLoad.serverCpuUsPerMsg / bareLoad.serverCpuUsPerMsg),
    // The median of ROUNDS paired runs (figures and baseline are that round's).
    ratio: main.ratio,
    rounds: ROUNDS,
    // device-sim's load command: its top rate must reach the rate this benchmark drives the gateway at.
    simLoad: { againstBarePerSec: simBare.perSec, againstGatewayPerSec: simGw.perSec, errors: simBare.errors + simGw.errors, topRateOverGatewayRate: r2(simBare.perSec / gwLoad.perSec) },
    // The least a gateway meeting issue 9 could do (floor-aedes.ts), against bare aedes in the same pairs: an upper bound for any design's ratio here.
    floor: { parseAndCommit: summary(floorPair), commitOnly: summary(durablePair) },
    // Behind the broker without MQTT (pipeline.ts), and the best any spread of it over this machine's cores could do.
    pipeline,
    ceiling: bound,
    // The real Broker with nothing behind it (broker-only.ts), and what that leaves the pipeline at the target ratio.
    brokerLayer: { ...summary(brokerPair), ...room },
    targets: { ratioMin: 0.8, pubackP99MsMax: 50, rssKbPerConnectionMax: 20 },
  }),
);
