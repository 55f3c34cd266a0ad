#!/usr/bin/env node
import tab from '@bomb.sh/tab/commander';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config/config.js';
import type { RunningGateway } from '../controller.js';
import { isGatewayError } from '../errors.js';
import { join } from 'node:path';
import { systemClock } from '../clock.js';
import { openStore } from '../store/db.js';
import { TICKET_STATUSES, type TicketStatus } from '../tickets/lifecycle.js';
import { ROLES, UserStore, type Role } from '../users/user-store.js';
import { backtestCommand } from './backtest.js';
import { hubsAdd, hubsList, hubsRevoke, lintCommand, settingsHelp, ticketsList, withStore } from './commands.js';
import { rulesDeploy } from './deploy.js';
import { doctor } from './doctor.js';
import { registerMqttClientCommands } from './mqtt-clients.js';

/** 1: the work failed (a check, a refused deploy, an unreachable gateway); 2: the command line itself is wrong. */
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

function fail(err: unknown): never {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE); // commander said why already
  // One line the operator can act on. A stack only on request: it helps whoever fixes forecare, not whoever runs it.
  const known = isGatewayError(err) || (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string');
  const message = err instanceof Error ? err.message : String(err);
  console.error(`forecare: ${known ? message : `unexpected error: ${message}`}`);
  if (process.env.FORECARE_DEBUG === '1' && err instanceof Error && err.stack !== undefined) console.error(err.stack);
  else if (!known) console.error('forecare: run again with FORECARE_DEBUG=1 to see where it happened');
  process.exit(EXIT_FAILED);
}

