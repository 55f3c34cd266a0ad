import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, LineCounter, parseAllDocuments, stringify, type Node as YamlNode } from 'yaml';
import { APPLIANCE_TYPES, type ApplianceType, type Severity } from '@forecare/firmware-contracts';
import type { RaiseTarget } from './api.js';
import { compileCondition } from './condition.js';
import { severityOf, type IssueSeverity, type RuleIssueCode } from './errors.js';
import { knownTimeZone, minuteOfDay } from './local-time.js';

export const RULE_KINDS = [
  'fault-code',
  'threshold',
  'repeat',
  'trend',
  'stale',
  'stuck',
  'appliance-offline',
  'hub-offline',
  'food-expiry',
  'composite',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export type ParamValue = number | string | boolean;

export interface RuleDef {
  readonly id: string;
  readonly description?: string | undefined;
  readonly kind: RuleKind;
  readonly appliesTo?: readonly ApplianceType[] | undefined;
  readonly severity?: Severity | undefined;
  readonly raises: readonly RaiseTarget[];
  readonly params: Readonly<Record<string, ParamValue>>;
  /** CEL over `metrics`, `state`, `type`, `params` (threshold, repeat on telemetry) or `fault` (repeat on faults). */
  readonly condition?: string | undefined;
  /** CEL that ends a threshold alarm (hysteresis); default: the condition no longer holds. */
  readonly clear?: string | undefined;
  /** Composite: rule ids whose alarms on the same appliance combine. */
  readonly of?: readonly string[] | undefined;
  /** Composite: rule ids that must NOT be alarmed. */
  readonly unless?: readonly string[] | undefined;
}

export interface RuleIssue {
  /** Stable, from the catalog in errors.ts: what callers decide on. */
  readonly code: RuleIssueCode;
  readonly severity: IssueSeverity;
  readonly source: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly message: string;
}

/** The shipped rules, beside src/ and dist/ alike. */
export const defaultRulesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'rules-default');

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical', 'safety'];
const RAISES: readonly RaiseTarget[] = ['ticket', 'notification', 'fleet'];
const FIELDS = new Set(['id', 'description', 'kind', 'appliesTo', 'severity', 'raises', 'params', 'condition', 'clear', 'of', 'unless']);
const ID = /^[a-z][a-z0-9-]{0,63}$/;

/** Parameters each kind needs (name → what it is), checked at parse time. */
const REQUIRED: Record<RuleKind, Record<string, 'duration' | 'number' | 'string'>> = {
  'fault-code': {},
  threshold: {},
  repeat: { count: 'number', window: 'duration' },
  trend: { metric: 'string', window: 'duration' },
  stale: { metric: 'string', after: 'duration' },
  stuck: { metric: 'string', unchangedFor: 'duration' },
  'appliance-offline': { silentFor: 'duration' },
  'hub-offline': { silentFor: 'duration' },
  'food-expiry': { withinDays: 'number' },
  composite: {},
};
export const DURATION_PARAMS: ReadonlySet<string> = new Set(['for', 'clearFor', 'window', 'after', 'unchangedFor', 'silentFor', 'graceFor', 'readingGap', 'aboveFor', 'settleFor', 'escalateAfter']);

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** '90s', '10m', '2h', '3d', '250ms' or a number of ms; undefined when unreadable. */
export function readDuration(value: ParamValue | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  return m?.[1] === undefined ? undefined : Math.round(Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? 1));
}

export function paramDuration(value: ParamValue | undefined, fallback: number): number {
  return readDuration(value) ?? fallback;
}

