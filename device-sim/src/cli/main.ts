#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { AcceleratedClock, realClock } from '../clock.js';
import { fetchScoredAlarms, hubIds, provisionHubs, startFleet, type ProvisionedHub } from '../fleet.js';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { recordingLine, simCustomer } from '../record.js';
import { SimHub } from '../hub.js';
import { runLoad } from '../load.js';
import { ContactCenterSim } from '../contact-center-sim.js';
import { loadScenario, scenarioNames, type Label, type Scenario } from '../scenarios.js';
import { driveScenario, scenarioHubOptions, scenarioTimeZone } from '../scenario-run.js';
import { score, scoreTable, type ScoredAlarm } from '../score.js';
import { progressBar } from './progress.js';

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
};

/** Comma-separated webhook secrets, as FORECARE_CONTACT_CENTER_SECRET takes them: newest first during a rotation. */
const secretList = (v: string): string[] => {
  const secrets = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (secrets.length === 0) throw new InvalidArgumentError('expected one or more whsec_… secrets, comma-separated');
  return secrets;
};

interface RunOptions {
  url: string;
  api: string;
  token?: string;
  hubs: number;
  prefix: string;
  password?: string;
  provision: boolean;
  interval: number;
  duration: number;
  seed: number;
  speed: number;
  fault?: string;
  food: boolean;
  silent: boolean;
  json: boolean;
}

/** `--fault E-CMP-01` hits hub 1's fridge; `--fault washer:E-DRN-01` picks the appliance. */
function parseFault(spec: string): { appliance: string; code: string } {
  const [a, b] = spec.split(':');
  return b === undefined ? { appliance: 'refrigerator', code: a ?? spec } : { appliance: a ?? 'refrigerator', code: b };
}

async function credentials(o: RunOptions, ids: string[]): Promise<ProvisionedHub[]> {
  if (o.provision) {
    if (o.token === undefined) throw new Error('--provision needs --token (the gateway admin token)');
    return provisionHubs(o.api, o.token, ids);
  }
  if (o.password === undefined) throw new Error('give --password for existing hubs, or --provision with --token');
  return ids.map((hubId) => ({ hubId, password: o.password ?? '' }));
}

/** --url, --api and --token, which every command that talks to a gateway takes. */
function gatewayOptions(cmd: Command, apiHelp: string, tokenHelp: string): Command {
  return cmd
    .option('--url <mqtt-url>', 'gateway broker', 'mqtt://127.0.0.1:1883')
    .option('--api <http-url>', apiHelp, 'http://127.0.0.1:8080')
    .option('--token <token>', tokenHelp, process.env.FORECARE_ADMIN_TOKEN);
}

const program = new Command('forecare-sim').description('simulated forecare hubs: a fridge and a washer each, realistic telemetry, injected faults').version('0.1.0');

