import { describe, expect, it } from 'vitest';
import { RULE_ISSUES } from './errors.js';
import { parseRules } from './rule-format.js';

describe('rule issue catalog', () => {
  it('is pinned: codes are never renamed or reused, and a warning never turns into an error unnoticed', () => {
    expect(Object.fromEntries(Object.entries(RULE_ISSUES).map(([code, e]) => [code, e.severity]))).toMatchInlineSnapshot(`
      {
        "RULE_ERR_APPLIES_TO": "error",
        "RULE_ERR_CONDITION": "error",
        "RULE_ERR_CONDITION_MISSING": "error",
        "RULE_ERR_ID": "error",
        "RULE_ERR_ID_DUPLICATE": "error",
        "RULE_ERR_KIND": "error",
        "RULE_ERR_NOT_MAPPING": "error",
        "RULE_ERR_PARAMS": "error",
        "RULE_ERR_PARAM_INVALID": "error",
        "RULE_ERR_PARAM_MISSING": "error",
        "RULE_ERR_RAISES": "error",
        "RULE_ERR_REFERENCES": "error",
        "RULE_ERR_REFERENCE_SELF": "error",
        "RULE_ERR_REFERENCE_UNKNOWN": "error",
        "RULE_ERR_SEVERITY": "error",
        "RULE_ERR_SYNTAX": "error",
        "RULE_ERR_UNKNOWN_FIELD": "error",
        "RULE_WARN_RAISES_NOTHING": "warning",
      }
    `);
  });
});

describe('rule issues carry their code', () => {
  it('parse problems are errors with the code of what is wrong', () => {
    const { issues } = parseRules('id: Bad\nkind: nope\ncolour: red\nraises: [ticket]\n', 'x.yaml');
    expect(issues.map((i) => [i.code, i.severity, i.line])).toEqual([
      ['RULE_ERR_UNKNOWN_FIELD', 'error', 3],
      ['RULE_ERR_ID', 'error', 1],
      ['RULE_ERR_KIND', 'error', 2],
    ]);
  });
  it('unreadable text is a syntax error', () => {
    expect(parseRules('id: [a\n', 'x.yaml').issues.map((i) => i.code)).toContain('RULE_ERR_SYNTAX');
  });
});
