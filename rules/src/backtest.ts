import type { AlarmEvent, EngineInput } from './api.js';
import { Engine, type EngineOptions } from './engine.js';
import { severityOf } from './errors.js';
import { parseRules, ruleSetProblems, type RuleDef, type RuleIssue } from './rule-format.js';

export interface BacktestResult {
  readonly events: AlarmEvent[];
  /** Alarms raised, by rule id. */
  readonly raisedByRule: Record<string, number>;
  readonly inputs: number;
}

/**
 * Runs a rule set over engine inputs from a clean state and lists what it would have raised,
 * when. The inputs are taken in the order given — the order they arrived in, as the engine
 * takes them live: sorting by time would put a hub's buffered backlog (back-dated into its
 * outage) before its return and judge differently. Timers fire as time passes and once more
 * at the end. (Over a recording of what hubs sent, with the service's decisions too, the
 * gateway's backtest runs the whole pipeline.)
 */
export function backtest(rules: readonly RuleDef[], inputs: readonly EngineInput[], options: Omit<EngineOptions, 'rules'> = {}): BacktestResult {
  const engine = new Engine({ ...options, rules });
  const events: AlarmEvent[] = [];
  let last = -Infinity;
  for (const input of inputs) {
    for (const e of engine.ingest(input)) events.push(e);
    last = Math.max(last, input.at);
  }
  if (Number.isFinite(last)) events.push(...engine.tick(last));
  const raisedByRule: Record<string, number> = {};
  for (const e of events) if (e.transition === 'raised') raisedByRule[e.ruleId] = (raisedByRule[e.ruleId] ?? 0) + 1;
  return { events, raisedByRule, inputs: inputs.length };
}

export interface BacktestComparison {
  /** Alarms (by key) only the candidate raises. */
  readonly added: { alarmKey: string; at: number; ruleId: string }[];
  /** Alarms only the baseline raises. */
  readonly removed: { alarmKey: string; at: number; ruleId: string }[];
  readonly unchanged: number;
}

/** What changes if `candidate` replaces `baseline`: alarms it would add and ones it would no longer raise. */
export function compareBacktests(baseline: BacktestResult, candidate: BacktestResult): BacktestComparison {
  const raised = (r: BacktestResult): Map<string, { alarmKey: string; at: number; ruleId: string }> =>
    new Map(r.events.filter((e) => e.transition === 'raised').map((e) => [`${e.alarmKey}@${e.at}`, { alarmKey: e.alarmKey, at: e.at, ruleId: e.ruleId }]));
  const a = raised(baseline);
  const b = raised(candidate);
  return {
    added: [...b].filter(([k]) => !a.has(k)).map(([, v]) => v),
    removed: [...a].filter(([k]) => !b.has(k)).map(([, v]) => v),
    unchanged: [...b.keys()].filter((k) => a.has(k)).length,
  };
}

/** Parses every file and checks the set as a whole: everything an author should fix before deploying. */
export function lintRules(files: readonly { name: string; text: string }[]): { rules: RuleDef[]; issues: RuleIssue[] } {
  const rules: RuleDef[] = [];
  const issues: RuleIssue[] = [];
  for (const f of files) {
    const parsed = parseRules(f.text, f.name);
    rules.push(...parsed.rules);
    issues.push(...parsed.issues);
  }
  for (const { code, message } of ruleSetProblems(rules)) issues.push({ code, severity: severityOf(code), source: '(rule set)', line: 1, column: 1, path: '', message });
  for (const r of rules) {
    if (r.raises.length === 0 && r.kind !== 'composite') {
      issues.push({ code: 'RULE_WARN_RAISES_NOTHING', severity: 'warning', source: r.id, line: 1, column: 1, path: '/raises', message: `rule ${r.id} raises nothing: its alarms reach no ticket, notification or fleet view` });
    }
  }
  return { rules, issues };
}

/** Rule ids added, removed or changed between two rule sets. */
export function diffRuleSets(before: readonly RuleDef[], after: readonly RuleDef[]): { added: string[]; removed: string[]; changed: string[] } {
  const a = new Map(before.map((r) => [r.id, JSON.stringify(r)]));
  const b = new Map(after.map((r) => [r.id, JSON.stringify(r)]));
  return {
    added: [...b.keys()].filter((k) => !a.has(k)),
    removed: [...a.keys()].filter((k) => !b.has(k)),
    changed: [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k)),
  };
}