gatewayOptions(program.command('run'), 'gateway API (for --provision)', 'gateway admin token (for --provision)')
  .description('run N simulated hubs against a gateway, optionally injecting a fault, expiring food or a silent hub')
  .option('--hubs <n>', 'number of hubs', int, 1)
  .option('--prefix <id>', 'hub id prefix', 'sim-hub')
  .option('--password <password>', 'password of already provisioned hubs (all the same)')
  .option('--provision', 'provision the hubs through the API first (prints their credentials)', false)
  .option('--interval <ms>', 'simulated ms between telemetry messages', int, 60_000)
  .option('--duration <s>', 'stop after this many real seconds (0 = until Ctrl-C)', int, 0)
  .option('--seed <n>', 'random seed: the same seed gives the same messages', int, 1)
  .option('--speed <x>', 'time acceleration (60 = one simulated minute per real second)', int, 1)
  .option('--fault <code>', 'inject a fault on the first hub after start, e.g. E-CMP-01 or washer:E-DRN-01')
  .option('--food', 'stock the first hub fridge with an item expiring tomorrow', false)
  .option('--silent', 'the first hub goes silent (socket dropped) after its first messages', false)
  .option('--json', 'print one JSON summary line instead of text', false)
  .action(async (o: RunOptions) => {
    const clock = o.speed > 1 ? new AcceleratedClock(Date.now(), o.speed) : realClock;
    const creds = await credentials(o, hubIds(o.prefix, o.hubs));
    if (o.provision && !o.json) for (const c of creds) console.log(`provisioned ${c.hubId} password ${c.password}`);
    const fleet = await startFleet(creds, { url: o.url, seed: o.seed, clock, intervalMs: o.interval });
    if (!o.json) console.log(`${fleet.length} hub(s) connected to ${o.url}, publishing every ${o.interval} simulated ms`);
    const first = fleet[0];
    if (first !== undefined) {
      if (o.fault !== undefined) {
        const f = parseFault(o.fault);
        await first.injectFault(f.appliance, f.code);
        if (!o.json) console.log(`injected ${f.code} on ${first.hubId} ${f.appliance}`);
      }
      if (o.food) {
        await first.stockFood('refrigerator', { expiringInDays: 1 });
        if (!o.json) console.log(`stocked ${first.hubId} fridge with milk expiring tomorrow`);
      }
      if (o.silent) {
        first.goSilent();
        if (!o.json) console.log(`${first.hubId} went silent`);
      }
    }
    const finish = async (): Promise<void> => {
      await Promise.all(fleet.map((h) => h.stop()));
      const sent = fleet.reduce((n, h) => n + h.sent.length, 0);
      const rejected = fleet.reduce((n, h) => n + h.notices.filter((x) => x.kind === 'rejected').length, 0);
      if (o.json) console.log(JSON.stringify({ hubs: fleet.length, sent, rejected }));
      else console.log(`stopped: ${sent} messages sent, ${rejected} rejected by the gateway`);
      process.exit(0);
    };
    if (o.duration > 0) setTimeout(() => void finish(), o.duration * 1000);
    process.on('SIGINT', () => void finish());
  });

program
  .command('inject')
  .description('connect one hub, do one thing, and leave: fault <code> | clear <code> | food | silent')
  .argument('<what>', 'fault | clear | food | silent')
  .argument('[code]', 'fault code (for fault/clear), optionally appliance:code')
  .requiredOption('--hub <id>', 'hub id')
  .requiredOption('--password <password>', 'hub password')
  .option('--url <mqtt-url>', 'gateway broker', 'mqtt://127.0.0.1:1883')
  .option('--without-will', 'connect without a last will (so silent means silent)', false)
  .action(async (what: string, code: string | undefined, o: { hub: string; password: string; url: string; withoutWill: boolean }) => {
    const hub = new SimHub({ url: o.url, hubId: o.hub, password: o.password, will: !o.withoutWill });
    await hub.connect();
    await hub.tick();
    switch (what) {
      case 'fault':
      case 'clear': {
        if (code === undefined) throw new Error(`${what} needs a fault code`);
        const f = parseFault(code);
        await (what === 'fault' ? hub.injectFault(f.appliance, f.code) : hub.clearFault(f.appliance, f.code));
        break;
      }
      case 'food':
        await hub.stockFood('refrigerator', { expiringInDays: 1 });
        break;
      case 'silent':
        hub.goSilent();
        console.log(`${o.hub} dropped its connection and stays silent`);
        return;
      default:
        throw new Error(`unknown action ${what}: fault, clear, food or silent`);
    }
    await hub.stop();
    console.log(`${what} sent for ${o.hub}`);
  });

