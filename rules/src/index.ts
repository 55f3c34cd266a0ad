export * from './api.js';
export { Engine, type EngineOptions, type EngineChanges, type EngineParts, type EngineMeta, type HubPart, type AppliancePart, type RuleWork } from './engine.js';
export type { AlarmRec } from './alarm-book.js';
export { parseRules, serializeRules, checkRuleSet, defaultRulesDir, paramDuration, paramNumber, readDuration, RULE_KINDS, type RuleDef, type RuleIssue, type RuleKind, type ParamValue } from './rule-format.js';
export { compileCondition, type Condition } from './condition.js';
export { TimingWheel } from './timing-wheel.js';
export { backtest, compareBacktests, lintRules, readNdjson, diffRuleSets, type BacktestResult, type BacktestComparison } from './backtest.js';
