export * from './api.js';
export { Engine, type EngineOptions } from './engine.js';
export { parseRules, serializeRules, checkRuleSet, defaultRulesDir, paramDuration, paramNumber, readDuration, RULE_KINDS, type RuleDef, type RuleIssue, type RuleKind, type ParamValue } from './rule-format.js';
export { compileCondition, type Condition } from './condition.js';
export { TimingWheel } from './timing-wheel.js';
export { backtest, compareBacktests, lintRules, readNdjson, diffRuleSets, type BacktestResult, type BacktestComparison } from './backtest.js';