gatewayOptions(program.command('load'), 'gateway API (to provision the load hubs)', 'gateway admin token')
  .description('publish as fast as the gateway acknowledges, from many connections, and report the rate and PUBACK latency')
  .option('--connections <n>', 'connections (hubs)', int, 20)
  .option('--qos <n>', 'QoS 0 or 1', int, 1)
  .option('--window <n>', 'messages in flight per connection (QoS 1)', int, 64)
  .option('--seconds <n>', 'how long', int, 10)
  .option('--prefix <id>', 'hub id prefix', 'load-hub')
  .option('--json', 'print one JSON summary line', false)
  .action(async (o: { url: string; api: string; token?: string; connections: number; qos: number; window: number; seconds: number; prefix: string; json: boolean }) => {
    if (o.token === undefined) throw new Error('load provisions its hubs: give --token (the gateway admin token)');
    const hubs = await provisionHubs(o.api, o.token, hubIds(o.prefix, o.connections));
    // Time is what load spends: the bar runs over --seconds; messages and rate ride along.
    const bar = progressBar('load |{bar}| {value}/{total} s · {messages} messages · {rate}/s', !o.json);
    const started = Date.now();
    bar.start(o.seconds, { messages: 0, rate: 0 });
    const result = await runLoad({
      url: o.url,
      hubs,
      qos: o.qos === 0 ? 0 : 1,
      seconds: o.seconds,
      window: o.window,
      onProgress: (sent) => {
        const elapsed = (Date.now() - started) / 1000;
        bar.update(Math.min(o.seconds, Math.floor(elapsed)), { messages: sent, rate: Math.round(sent / Math.max(0.001, elapsed)) });
      },
    });
    bar.stop();
    if (o.json) console.log(JSON.stringify(result));
    else console.log(`${result.sent} messages in ${result.seconds} s from ${result.connections} connections: ${result.perSec}/s, PUBACK p50 ${result.pubackP50Ms ?? '—'} ms, p99 ${result.pubackP99Ms ?? '—'} ms, ${result.errors} errors`);
  });

program
  .command('record')
  .description('simulate a fleet offline (no broker) and write what its hubs sent as a recording for backtests: NDJSON of {topic, payload, at}')
  .requiredOption('--out <file>', 'NDJSON file to write')
  .option('--hubs <n>', 'number of hubs (without --scenario)', int, 5)
  .option('--minutes <n>', 'simulated minutes (without --scenario)', int, 600)
  .option('--scenario <name>', `inject a scenario (${scenarioNames().join(', ')}) and write its labels and customers beside the recording`)
  .option('--prefix <id>', 'hub id prefix', 'rec-hub')
  .option('--seed <n>', 'random seed', int, 1)
  .option('--json', 'print one JSON summary line (and no progress bar)', false)
  .action(async (o: { out: string; hubs: number; minutes: number; scenario?: string; prefix: string; seed: number; json: boolean }) => {
    // Without a scenario: a quiet fleet of --hubs hubs for --minutes, minute by minute.
    const scenario: Scenario = o.scenario === undefined ? { name: 'quiet', description: '', hubs: o.hubs, minutes: o.minutes, events: [] } : loadScenario(o.scenario);
    // Streamed to the file: a recording of any size costs a message's memory.
    const out = createWriteStream(o.out);
    let lines = 0;
    const start = Date.UTC(2026, 0, 1);
    let now = start;
    const clock = { now: () => now, realDelay: () => 1 };
    const ids = hubIds(o.prefix, scenario.hubs);
    let pending: Promise<unknown> | undefined;
    const fleet = ids.map(
      (hubId, i) =>
        new SimHub({
          url: 'mqtt://unused',
          hubId,
          password: 'x',
          clock,
          ...scenarioHubOptions(scenario, hubId, i, o.seed),
          sink: (topic, payload) => {
            lines++;
            if (!out.write(recordingLine(topic, payload, now) + '\n')) pending ??= once(out, 'drain');
          },
        }),
    );
    for (const h of fleet) await h.connect();
    const bar = progressBar('record |{bar}| {value}/{total} simulated minutes · {lines} messages · eta {eta_formatted}', !o.json);
    bar.start(scenario.minutes, { lines: 0 });
    const labels = await driveScenario(scenario, fleet, {
      start,
      seed: o.seed,
      setTime: (at) => (now = at),
      afterStep: async (minute) => {
        await pending;
        pending = undefined;
        bar.update(minute, { lines });
      },
    });
    bar.stop();
    out.end();
    await once(out, 'finish');
    const beside = (suffix: string): string => o.out.replace(/(\.ndjson)?$/, suffix);
    if (o.scenario !== undefined) {
      writeFileSync(beside('.labels.ndjson'), labels.map((l) => JSON.stringify(l)).join('\n') + '\n');
      writeFileSync(beside('.customers.json'), JSON.stringify(fleet.map((h, i) => simCustomer(h.hubId, i, scenarioTimeZone(scenario, i), h.appliances, scenario.models)), null, 1) + '\n');
    }
    if (o.json) console.log(JSON.stringify({ messages: lines, out: o.out, ...(o.scenario !== undefined ? { labels: labels.length, labelsFile: beside('.labels.ndjson') } : {}) }));
    else console.log(`${lines} messages written to ${o.out}${o.scenario !== undefined ? `, ${labels.length} labels and the customers beside it` : ''}`);
  });

