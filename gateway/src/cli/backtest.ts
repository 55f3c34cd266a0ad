/**
 * `forecare rules backtest` and `rules test`: rules over a recording (or the data directory's
 * journal), judged exactly as the gateway judges live (engine/backtest-run.ts). With --json
 * every alarm event, fleet alert and contact decision is one JSON line, then a summary line;
 * a progress bar goes to stderr when it is a terminal.
 */
import { readFileSync, statSync } from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import { topics } from '@forecare/firmware-contracts';
import { lintRules } from '@forecare/rules';
import type { GatewayConfig } from '../config/config.js';
import { GatewayError } from '../errors.js';
import { runBacktest, type BacktestCustomer, type BacktestLine, type BacktestSummary } from '../engine/backtest-run.js';
import { readRecording, type RecordedMessage } from '../engine/recording.js';
import { openStore } from '../store/db.js';
import { SqliteJournalStore } from '../store/sqlite/journal-store.js';
import { dbFile, ruleFiles, type Print } from './commands.js';

export interface BacktestCommandOptions {
  /** Rule folder or file ('' = the shipped rules). */
  readonly rules: string;
  /** A recording (NDJSON of {topic, payload, at}); absent: the data directory's journal. */
  readonly recording?: string | undefined;
  readonly customers?: string | undefined;
  readonly days: number;
  readonly json: boolean;
}

/** The journal's messages of the last `days`, as a recording, streamed in journal order (rows it cannot read are skipped). */
async function* journalMessages(config: GatewayConfig, days: number): AsyncGenerator<RecordedMessage> {
  const since = Date.now() - days * 86_400_000;
  const store = openStore(dbFile(config), { synchronous: config.sqliteSynchronous });
  try {
    for await (const { message: m, raw, receivedAt } of new SqliteJournalStore(store).since(since)) {
      const topic = m.kind === 'status' ? topics.status(m.hubId) : m.kind === 'heartbeat' ? topics.heartbeat(m.hubId) : m.kind === 'telemetry' ? topics.telemetry(m.hubId, m.applianceId) : m.kind === 'fault' ? topics.fault(m.hubId, m.applianceId) : topics.inventory(m.hubId, m.applianceId);
      yield { topic, payload: raw, at: receivedAt };
    }
  } finally {
    store.close();
  }
}

function readCustomers(file: string): BacktestCustomer[] {
  const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(v)) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${file}: a list of customers, each with its appliances`);
  return v as BacktestCustomer[];
}

function human(line: BacktestLine, print: Print): void {
  const time = (at: number): string => new Date(at).toISOString();
  if (line.type === 'alarm' && (line.transition === 'raised' || line.transition === 'cleared')) print(`${time(line.at)}  ${line.transition.padEnd(8)} ${line.severity.padEnd(8)} ${line.alarmKey}  ${line.title}`);
  else if (line.type === 'fleet-alert') print(`${time(line.openedAt)}  FLEET    ${line.model} ${line.faultCode}: ${line.affected} appliances`);
  else if (line.type === 'contact') print(`${time(line.at)}  contact  ${line.send ? 'sent      ' : 'suppressed'} ${line.purpose} ${line.customerId ?? '(no customer)'} ${line.reason ?? ''}`.trimEnd());
  else if (line.type === 'skipped') print(`line ${line.line ?? '?'} skipped: ${line.problem}`);
}

export async function backtestCommand(o: BacktestCommandOptions, config: GatewayConfig, print: Print): Promise<number> {
  const { rules, issues } = lintRules(ruleFiles(o.rules));
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) {
    for (const i of errors) print(`${i.source}:${i.line}:${i.column} ${i.message}`);
    return 1;
  }
  const size = o.recording !== undefined ? statSync(o.recording).size : 0;
  const bar = o.recording !== undefined && process.stderr.isTTY ? new SingleBar({ format: 'backtest |{bar}| {percentage}% · {value}/{total} MB', hideCursor: true }, Presets.shades_classic) : undefined;
  bar?.start(Math.max(1, Math.round(size / 1e6)), 0);
  const source = o.recording !== undefined ? readRecording(o.recording, (bytes) => bar?.update(Math.round(bytes / 1e6))) : journalMessages(config, o.days);
  let summary: BacktestSummary;
  try {
    summary = await runBacktest(
      {
        rules,
        overrides: { 'hub-offline': { silentFor: config.hubOfflineAfterMs, graceFor: config.hubOfflineGraceMs } },
        tickMs: config.tickMs,
        reopenWindowMs: config.service.reopenWindowMs,
        fleet: config.service.fleet,
        customers: o.customers !== undefined ? readCustomers(o.customers) : [],
      },
      source,
      (line) => (o.json ? print(JSON.stringify(line)) : human(line, print)),
    );
  } finally {
    bar?.stop();
  }
  if (o.json) print(JSON.stringify(summary));
  else {
    const raised = Object.values(summary.raisedByRule).reduce((a, b) => a + b, 0);
    print(`${summary.messages} recorded messages (${summary.rejected} refused by the contract, ${summary.duplicates} redeliveries, ${summary.skippedLines} lines skipped): ${raised} alarm(s) raised, ${summary.fleetAlerts} fleet alert(s), ${summary.contacts.sent} contact(s) sent, ${summary.contacts.suppressed} suppressed`);
  }
  return 0;
}
