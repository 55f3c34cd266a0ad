#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { AcceleratedClock, realClock } from '../clock.js';
import { hubIds, provisionHubs, startFleet, type ProvisionedHub } from '../fleet.js';
import { SimHub } from '../hub.js';

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
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

const program = new Command('forecare-sim').description('simulated forecare hubs: a fridge and a washer each, realistic telemetry, injected faults').version('0.1.0');

program
  .command('run')
  .description('run N simulated hubs against a gateway, optionally injecting a fault, expiring food or a silent hub')
  .option('--url <mqtt-url>', 'gateway broker', 'mqtt://127.0.0.1:1883')
  .option('--api <http-url>', 'gateway API (for --provision)', 'http://127.0.0.1:8080')
  .option('--token <token>', 'gateway admin token (for --provision)', process.env.FORECARE_ADMIN_TOKEN)
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

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`forecare-sim: ${(err as Error).message}`);
  process.exit(1);
});
