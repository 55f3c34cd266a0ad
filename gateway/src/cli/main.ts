#!/usr/bin/env node
import { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { startGateway, type RunningGateway } from '../controller.js';
import { isGatewayError } from '../errors.js';
import { join } from 'node:path';
import { systemClock } from '../clock.js';
import { openStore } from '../store/db.js';
import { UserStore, type Role } from '../users/user-store.js';
import { backtestCommand, doctor, hubsAdd, hubsList, hubsRevoke, lintCommand, ruleFiles, settingsHelp, ticketsList, withStore } from './commands.js';
import { registerMqttClientCommands } from './mqtt-clients.js';

function fail(err: unknown): never {
  // One line for what the operator can fix; a stack only for what they cannot.
  if (isGatewayError(err)) console.error(`forecare: ${err.message}`);
  else if (err instanceof Error && 'code' in err && (err as NodeJS.ErrnoException).code === 'ENOENT') console.error(`forecare: ${err.message}`);
  else console.error('forecare: unexpected error', err);
  process.exit(1);
}

const print = (line: string): void => console.log(line);

/** The whole shutdown is cut here (docker stop's grace is 10 s): what the parts hold that matters is on disk already. */
const SHUTDOWN_DEADLINE_MS = 9000;

/**
 * SIGTERM or SIGINT stops the gateway: parts in reverse order, each peer-facing one bounded,
 * the whole cut at SHUTDOWN_DEADLINE_MS. A second signal ends the process at once. Either
 * cut is as safe as a kill: every acknowledged message is in the journal (WAL) already.
 */
function onStopSignals(gw: RunningGateway): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`forecare: second signal (${signal}): exiting now${gw.stopping() !== undefined ? ` (was stopping: ${gw.stopping() ?? ''})` : ''}`);
      process.exit(1);
    }
    stopping = true;
    console.log(`forecare: ${signal} received, stopping`);
    setTimeout(() => {
      console.error(`forecare: shutdown not finished after ${SHUTDOWN_DEADLINE_MS / 1000} s (stopping: ${gw.stopping() ?? '?'}); exiting now`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    gw.stop().then(
      () => process.exit(0),
      (err: unknown) => fail(err),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
const program = new Command('forecare').description('forecare proactive-service gateway: run it, and look after its hubs, rules and tickets').version('0.1.0');

program
  .command('start')
  .description('run the gateway (MQTT broker, rules, tickets, contact-center delivery, API and console)')
  .addHelpText('after', settingsHelp())
  .action(async () => {
    try {
      const config = loadConfig();
      const gw = await startGateway(config);
      const host = config.host;
      console.log(`forecare gateway listening: MQTT mqtt://${host}:${gw.mqttPort}  HTTP http://${host}:${gw.httpPort} (console /, API /api/v1, docs /docs, metrics /metrics)`);
      if (gw.mqttsPort !== undefined) console.log(`MQTT over TLS: mqtts://${host}:${gw.mqttsPort}`);
      if (gw.wsPort !== undefined) console.log(`MQTT over WebSocket: ws://${host}:${gw.wsPort}/mqtt`);
      console.log(`data directory: ${config.dataDir}`);
      if (gw.generatedAdminToken !== undefined) {
        console.log(`admin token (shown once; kept in ${config.dataDir}/admin-token): ${gw.generatedAdminToken}`);
      }
      onStopSignals(gw);
    } catch (err) {
      fail(err);
    }
  });

program
  .command('migrate')
  .description('create the data directory and apply the database migrations, then exit')
  .action(() => {
    const config = loadConfig();
    withStore(config, () => undefined);
    print(`store ${config.dataDir}/forecare.db is migrated`);
  });

program
  .command('doctor')
  .description('check configuration, ports, data directory, store and rules before starting')
  .action(async () => {
    process.exitCode = await doctor(() => loadConfig(), print);
  });

const hubs = program.command('hubs').description('provision, list and revoke hubs (in the data directory)');
hubs
  .command('add')
  .description('provision a hub and print its password once')
  .argument('[hubId]', 'hub id (generated when absent)')
  .action(async (hubId: string | undefined) => hubsAdd(loadConfig(), hubId, print));
hubs
  .command('list')
  .description('list provisioned hubs')
  .option('--json', 'JSON output', false)
  .action((o: { json: boolean }) => hubsList(loadConfig(), print, o.json));
hubs
  .command('revoke')
  .description('revoke a hub: its credentials stop working')
  .argument('<hubId>', 'hub id')
  .action((hubId: string) => hubsRevoke(loadConfig(), hubId, print));

registerMqttClientCommands(program, loadConfig, print);

const rules = program.command('rules').description('lint, test, backtest and deploy detection rules');
rules
  .command('lint')
  .description('check rule files with the engine itself: every problem with file, line and column')
  .argument('[path]', 'folder or file of rules (default: the shipped rules)', '')
  .option('--json', 'JSON output', false)
  .action((path: string, o: { json: boolean }) => {
    process.exitCode = lintCommand(path, print, o.json);
  });
rules
  .command('test')
  .description('run rules over a recorded NDJSON file of engine inputs (forecare-sim record) and list what they raise')
  .argument('<path>', 'folder or file of rules')
  .requiredOption('--recording <file>', 'NDJSON recording')
  .option('--json', 'JSON output', false)
  .action((path: string, o: { recording: string; json: boolean }) => {
    process.exitCode = backtestCommand(path, { ndjson: o.recording, days: 0 }, print, o.json);
  });
rules
  .command('backtest')
  .description("run rules over the last days of the data directory's journal and list what they would have raised")
  .argument('[path]', 'folder or file of rules (default: the shipped rules)', '')
  .option('--days <n>', 'how many days back', '7')
  .option('--json', 'JSON output', false)
  .action((path: string, o: { days: string; json: boolean }) => {
    process.exitCode = backtestCommand(path, { config: loadConfig(), days: Number(o.days) }, print, o.json);
  });
rules
  .command('deploy')
  .description('deploy rule files to a running gateway as a new version')
  .argument('<path>', 'folder or file of rules')
  .requiredOption('-m, --message <text>', 'what changed and why')
  .option('--url <url>', 'gateway HTTP address', `http://127.0.0.1:${process.env.FORECARE_HTTP_PORT ?? '8080'}`)
  .option('--token <token>', 'admin token', process.env.FORECARE_ADMIN_TOKEN)
  .option('--author <name>', 'who deploys', process.env.USER ?? 'cli')
  .action(async (path: string, o: { message: string; url: string; token?: string; author: string }) => {
    const res = await fetch(new URL('/api/v1/rules/deploy', o.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${o.token ?? ''}`, 'content-type': 'application/json' },
      body: JSON.stringify({ files: ruleFiles(path), message: o.message, author: o.author }),
    });
    const body = (await res.json()) as { version?: number; detail?: string };
    if (!res.ok) {
      console.error(`forecare: deploy refused (${res.status}): ${body.detail ?? ''}`);
      process.exitCode = 1;
      return;
    }
    print(`deployed as version ${body.version ?? '?'}`);
  });

const usersCmd = program.command('users').description('console users (dispatcher, engineer, manager, admin)');
usersCmd
  .command('add')
  .description('add a console user; a password is generated and shown once unless --password is given')
  .argument('<username>', 'user name')
  .requiredOption('--role <role>', 'dispatcher | engineer | manager | admin')
  .option('--password <password>', 'at least 12 characters (default: generated)')
  .action(async (username: string, o: { role: string; password?: string }) => {
    const config = loadConfig();
    const store = openStore(join(config.dataDir, 'forecare.db'));
    try {
      const u = await new UserStore(store, systemClock).add(username, o.role as Role, o.password);
      print(`user ${u.username} (${u.role}) added${o.password === undefined ? ` — password ${u.password} (shown once)` : ''}`);
    } finally {
      store.close();
    }
  });

const tickets = program.command('tickets').description('look at tickets (in the data directory)');
tickets
  .command('list')
  .description('list tickets, newest first, with their service-level state')
  .option('--status <list>', 'comma-separated statuses, e.g. open,assigned')
  .option('--json', 'JSON output', false)
  .action((o: { status?: string; json: boolean }) => ticketsList(loadConfig(), o.status, print, o.json));

program.parseAsync(process.argv).catch(fail);
