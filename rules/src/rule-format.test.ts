import { describe, expect, it } from 'vitest';
import { parseRules, serializeRules } from './rule-format.js';

describe('rule files', () => {
  it('JSON rule files get the same line-accurate errors as YAML: unknown field and CEL syntax error on their own lines', () => {
    const json = ['[', '  { "id": "a", "kind": "fault-code", "raises": ["ticket"] },', '  { "id": "b", "kind": "threshold", "raises": ["ticket"],', '    "colour": "red",', '    "condition": "metrics.x >" }', ']'].join('\n');
    const { rules, issues } = parseRules(json, 'r.json');
    expect(rules.map((r) => r.id)).toEqual(['a']);
    expect(issues.map((i) => [i.source, i.line, i.path])).toEqual([
      ['r.json', 4, '/1/colour'],
      ['r.json', 5, '/1/condition'],
    ]);
  });

  it('YAML: a bad duration and a CEL error each point at their line', () => {
    const { issues } = parseRules('id: c\nkind: threshold\nraises: [ticket]\ncondition: metrics.x > > 3\nparams: { for: 10 minutes }\n', 'c.yaml');
    expect(issues.map((i) => [i.line, i.path]).sort()).toEqual([
      [4, '/condition'],
      [5, '/params/for'],
    ]);
  });

  it('a serialized rule set reads back as the same rules', () => {
    const { rules } = parseRules('- id: s\n  kind: stuck\n  raises: [fleet]\n  params: { metric: t, unchangedFor: 2h, tolerance: 0.1 }\n- id: w\n  kind: threshold\n  raises: [ticket]\n  condition: metrics.t > 8\n  clear: metrics.t < 6\n', 'a.yaml');
    expect(parseRules(serializeRules(rules), 'b.yaml')).toEqual({ rules, issues: [] });
  });
});
