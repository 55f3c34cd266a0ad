export * from './api.js';
export { Engine, type EngineOptions } from './engine.js';
export { parseRules, defaultRulesDir, paramDuration, paramNumber, RULE_KINDS, type RuleDef, type RuleIssue, type RuleKind } from './rule-format.js';
