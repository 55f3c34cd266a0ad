import { existsSync, readdirSync, readFileSync, statSync, accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { backtest, defaultRulesDir, lintRules, readNdjson, type EngineInput } from '@forecare/rules';
import { systemClock } from '../clock.js';
import type { GatewayConfig } from '../config/config.js';
import { SETTINGS } from '../config/settings.js';
import { HubRegistry } from '../hubs/hub-registry.js';
import { openStore, type Store } from '../store/db.js';
import { TicketService } from '../tickets/ticket-service.js';
import { CustomerRegistry } from '../customers/customer-registry.js';
import { Metrics } from '../metrics/metrics.js';
import { engineInputs, messageOfRow } from '../engine/rule-runner.js';

export type Print = (line: string) => void;

export function dbFile(config: GatewayConfig): string {
  return join(config.dataDir, 'forecare.db');
}

export function withStore<T>(config: GatewayConfig, fn: (store: Store) => T): T {
  const store = openStore(dbFile(config), { synchronous: config.sqliteSynchronous });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

export async function withStoreAsync<T>(config: GatewayConfig, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(dbFile(config), { synchronous: config.sqliteSynchronous });
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** Rule files of a folder (or one file) as {name, text}. */
export function ruleFiles(path: string): { name: string; text: string }[] {
  const p = path === '' ? defaultRulesDir : path;
  if (statSync(p).isFile()) return [{ name: p, text: readFileSync(p, 'utf8') }];
  return readdirSync(p)
    .filter((n) => /\.(ya?ml|json)$/i.test(n))
    .sort()
    .map((n) => ({ name: join(p, n), text: readFileSync(join(p, n), 'utf8') }));
}

export function lintCommand(path: string, print: Print, json: boolean): number {
  const { rules, issues } = lintRules(ruleFiles(path));
  if (json) print(JSON.stringify({ rules: rules.map((r) => r.id), issues }));
  else {
    for (const i of issues) print(`${i.source}:${i.line}:${i.column} ${i.message}`);
    print(issues.length === 0 ? `${rules.length} rules, no problems` : `${issues.length} problem(s) in ${rules.length} rules`);
  }
  return issues.length === 0 ? 0 : 1;
}

/** Runs rules over a recording (NDJSON of engine inputs) or over the journal of a data dir. */
export function backtestCommand(path: string, source: { ndjson?: string; config?: GatewayConfig; days: number }, print: Print, json: boolean): number {
  const { rules, issues } = lintRules(ruleFiles(path));
  if (issues.some((i) => !i.message.includes('raises nothing'))) {
    for (const i of issues) print(`${i.source}:${i.line}:${i.column} ${i.message}`);
    return 1;
  }
  let inputs: EngineInput[];
  if (source.ndjson !== undefined) {
    const read = readNdjson(readFileSync(source.ndjson, 'utf8'));
    for (const e of read.errors) print(`${source.ndjson}:${e.line} skipped: ${e.message}`);
    inputs = read.inputs;
  } else if (source.config !== undefined) {
    const since = Date.now() - source.days * 86_400_000;
    inputs = withStore(source.config, (store) =>
      (store.journal.prepare('SELECT pos, received_at, kind, hub_id, appliance_id, payload FROM journal WHERE received_at >= ? ORDER BY pos').all(since) as { pos: number; received_at: number; kind: string; hub_id: string; appliance_id: string | null; payload: Buffer }[]).flatMap((r) =>
        engineInputs({ pos: r.pos, receivedAt: r.received_at, message: messageOfRow(r) }),
      ),
    );
  } else inputs = [];
  const result = backtest(rules, inputs);
  const raised = result.events.filter((e) => e.transition === 'raised');
  if (json) print(JSON.stringify({ inputs: result.inputs, raisedByRule: result.raisedByRule, raised: raised.map((e) => ({ alarmKey: e.alarmKey, at: e.at, severity: e.severity })) }));
  else {
    print(`${result.inputs} recorded inputs, ${raised.length} alarm(s) would be raised`);
    for (const e of raised) print(`  ${new Date(e.at).toISOString()}  ${e.severity.padEnd(8)} ${e.alarmKey}  ${e.title}`);
  }
  return 0;
}

export async function hubsAdd(config: GatewayConfig, hubId: string | undefined, print: Print): Promise<void> {
  const creds = await withStoreAsync(config, (store) => new HubRegistry(store, systemClock).provision({ hubId }));
  print(`hub ${creds.hubId} provisioned — username ${creds.username} password ${creds.password} (shown once)`);
}

export function hubsList(config: GatewayConfig, print: Print, json: boolean): void {
  const hubs = withStore(config, (store) => new HubRegistry(store, systemClock).list());
  if (json) print(JSON.stringify(hubs));
  else for (const h of hubs) print(`${h.hubId.padEnd(24)} ${h.revokedAt !== null ? 'revoked' : 'active '} last seen ${h.lastSeenAt === null ? 'never' : new Date(h.lastSeenAt).toISOString()}`);
}

export function hubsRevoke(config: GatewayConfig, hubId: string, print: Print): void {
  withStore(config, (store) => new HubRegistry(store, systemClock).revoke(hubId));
  print(`hub ${hubId} revoked (a running gateway refuses its next login)`);
}

export function ticketsList(config: GatewayConfig, status: string | undefined, print: Print, json: boolean): void {
  const tickets = withStore(config, (store) => new TicketService(store, systemClock, new CustomerRegistry(store, systemClock), new Metrics({ defaultMetrics: false }), { reopenWindowMs: config.service.reopenWindowMs }).list({ status: status?.split(',') }));
  if (json) print(JSON.stringify(tickets));
  else for (const t of tickets) print(`${t.ticketId}  ${t.status.padEnd(11)} ${t.sla.state.padEnd(8)} ${t.severity.padEnd(8)} ${t.title}`);
}

function portFree(host: string, port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** Checks what `start` needs: the configuration, free ports, a writable data dir, a store that opens and migrates, rules that compile. */
export async function doctor(load: () => GatewayConfig, print: Print): Promise<number> {
  let failures = 0;
  const check = (ok: boolean, what: string, fix: string): void => {
    print(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok ? '' : ` — ${fix}`}`);
    if (!ok) failures++;
  };
  let config: GatewayConfig;
  try {
    config = load();
    check(true, 'configuration', '');
  } catch (err) {
    check(false, 'configuration', (err as Error).message);
    return 1;
  }
  for (const [port, setting] of [[config.mqttPort, 'FORECARE_MQTT_PORT'], [config.httpPort, 'FORECARE_HTTP_PORT'], [config.mqtt.tlsPort, 'FORECARE_MQTTS_PORT'], [config.mqtt.wsPort, 'FORECARE_MQTT_WS_PORT']] as const) {
    if (port === undefined) continue;
    check(await portFree(config.host, port), `${setting} ${config.host}:${port} free`, `another program listens there: set ${setting}`);
  }
  let writable = true;
  try {
    if (existsSync(config.dataDir)) accessSync(config.dataDir, constants.W_OK);
  } catch {
    writable = false;
  }
  check(writable, `data directory ${config.dataDir} writable`, 'set FORECARE_DATA_DIR to a folder this user may write');
  if (writable) {
    try {
      const n = withStore(config, (store) => (store.journal.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n);
      check(true, `store ${dbFile(config)} opens and is migrated (${n} journal entries)`, '');
    } catch (err) {
      check(false, `store ${dbFile(config)}`, (err as Error).message);
    }
  }
  try {
    const { rules, issues } = lintRules(ruleFiles(config.rulesDir));
    check(issues.filter((i) => !i.message.includes('raises nothing')).length === 0, `rules (${rules.length}) compile`, issues.map((i) => `${i.source}:${i.line} ${i.message}`).join('; '));
  } catch (err) {
    check(false, 'rules', (err as Error).message);
  }
  check(config.contactCenter.url !== '', 'contact-center URL set', 'set FORECARE_CONTACT_CENTER_URL, or contact tasks wait in the outbox');
  print(failures === 0 ? 'all checks passed' : `${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}

export const settingsHelp = (): string => `\nSettings (environment variable, default):\n${SETTINGS.map((s) => `  ${s.env.padEnd(36)} ${s.default === '' ? '(empty)' : s.default}\n      ${s.description}`).join('\n')}`;
