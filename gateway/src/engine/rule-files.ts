import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRuleSet, defaultRulesDir, parseRules, type RuleDef } from '@forecare/rules';
import { GatewayError } from '../errors.js';

/** Reads every *.yaml, *.yml and *.json rule file of a folder (sorted by name). Any issue is a config error naming file and line. */
export function loadRuleFiles(dir: string): RuleDef[] {
  const folder = dir === '' ? defaultRulesDir : dir;
  let names: string[];
  try {
    names = readdirSync(folder).filter((n) => /\.(ya?ml|json)$/i.test(n)).sort();
  } catch (err) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `FORECARE_RULES_DIR: cannot read ${folder} (${(err as Error).message})`);
  }
  const rules: RuleDef[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const { rules: parsed, issues } = parseRules(readFileSync(join(folder, name), 'utf8'), name);
    for (const i of issues) problems.push(`${join(folder, i.source)}:${i.line}:${i.column} ${i.message}`);
    rules.push(...parsed);
  }
  problems.push(...checkRuleSet(rules));
  if (problems.length > 0) throw new GatewayError('GW_ERR_CONFIG_INVALID', `rule files have errors:\n  ${problems.join('\n  ')}`);
  return rules;
}
