export * from './api.js';
export { Engine, type EngineOptions } from './engine.js';
export { parseRules, checkRuleSet, defaultRulesDir, paramDuration, paramNumber, readDuration, RULE_KINDS, type RuleDef, type RuleIssue, type RuleKind, type ParamValue } from './rule-format.js';
export { compileCondition, type Condition } from './condition.js';
export { TimingWheel } from './timing-wheel.js';