export function paramNumber(value: ParamValue | undefined, fallback: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

/**
 * Parses rule text (YAML, or JSON which is YAML): one rule, a list of rules, or several
 * YAML documents. Every problem — syntax, unknown field, bad parameter, a CEL condition
 * that does not compile — is returned with its line and column; never throws.
 */
export function parseRules(text: string, source: string): { rules: RuleDef[]; issues: RuleIssue[] } {
  const lines = new LineCounter();
  const issues: RuleIssue[] = [];
  const rules: RuleDef[] = [];
  const at = (code: RuleIssueCode, node: YamlNode | null | undefined, path: string, message: string, offset?: number): void => {
    const pos = lines.linePos(offset ?? node?.range?.[0] ?? 0);
    issues.push({ code, severity: severityOf(code), source, line: pos.line, column: pos.col, path, message });
  };
  let docs;
  try {
    docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
  } catch (err) {
    issues.push({ code: 'RULE_ERR_SYNTAX', severity: severityOf('RULE_ERR_SYNTAX'), source, line: 1, column: 1, path: '', message: (err as Error).message });
    return { rules, issues };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    for (const e of doc.errors) at('RULE_ERR_SYNTAX', null, '', e.message.split('\n')[0] ?? e.message, e.pos[0]);
    if (doc.errors.length > 0) continue;
    const root = doc.contents;
    if (root === null) continue;
    const items = isSeq(root) ? root.items.map((n, i) => ({ node: n as YamlNode, path: `/${i}` })) : [{ node: root as YamlNode, path: '' }];
    for (const { node, path } of items) {
      if (!isMap(node)) {
        at('RULE_ERR_NOT_MAPPING', node, path, 'a rule is a mapping with id, kind, raises and params');
        continue;
      }
      const value = node.toJSON() as Record<string, unknown>;
      const fieldNode = (key: string): YamlNode | null => (node.get(key, true) as YamlNode | undefined) ?? null;
      const before = issues.length;
      for (const key of Object.keys(value)) if (!FIELDS.has(key)) at('RULE_ERR_UNKNOWN_FIELD', fieldNode(key), `${path}/${key}`, `unknown field "${key}"`);
      const id = value.id;
      if (typeof id !== 'string' || !ID.test(id)) at('RULE_ERR_ID', fieldNode('id') ?? node, `${path}/id`, 'id must be lower-case letters, digits and dashes');
      const kind = value.kind;
      const knownKind = typeof kind === 'string' && (RULE_KINDS as readonly string[]).includes(kind);
      if (!knownKind) at('RULE_ERR_KIND', fieldNode('kind') ?? node, `${path}/kind`, `kind must be one of ${RULE_KINDS.join(', ')}`);
      const severity = value.severity;
      if (severity !== undefined && !(SEVERITIES as readonly unknown[]).includes(severity)) at('RULE_ERR_SEVERITY', fieldNode('severity'), `${path}/severity`, `severity must be one of ${SEVERITIES.join(', ')}`);
      const raises = value.raises ?? [];
      if (!Array.isArray(raises) || raises.some((r) => !(RAISES as readonly unknown[]).includes(r))) at('RULE_ERR_RAISES', fieldNode('raises') ?? node, `${path}/raises`, `raises is a list of ${RAISES.join(', ')}`);
      const appliesTo = value.appliesTo;
      if (appliesTo !== undefined && (!Array.isArray(appliesTo) || appliesTo.some((t) => !(APPLIANCE_TYPES as readonly unknown[]).includes(t)))) {
        at('RULE_ERR_APPLIES_TO', fieldNode('appliesTo'), `${path}/appliesTo`, `appliesTo is a list of ${APPLIANCE_TYPES.join(', ')}`);
      }
      const params = value.params ?? {};
      const paramsNode = fieldNode('params');
      if (typeof params !== 'object' || params === null || Array.isArray(params) || Object.values(params).some((v) => !['number', 'string', 'boolean'].includes(typeof v))) {
        at('RULE_ERR_PARAMS', paramsNode ?? node, `${path}/params`, 'params maps names to numbers, strings or booleans');
      } else {
        const p = params as Record<string, ParamValue>;
        const paramNode = (name: string): YamlNode | null => (isMap(paramsNode) ? ((paramsNode.get(name, true) as YamlNode | undefined) ?? null) : null);
        for (const [name, v] of Object.entries(p)) {
          if (DURATION_PARAMS.has(name) && readDuration(v) === undefined) at('RULE_ERR_PARAM_INVALID', paramNode(name) ?? paramsNode, `${path}/params/${name}`, `${name} must be a duration such as 90s, 10m, 2h`);
        }
        if (p.tolerance !== undefined && (typeof p.tolerance !== 'number' || p.tolerance < 0)) at('RULE_ERR_PARAM_INVALID', paramNode('tolerance'), `${path}/params/tolerance`, 'tolerance must be a number ≥ 0');
        if (p.digestAt !== undefined && (typeof p.digestAt !== 'string' || minuteOfDay(p.digestAt) === undefined)) at('RULE_ERR_PARAM_INVALID', paramNode('digestAt'), `${path}/params/digestAt`, 'digestAt must be a local time of day, HH:MM');
        if (p.timeZone !== undefined && (typeof p.timeZone !== 'string' || !knownTimeZone(p.timeZone))) at('RULE_ERR_PARAM_INVALID', paramNode('timeZone'), `${path}/params/timeZone`, 'timeZone must be an IANA time zone such as Europe/Berlin');
        if (knownKind) {
          for (const [name, what] of Object.entries(REQUIRED[kind as RuleKind])) {
            const v = p[name];
            if (v === undefined) at('RULE_ERR_PARAM_MISSING', paramsNode ?? node, `${path}/params/${name}`, `a ${String(kind)} rule needs params.${name} (${what})`);
            else if (what === 'number' && typeof v !== 'number') at('RULE_ERR_PARAM_INVALID', paramNode(name), `${path}/params/${name}`, `${name} must be a number`);
            else if (what === 'string' && typeof v !== 'string') at('RULE_ERR_PARAM_INVALID', paramNode(name), `${path}/params/${name}`, `${name} must be a name`);
          }
        }
      }
      for (const field of ['condition', 'clear'] as const) {
        const expr = value[field];
        if (expr === undefined) continue;
        if (typeof expr !== 'string') {
          at('RULE_ERR_CONDITION', fieldNode(field), `${path}/${field}`, `${field} is a CEL expression`);
          continue;
        }
        const compiled = compileCondition(expr);
        if (!compiled.ok) {
          const n = fieldNode(field);
          // Point into the expression when the CEL parser says where.
          at('RULE_ERR_CONDITION', n, `${path}/${field}`, `${field}: ${compiled.error}`, n?.range != null && compiled.offset !== undefined ? n.range[0] + compiled.offset : undefined);
        }
      }
      if (knownKind && (kind === 'threshold' || kind === 'repeat') && typeof value.condition !== 'string' && !(kind === 'repeat' && typeof (params as Record<string, unknown>).code === 'string')) {
        at('RULE_ERR_CONDITION_MISSING', node, `${path}/condition`, `a ${kind} rule needs a condition (CEL)`);
      }
      for (const field of ['of', 'unless'] as const) {
        const refs = value[field];
        if (refs !== undefined && (!Array.isArray(refs) || refs.some((r) => typeof r !== 'string'))) at('RULE_ERR_REFERENCES', fieldNode(field), `${path}/${field}`, `${field} is a list of rule ids`);
      }
      if (kind === 'composite' && (!Array.isArray(value.of) || value.of.length === 0)) at('RULE_ERR_REFERENCES', node, `${path}/of`, 'a composite rule needs `of`: the rule ids it combines');
      if (issues.length > before) continue;
      rules.push({
        id: id as string,
        ...(typeof value.description === 'string' ? { description: value.description } : {}),
        kind: kind as RuleKind,
        ...(appliesTo !== undefined ? { appliesTo: appliesTo as ApplianceType[] } : {}),
        ...(severity !== undefined ? { severity: severity as Severity } : {}),
        raises: raises as RaiseTarget[],
        params: params as Record<string, ParamValue>,
        ...(typeof value.condition === 'string' ? { condition: value.condition } : {}),
        ...(typeof value.clear === 'string' ? { clear: value.clear } : {}),
        ...(Array.isArray(value.of) ? { of: value.of as string[] } : {}),
        ...(Array.isArray(value.unless) ? { unless: value.unless as string[] } : {}),
      });
    }
  }
  return { rules, issues };
}

/** Checks a whole rule set (several files): ids unique, composite references resolvable. */
export function ruleSetProblems(rules: readonly RuleDef[]): { code: RuleIssueCode; message: string }[] {
  const problems: { code: RuleIssueCode; message: string }[] = [];
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.id)) problems.push({ code: 'RULE_ERR_ID_DUPLICATE', message: `rule id "${r.id}" is used twice` });
    seen.add(r.id);
  }
  for (const r of rules) {
    for (const ref of [...(r.of ?? []), ...(r.unless ?? [])]) {
      if (!seen.has(ref)) problems.push({ code: 'RULE_ERR_REFERENCE_UNKNOWN', message: `rule ${r.id} refers to unknown rule "${ref}"` });
      if (ref === r.id) problems.push({ code: 'RULE_ERR_REFERENCE_SELF', message: `rule ${r.id} refers to itself` });
    }
  }
  return problems;
}

/** The messages of ruleSetProblems, for callers that only print them. */
export function checkRuleSet(rules: readonly RuleDef[]): string[] {
  return ruleSetProblems(rules).map((p) => p.message);
}

/** A rule set as one YAML document (a list), for editing and review; parseRules reads it back. */
export function serializeRules(rules: readonly RuleDef[]): string {
  return stringify(rules, { lineWidth: 0 });
}
