/** What the rules tests share: one clock origin, durations, and rule text that must parse cleanly. */
import { expect } from 'vitest';
import { checkRuleSet, parseRules, type RuleDef } from './rule-format.js';

export const T0 = Date.UTC(2026, 10, 24, 0, 0);
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Parses rule YAML for a test; any issue, duplicate id or dangling reference fails it. */
export function rules(yaml: string, source = 'test.yaml'): RuleDef[] {
  const { rules: r, issues } = parseRules(yaml, source);
  expect(issues).toEqual([]);
  expect(checkRuleSet(r)).toEqual([]);
  return r;
}

/** The canonical hysteresis threshold (rule `warm`): above 8 °C held 30 min raises, below 6 °C held 10 min clears. */
export const warmRule = (moreParams = ''): string => `
- id: warm
  kind: threshold
  appliesTo: [refrigerator]
  raises: [ticket]
  condition: metrics.fridge_temp_c > 8.0
  clear: metrics.fridge_temp_c < 6.0
  params: { for: 30m, clearFor: 10m${moreParams} }
`;

/** The canonical repeat on faults (rule `cmp-repeat`): `count` compressor faults within `window` raise. */
export const cmpRepeatRule = (count: number, window: string): string => `
- id: cmp-repeat
  kind: repeat
  raises: [ticket]
  condition: fault.faultClass == "compressor"
  params: { count: ${count}, window: ${window} }
`;
