import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRulesDir, lintRules } from '@forecare/rules';
import { systemClock } from '../clock.js';
import type { GatewayConfig } from '../config/config.js';
import { SETTINGS } from '../config/settings.js';
import { HubRegistry } from '../hubs/hub-registry.js';
import { openStore, type Store } from '../store/db.js';
import { TicketService } from '../tickets/ticket-service.js';
import { CustomerRegistry } from '../customers/customer-registry.js';
import { Metrics } from '../metrics/metrics.js';
import { SqliteHubStore } from '../store/sqlite/hub-store.js';

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

export async function hubsAdd(config: GatewayConfig, hubId: string | undefined, print: Print, json = false): Promise<void> {
  const creds = await withStoreAsync(config, (store) => new HubRegistry(new SqliteHubStore(store), systemClock).provision({ hubId }));
  if (json) print(JSON.stringify(creds));
  else print(`hub ${creds.hubId} provisioned — username ${creds.username} password ${creds.password} (shown once)`);
}

export function hubsList(config: GatewayConfig, print: Print, json: boolean): void {
  const hubs = withStore(config, (store) => new HubRegistry(new SqliteHubStore(store), systemClock).list());
  if (json) print(JSON.stringify(hubs));
  else for (const h of hubs) print(`${h.hubId.padEnd(24)} ${h.revokedAt !== null ? 'revoked' : 'active '} last seen ${h.lastSeenAt === null ? 'never' : new Date(h.lastSeenAt).toISOString()}`);
}

export function hubsRevoke(config: GatewayConfig, hubId: string, print: Print): void {
  withStore(config, (store) => new HubRegistry(new SqliteHubStore(store), systemClock).revoke(hubId));
  print(`hub ${hubId} revoked (a running gateway refuses its next login)`);
}

export function ticketsList(config: GatewayConfig, status: readonly string[] | undefined, print: Print, json: boolean): void {
  const tickets = withStore(config, (store) => new TicketService(store, systemClock, new CustomerRegistry(store, systemClock), new Metrics({ defaultMetrics: false }), { reopenWindowMs: config.service.reopenWindowMs }).list({ status: status === undefined ? undefined : [...status] }));
  if (json) print(JSON.stringify(tickets));
  else for (const t of tickets) print(`${t.ticketId}  ${t.status.padEnd(11)} ${t.sla.state.padEnd(8)} ${t.severity.padEnd(8)} ${t.title}`);
}

export const settingsHelp = (): string => `\nSettings (environment variable, default):\n${SETTINGS.map((s) => `  ${s.env.padEnd(36)} ${s.default === '' ? '(empty)' : s.default}\n      ${s.description}`).join('\n')}`;
