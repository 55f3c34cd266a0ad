import { backtest, compareBacktests, diffRuleSets, lintRules, type BacktestComparison, type EngineInput, type RuleDef, type RuleIssue } from '@forecare/rules';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { Store } from '../store/db.js';
import type { JournalStore } from '../store/ports/journal.js';
import type { RuleVersionRecord, RuleVersionStore } from '../store/ports/rule-versions.js';
import { SqliteJournalStore } from '../store/sqlite/journal-store.js';
import { SqliteRuleVersionStore } from '../store/sqlite/rule-version-store.js';
import { engineInputs } from './engine-core.js';
import type { RuleRunner } from './rule-runner.js';

export type RuleVersionRow = RuleVersionRecord;

/** The version of the rule files' rules: a new one is recorded when they differ from the latest deployed. */
export async function fileRulesVersion(versions: RuleVersionStore, clock: Clock, rules: readonly RuleDef[]): Promise<number> {
  const json = JSON.stringify(rules);
  const latest = await versions.latest();
  if (latest !== undefined && latest.rules === json) return latest.version;
  const version = (latest?.version ?? 0) + 1;
  await versions.add({ version, author: 'rule files', message: latest === undefined ? 'initial rules' : 'rule files changed', createdAt: clock.now(), rules: json, diff: '' });
  return version;
}

/**
 * Rule versions: every deploy is a new numbered version with author, message, time and the
 * diff against the one before; rolling back deploys an old version's rules as a new one.
 * Candidates are validated with the engine's own parser and backtested over the journal.
 */
export class RuleVersions {
  private readonly journal: JournalStore;
  private readonly versions: SqliteRuleVersionStore;

  /**
   * The rules route builds this from the context's store (api/routes/rules.ts); the stores are
   * built here from it until the route is handed the gateway's own (issue 21, API side).
   */
  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly runner: RuleRunner,
  ) {
    this.journal = new SqliteJournalStore(store);
    this.versions = new SqliteRuleVersionStore(store);
  }

  /** Answered at once: the rules route does not await it yet. */
  list(): RuleVersionRow[] {
    return this.versions.listNow();
  }

  async get(version: number): Promise<RuleVersionRow> {
    const v = await this.versions.get(version);
    if (v === undefined) throw new GatewayError('GW_ERR_NOT_FOUND', `no rule version ${version}`);
    return v;
  }

  validate(files: readonly { name: string; text: string }[]): { rules: RuleDef[]; issues: RuleIssue[] } {
    return lintRules(files);
  }

  private compile(files: readonly { name: string; text: string }[]): RuleDef[] {
    const { rules, issues } = lintRules(files);
    const blocking = issues.filter((i) => i.severity === 'error');
    if (blocking.length > 0) throw new GatewayError('GW_ERR_RULES_INVALID', blocking.map((i) => `${i.source}:${i.line}:${i.column} ${i.message}`).join('; '));
    return rules;
  }

  /** Records and deploys a version; resolves once the engine has it and the alarm events it caused are applied. */
  async deploy(rules: RuleDef[], author: string, message: string): Promise<RuleVersionRow> {
    const current = this.runner.ruleSet;
    const version = ((await this.versions.latest())?.version ?? 0) + 1;
    const diff = diffRuleSets(current, rules);
    // A number taken meanwhile (another deploy) is refused by the store: this deploy stops before the engine has it.
    await this.versions.add({ version, author, message, createdAt: this.clock.now(), rules: JSON.stringify(rules), diff: JSON.stringify(diff) });
    await this.runner.deploy(rules, version);
    return this.get(version);
  }

  /** Deploys files edited from version `baseVersion` (when given): a deploy by someone else meanwhile is refused, not overwritten. */
  async deployFiles(files: readonly { name: string; text: string }[], author: string, message: string, baseVersion?: number): Promise<RuleVersionRow> {
    const current = this.runner.ruleVersion;
    if (baseVersion !== undefined && baseVersion !== current) {
      const latest = await this.get(current);
      throw new GatewayError('GW_ERR_RULES_STALE', `your edit started from version ${baseVersion}, but ${latest.author} deployed version ${current} meanwhile ("${latest.message}"): reload, merge and deploy again`);
    }
    return this.deploy(this.compile(files), author, message);
  }

  async rollback(version: number, author: string, message: string): Promise<RuleVersionRow> {
    const old = await this.get(version);
    return this.deploy(JSON.parse(old.rules) as RuleDef[], author, message === '' ? `roll back to version ${version}` : message);
  }

  async diff(from: number, to: number): Promise<ReturnType<typeof diffRuleSets>> {
    return diffRuleSets(JSON.parse((await this.get(from)).rules) as RuleDef[], JSON.parse((await this.get(to)).rules) as RuleDef[]);
  }

  /** Recorded inputs of the last `days` from the journal (as the engine saw them), from at most `limit` messages. */
  async recorded(days: number, limit = 200_000): Promise<EngineInput[]> {
    const inputs: EngineInput[] = [];
    let messages = 0;
    for await (const entry of this.journal.since(this.clock.now() - days * 86_400_000)) {
      if (messages++ >= limit) break;
      for (const input of engineInputs(entry)) inputs.push(input);
    }
    return inputs;
  }

  /** The candidate beside the deployed rules over the same recorded days. */
  async backtestFiles(files: readonly { name: string; text: string }[], days: number): Promise<{ deployed: Record<string, number>; candidate: Record<string, number>; comparison: BacktestComparison; inputs: number }> {
    const candidateRules = this.compile(files);
    const inputs = await this.recorded(days);
    const overrides = this.runner.overrides;
    const deployed = backtest(this.runner.ruleSet, inputs, { overrides });
    const candidate = backtest(candidateRules, inputs, { overrides });
    return { deployed: deployed.raisedByRule, candidate: candidate.raisedByRule, comparison: compareBacktests(deployed, candidate), inputs: inputs.length };
  }
}