/** `--status open,assigned`: every name a ticket status, refused as a usage error otherwise. */
function ticketStatuses(value: string): TicketStatus[] {
  const list = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = list.filter((s) => !(TICKET_STATUSES as readonly string[]).includes(s));
  if (list.length === 0 || unknown.length > 0) throw new InvalidArgumentError(`unknown status ${unknown.join(', ') || '(none given)'}; one or more of ${TICKET_STATUSES.join(', ')}`);
  return list as TicketStatus[];
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
const program = new Command('forecare')
  .description('forecare proactive-service gateway: run it, and look after its hubs, rules and tickets')
  .version('0.1.0')
  // Usage errors reach fail() as CommanderErrors, so they exit 2 rather than 1.
  .exitOverride()
  .addHelpText(
    'after',
    [
      '',
      'Exit codes: 0 done; 1 the work failed (a doctor check, a refused deploy, an unreachable gateway, a store error); 2 the command line is wrong.',
      'Shell completion: source <(forecare complete bash)   (also zsh, fish, powershell)',
      'FORECARE_DEBUG=1 prints the stack of an unexpected error.',
    ].join('\n'),
  );

program
  .command('start')
  .description('run the gateway (MQTT broker, rules, tickets, contact-center delivery, API and console)')
  .addHelpText('after', settingsHelp())
  .action(async () => {
    try {
      const config = loadConfig();
      // Loaded here, not at the top: every other command, --help and each shell-completion request start faster without the whole gateway.
      const { startGateway } = await import('../controller.js');
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
  .description('check configuration, ports, data directory, store and rules before starting (exit 1 when a check fails; warnings do not)')
  .option('--json', 'JSON output', false)
  .action(async (o: { json: boolean }) => {
    process.exitCode = await doctor(() => loadConfig(), print, o.json);
  });

const hubs = program.command('hubs').description('provision, list and revoke hubs (in the data directory)');
hubs
  .command('add')
  .description('provision a hub and print its password once')
  .argument('[hubId]', 'hub id (generated when absent)')
  .option('--json', 'JSON output (the password included)', false)
  .action(async (hubId: string | undefined, o: { json: boolean }) => hubsAdd(loadConfig(), hubId, print, o.json));
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
  .argument('[path]', 'folder or file of rules (default: the shipped rules)')
  .option('--json', 'JSON output', false)
  .action((path: string | undefined, o: { json: boolean }) => {
    process.exitCode = lintCommand(path ?? '', print, o.json);
  });
const RECORDING_HELP = 'NDJSON of what hubs sent, one {"topic", "payload", "at"} a line (payload: JSON text or base64; at: receive time, epoch ms), as forecare-sim record writes';
const CUSTOMERS_HELP = 'JSON list of customers (the fields of POST /api/v1/customers) with their "appliances" ({hubId, applianceId, type, model}): contact decisions are made for them';
rules
  .command('test')
  .description('run rules over a recording exactly as the gateway would live; list every alarm event, fleet alert and contact decision')
  .argument('<path>', 'folder or file of rules')
  .requiredOption('--recording <file>', RECORDING_HELP)
  .option('--customers <file>', CUSTOMERS_HELP)
  .option('--json', 'one JSON object a line, then a summary line', false)
  .action(async (path: string, o: { recording: string; customers?: string; json: boolean }) => {
    process.exitCode = await backtestCommand({ rules: path, recording: o.recording, customers: o.customers, days: 0, json: o.json }, loadConfig(), print);
  });
rules
  .command('backtest')
  .description("run rules over a recording (or the last days of the data directory's journal) exactly as the gateway would live; list every alarm event, fleet alert and contact decision")
  .option('--recording <file>', RECORDING_HELP)
  .option('--rules <path>', 'folder or file of rules (default: the shipped rules)', '')
  .option('--customers <file>', CUSTOMERS_HELP)
  .option('--days <n>', 'without --recording: how many days of the journal', '7')
  .option('--json', 'one JSON object a line, then a summary line', false)
  .action(async (o: { recording?: string; rules: string; customers?: string; days: string; json: boolean }) => {
    process.exitCode = await backtestCommand({ rules: o.rules, recording: o.recording, customers: o.customers, days: Number(o.days), json: o.json }, loadConfig(), print);
  });
rules
  .command('deploy')
  .description('deploy rule files to a running gateway as a new version')
  .argument('<path>', 'folder or file of rules')
  .requiredOption('-m, --message <text>', 'what changed and why')
  .option('--url <url>', 'gateway HTTP address (default: FORECARE_HOST and FORECARE_HTTP_PORT)')
  // No default shown: help must not print a token.
  .option('--token <token>', "admin token (default: FORECARE_ADMIN_TOKEN, else the data directory's admin-token)")
  .option('--author <name>', 'who deploys', process.env.USER ?? 'cli')
  .option('--json', 'JSON output: the gateway answer', false)
  .action(async (path: string, o: { message: string; url?: string; token?: string; author: string; json: boolean }) => {
    process.exitCode = await rulesDeploy(path, o, () => loadConfig(), print);
  });

const usersCmd = program.command('users').description('console users (dispatcher, engineer, manager, admin)');
usersCmd
  .command('add')
  .description('add a console user; a password is generated and shown once unless --password is given')
  .argument('<username>', 'user name')
  .addOption(new Option('--role <role>', 'what the user may do').choices(ROLES).makeOptionMandatory())
  .option('--password <password>', 'at least 12 characters (default: generated)')
  .option('--json', 'JSON output (a generated password included)', false)
  .action(async (username: string, o: { role: Role; password?: string; json: boolean }) => {
    const config = loadConfig();
    const store = openStore(join(config.dataDir, 'forecare.db'));
    try {
      const u = await new UserStore(store, systemClock).add(username, o.role, o.password);
      if (o.json) print(JSON.stringify({ username: u.username, role: u.role, ...(o.password === undefined ? { password: u.password } : {}) }));
      else print(`user ${u.username} (${u.role}) added${o.password === undefined ? ` — password ${u.password} (shown once)` : ''}`);
    } finally {
      store.close();
    }
  });

const tickets = program.command('tickets').description('look at tickets (in the data directory)');
tickets
  .command('list')
  .description('list tickets, newest first, with their service-level state')
  .option('--status <list>', `comma-separated statuses: ${TICKET_STATUSES.join(', ')}`, ticketStatuses)
  .option('--json', 'JSON output', false)
  .action((o: { status?: TicketStatus[]; json: boolean }) => ticketsList(loadConfig(), o.status, print, o.json));

// `forecare complete bash|zsh|fish|powershell` prints the script; the shells then ask `forecare complete -- …`.
tab(program);

program.parseAsync(process.argv).catch(fail);