program
  .command('score')
  .description("compare the alarms forecare raised with a run's ground-truth labels: recall, precision, time to detect, flaps")
  .requiredOption('--labels <file>', 'labels NDJSON (written beside its recording by record --scenario)')
  .option('--alarms <file>', 'alarms JSON ({items:[…]} as GET /api/v1/alarms?all=true returns, each with raisedAt and raisedCount)')
  .option('--api <http-url>', 'read the alarms from a running gateway instead', 'http://127.0.0.1:8080')
  .option('--token <token>', 'gateway admin token', process.env.FORECARE_ADMIN_TOKEN)
  .option('--json', 'JSON output', false)
  .action(async (o: { labels: string; alarms?: string; api: string; token?: string; json: boolean }) => {
    const labels = readFileSync(o.labels, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Label);
    let alarms: ScoredAlarm[];
    if (o.alarms !== undefined) alarms = (JSON.parse(readFileSync(o.alarms, 'utf8')) as { items: ScoredAlarm[] }).items;
    else alarms = await fetchScoredAlarms(o.api, o.token ?? '');
    const result = score(labels, alarms);
    console.log(o.json ? JSON.stringify(result) : scoreTable(result));
  });

program
  .command('contact-center')
  .description('run a contact-center simulator: receives tasks, verifies signatures, answers with latency and failures, reports outcomes back signed')
  .requiredOption('--secret <whsec[,whsec…]>', "the gateway's FORECARE_CONTACT_CENTER_SECRET; several, comma-separated, to rehearse a rotation: any verifies a task, the first signs outcomes", secretList)
  .option('--port <n>', 'port (0 = any; printed)', int, 0)
  .option('--callback <url>', 'the gateway outcome URL, e.g. http://127.0.0.1:8080/api/v1/contact-center/outcomes')
  .option('--outcome <name=weight...>', 'outcomes to report, e.g. booked=3 no-answer=1', [])
  .option('--latency <ms>', 'answer latency', int, 0)
  .option('--failure-rate <r>', 'share of requests answered 500', '0')
  .action(async (o: { secret: string[]; port: number; callback?: string; outcome: string[]; latency: number; failureRate: string }) => {
    const outcomes = Object.fromEntries(o.outcome.map((x) => x.split('=')).map(([k, w]) => [k, Number(w ?? 1)]));
    const cc = new ContactCenterSim({ secret: o.secret, port: o.port, callbackUrl: o.callback, outcomes, latencyMs: o.latency, failureRate: Number(o.failureRate) });
    await cc.start();
    console.log(`contact-center simulator listening: ${cc.url}`);
    process.on('SIGINT', () => {
      console.log(`${cc.accepted.length} tasks accepted, ${cc.received.length} requests, ${cc.outcomesSent.length} outcomes reported`);
      void cc.stop().then(() => process.exit(0));
    });
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`forecare-sim: ${(err as Error).message}`);
  process.exit(1);
});
