/**
 * Every problem the rule checker reports, declared once with a stable code and a severity.
 * An `error` blocks a deploy; a `warning` is shown to the author but deploys. Callers decide
 * on the code or the severity, never on the wording; `errors.test.ts` pins the catalog so a
 * code is never silently renamed or reused.
 */
export const RULE_ISSUES = {
  RULE_ERR_SYNTAX: { severity: 'error', title: 'Rule text is not valid YAML or JSON' },
  RULE_ERR_NOT_MAPPING: { severity: 'error', title: 'A rule is not a mapping' },
  RULE_ERR_UNKNOWN_FIELD: { severity: 'error', title: 'Unknown field' },
  RULE_ERR_ID: { severity: 'error', title: 'Invalid rule id' },
  RULE_ERR_KIND: { severity: 'error', title: 'Unknown rule kind' },
  RULE_ERR_SEVERITY: { severity: 'error', title: 'Unknown severity' },
  RULE_ERR_RAISES: { severity: 'error', title: 'Invalid raises list' },
  RULE_ERR_APPLIES_TO: { severity: 'error', title: 'Invalid appliesTo list' },
  RULE_ERR_PARAMS: { severity: 'error', title: 'Invalid params' },
  RULE_ERR_PARAM_MISSING: { severity: 'error', title: 'Required parameter missing' },
  RULE_ERR_PARAM_INVALID: { severity: 'error', title: 'Parameter has the wrong type or value' },
  RULE_ERR_CONDITION: { severity: 'error', title: 'CEL expression does not compile' },
  RULE_ERR_CONDITION_MISSING: { severity: 'error', title: 'Rule kind needs a condition' },
  RULE_ERR_REFERENCES: { severity: 'error', title: 'Invalid rule references' },
  RULE_ERR_ID_DUPLICATE: { severity: 'error', title: 'Rule id used twice' },
  RULE_ERR_REFERENCE_UNKNOWN: { severity: 'error', title: 'Reference to an unknown rule' },
  RULE_ERR_REFERENCE_SELF: { severity: 'error', title: 'Rule refers to itself' },
  RULE_WARN_RAISES_NOTHING: { severity: 'warning', title: 'Rule raises nothing' },
} as const satisfies Record<string, { severity: IssueSeverity; title: string }>;

export type IssueSeverity = 'error' | 'warning';
export type RuleIssueCode = keyof typeof RULE_ISSUES;

export function severityOf(code: RuleIssueCode): IssueSeverity {
  return RULE_ISSUES[code].severity;
}
