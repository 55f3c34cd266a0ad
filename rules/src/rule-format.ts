import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Node as YamlNode } from 'yaml';
import { APPLIANCE_TYPES, type ApplianceType, type Severity } from '@forecare/firmware-contracts';
import type { RaiseTarget } from './api.js';

export const RULE_KINDS = ['fault-code', 'food-expiry', 'hub-offline'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export interface RuleDef {
  readonly id: string;
  readonly description?: string | undefined;
  readonly kind: RuleKind;
  readonly appliesTo?: readonly ApplianceType[] | undefined;
  readonly severity?: Severity | undefined;
  readonly raises: readonly RaiseTarget[];
  readonly params: Readonly<Record<string, number | string | boolean>>;
}

export interface RuleIssue {
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
const FIELDS = new Set(['id', 'description', 'kind', 'appliesTo', 'severity', 'raises', 'params']);
const ID = /^[a-z][a-z0-9-]{0,63}$/;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** '90s', '10m', '2h', '3d', '250ms' or a number of ms; the fallback when absent or unreadable. */
export function paramDuration(value: number | string | boolean | undefined, fallback: number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  if (typeof value !== 'string') return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  return m?.[1] === undefined ? fallback : Math.round(Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? 1));
}

export function paramNumber(value: number | string | boolean | undefined, fallback: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

/**
 * Parses rule text (YAML, or JSON which is YAML): one rule, a list of rules, or several
 * YAML documents. Every problem is returned with its line and column; never throws.
 */
export function parseRules(text: string, source: string): { rules: RuleDef[]; issues: RuleIssue[] } {
  const lines = new LineCounter();
  const issues: RuleIssue[] = [];
  const rules: RuleDef[] = [];
  const at = (node: YamlNode | null | undefined, path: string, message: string, offset?: number): void => {
    const pos = lines.linePos(offset ?? node?.range?.[0] ?? 0);
    issues.push({ source, line: pos.line, column: pos.col, path, message });
  };
  let docs;
  try {
    docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
  } catch (err) {
    issues.push({ source, line: 1, column: 1, path: '', message: (err as Error).message });
    return { rules, issues };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    for (const e of doc.errors) at(null, '', e.message.split('\n')[0] ?? e.message, e.pos[0]);
    if (doc.errors.length > 0) continue;
    const root = doc.contents;
    if (root === null) continue;
    const items = isSeq(root) ? root.items.map((n, i) => ({ node: n as YamlNode, path: `/${i}` })) : [{ node: root as YamlNode, path: '' }];
    for (const { node, path } of items) {
      if (!isMap(node)) {
        at(node, path, 'a rule is a mapping with id, kind, raises and params');
        continue;
      }
      const value = node.toJSON() as Record<string, unknown>;
      const fieldNode = (key: string): YamlNode | null => (node.get(key, true) as YamlNode | undefined) ?? null;
      const before = issues.length;
      for (const key of Object.keys(value)) if (!FIELDS.has(key)) at(fieldNode(key), `${path}/${key}`, `unknown field "${key}"`);
      const id = value.id;
      if (typeof id !== 'string' || !ID.test(id)) at(fieldNode('id') ?? node, `${path}/id`, 'id must be lower-case letters, digits and dashes');
      const kind = value.kind;
      if (typeof kind !== 'string' || !(RULE_KINDS as readonly string[]).includes(kind)) {
        at(fieldNode('kind') ?? node, `${path}/kind`, `kind must be one of ${RULE_KINDS.join(', ')}`);
      }
      const severity = value.severity;
      if (severity !== undefined && !(SEVERITIES as readonly unknown[]).includes(severity)) at(fieldNode('severity'), `${path}/severity`, `severity must be one of ${SEVERITIES.join(', ')}`);
      const raises = value.raises ?? [];
      if (!Array.isArray(raises) || raises.some((r) => !(RAISES as readonly unknown[]).includes(r))) at(fieldNode('raises') ?? node, `${path}/raises`, `raises is a list of ${RAISES.join(', ')}`);
      const appliesTo = value.appliesTo;
      if (appliesTo !== undefined && (!Array.isArray(appliesTo) || appliesTo.some((t) => !(APPLIANCE_TYPES as readonly unknown[]).includes(t)))) {
        at(fieldNode('appliesTo'), `${path}/appliesTo`, `appliesTo is a list of ${APPLIANCE_TYPES.join(', ')}`);
      }
      const params = value.params ?? {};
      if (typeof params !== 'object' || params === null || Array.isArray(params) || Object.values(params).some((v) => !['number', 'string', 'boolean'].includes(typeof v))) {
        at(fieldNode('params') ?? node, `${path}/params`, 'params maps names to numbers, strings or booleans');
      }
      if (issues.length > before) continue;
      rules.push({
        id: id as string,
        ...(typeof value.description === 'string' ? { description: value.description } : {}),
        kind: kind as RuleKind,
        ...(appliesTo !== undefined ? { appliesTo: appliesTo as ApplianceType[] } : {}),
        ...(severity !== undefined ? { severity: severity as Severity } : {}),
        raises: raises as RaiseTarget[],
        params: params as Record<string, number | string | boolean>,
      });
    }
  }
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.id)) issues.push({ source, line: 1, column: 1, path: '', message: `rule id "${r.id}" is used twice` });
    seen.add(r.id);
  }
  return { rules, issues };
}
