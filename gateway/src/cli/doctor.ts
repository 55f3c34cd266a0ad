import { accessSync, constants, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { lintRules } from '@forecare/rules';
import type { GatewayConfig } from '../config/config.js';
import { SqliteJournalStore } from '../store/sqlite/journal-store.js';
import { dbFile, ruleFiles, withStoreAsync, type Print } from './commands.js';

/** One finding: `warn` is worth knowing and does not stop `start`; `fail` would. */
export interface DoctorCheck {
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail';
  readonly detail: string;
  readonly fix?: string;
}

function portFree(host: string, port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** An address a client on this machine can reach a listener bound to `host` at. */
export function localAddress(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Whether a forecare gateway answers on this HTTP port (its API document names it), so a busy port is told apart from a foreign one. */
async function forecareAnswers(host: string, httpPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://${localAddress(host)}:${httpPort}/docs/json`, { signal: AbortSignal.timeout(2000) });
    const doc = (await res.json()) as { info?: { title?: unknown } };
    return typeof doc.info?.title === 'string' && doc.info.title.startsWith('forecare');
  } catch {
    return false;
  }
}

async function portChecks(config: GatewayConfig): Promise<DoctorCheck[]> {
  const ports = [
    [config.httpPort, 'FORECARE_HTTP_PORT'],
    [config.mqttPort, 'FORECARE_MQTT_PORT'],
    [config.mqtt.tlsPort, 'FORECARE_MQTTS_PORT'],
    [config.mqtt.wsPort, 'FORECARE_MQTT_WS_PORT'],
  ] as const;
  const checks: DoctorCheck[] = [];
  let running: boolean | undefined;
  for (const [port, setting] of ports) {
    if (port === undefined) continue;
    const name = `${setting} ${config.host}:${port}`;
    if (await portFree(config.host, port)) {
      checks.push({ name, status: 'ok', detail: 'free' });
      continue;
    }
    running ??= config.httpPort !== 0 && (await forecareAnswers(config.host, config.httpPort));
    checks.push(
      running
        ? { name, status: 'fail', detail: `in use by a forecare gateway already running (http://${localAddress(config.host)}:${config.httpPort})`, fix: `stop that gateway, or give this one other ports (${setting})` }
        : { name, status: 'fail', detail: 'in use by another program', fix: `stop it, or set ${setting} (0 = any free port)` },
    );
  }
  return checks;
}

async function storeChecks(config: GatewayConfig): Promise<DoctorCheck[]> {
  let writable = true;
  try {
    if (existsSync(config.dataDir)) accessSync(config.dataDir, constants.W_OK);
  } catch {
    writable = false;
  }
  const dir: DoctorCheck = writable
    ? { name: `data directory ${config.dataDir}`, status: 'ok', detail: 'writable' }
    : { name: `data directory ${config.dataDir}`, status: 'fail', detail: 'not writable', fix: 'set FORECARE_DATA_DIR to a folder this user may write' };
  if (!writable) return [dir];
  try {
    const n = await withStoreAsync(config, (store) => new SqliteJournalStore(store).count());
    return [dir, { name: `store ${dbFile(config)}`, status: 'ok', detail: `opens and is migrated (${n} journal entries)` }];
  } catch (err) {
    return [dir, { name: `store ${dbFile(config)}`, status: 'fail', detail: (err as Error).message, fix: 'check the file and its folder; FORECARE_DATA_DIR' }];
  }
}

function ruleChecks(config: GatewayConfig): DoctorCheck {
  try {
    const { rules, issues } = lintRules(ruleFiles(config.rulesDir));
    const errors = issues.filter((i) => i.severity === 'error');
    return errors.length === 0
      ? { name: 'rules', status: 'ok', detail: `${rules.length} compile` }
      : { name: 'rules', status: 'fail', detail: errors.map((i) => `${i.source}:${i.line} ${i.message}`).join('; '), fix: 'forecare rules lint' };
  } catch (err) {
    return { name: 'rules', status: 'fail', detail: (err as Error).message, fix: 'set FORECARE_RULES_DIR to a folder of rule files' };
  }
}

/** Checks what `start` needs: the configuration, free ports, a writable data dir, a store that opens and migrates, rules that compile. */
export async function runDoctor(load: () => GatewayConfig): Promise<DoctorCheck[]> {
  let config: GatewayConfig;
  try {
    config = load();
  } catch (err) {
    return [{ name: 'configuration', status: 'fail', detail: (err as Error).message, fix: 'see forecare start --help for every setting' }];
  }
  return [
    { name: 'configuration', status: 'ok', detail: 'every setting parses' },
    ...(await portChecks(config)),
    ...(await storeChecks(config)),
    ruleChecks(config),
    // Optional: without it the gateway runs and keeps contact tasks until a URL is set.
    config.contactCenter.url !== ''
      ? { name: 'contact-center URL', status: 'ok', detail: config.contactCenter.url }
      : { name: 'contact-center URL', status: 'warn', detail: 'not set: contact tasks wait in the outbox', fix: 'set FORECARE_CONTACT_CENTER_URL and FORECARE_CONTACT_CENTER_SECRET' },
  ];
}

/** `forecare doctor`: prints the checks; exit code 1 when any failed (warnings do not count). */
export async function doctor(load: () => GatewayConfig, print: Print, json = false): Promise<number> {
  const checks = await runDoctor(load);
  const failures = checks.filter((c) => c.status === 'fail').length;
  const warnings = checks.filter((c) => c.status === 'warn').length;
  if (json) print(JSON.stringify({ ok: failures === 0, failures, warnings, checks }));
  else {
    for (const c of checks) print(`${c.status === 'ok' ? 'ok  ' : c.status === 'warn' ? 'warn' : 'FAIL'} ${c.name}: ${c.detail}${c.fix === undefined ? '' : ` — ${c.fix}`}`);
    print(failures === 0 ? `all checks passed${warnings > 0 ? ` (${warnings} warning${warnings > 1 ? 's' : ''})` : ''}` : `${failures} check(s) failed`);
  }
  return failures === 0 ? 0 : 1;
}
