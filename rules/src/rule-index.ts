/**
 * Compiled rules and the indexes the engine's hot path reads: per appliance type, the rules
 * of each kind, and for value rules (threshold, repeat) the rules each metric can wake, so a
 * message only costs the rules it can change — 10,000 rules spread over many types and
 * models cost about what 10 do.
 */
import { APPLIANCE_TYPES } from '@forecare/firmware-contracts';
import { compileCondition, type Condition } from './condition.js';
import { DURATION_PARAMS, paramDuration, type ParamValue, type RuleDef } from './rule-format.js';

/** The part of a metric's slot (state.ts) that a rule index fills: the value rules that read the metric. */
export interface AttachedRules {
  /** The rule set `threshold` and `repeat` were attached from (re-attached after a deploy). */
  source: RuleIndex | undefined;
  threshold: readonly CompiledRule[];
  repeat: readonly CompiledRule[];
}

export interface CompiledRule {
  readonly def: RuleDef;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly condition?: Condition | undefined;
  readonly clear?: Condition | undefined;
  /** Metric names the conditions read (`metrics.x`); null when they may read any metric or state. */
  readonly reads: readonly string[] | null;
  /** Position in the rule set: events of one message come out in rule order. */
  readonly order: number;
  /** The metric a trend, stale or stuck rule watches. */
  readonly metric: string;
  /** Marks the rule as already picked for the current message (see `RuleIndex.reading`). */
  mark: number;
}

export interface TypeRules {
  readonly trend: CompiledRule[];
  readonly stale: CompiledRule[];
  readonly stuck: CompiledRule[];
  readonly threshold: CompiledRule[];
  readonly repeat: CompiledRule[];
  readonly composite: CompiledRule[];
  readonly faultCode: CompiledRule[];
  readonly foodExpiry: CompiledRule[];
  readonly applianceOffline: CompiledRule[];
  /** metric → threshold / repeat rules reading it by name. */
  readonly thresholdByMetric: Map<string, CompiledRule[]>;
  readonly repeatByMetric: Map<string, CompiledRule[]>;
  /** Threshold / repeat rules that read metrics or state some other way: judged on every message. */
  readonly thresholdOpaque: CompiledRule[];
  readonly repeatOpaque: CompiledRule[];
}

const KIND_LIST: Readonly<Record<string, keyof TypeRules | undefined>> = {
  trend: 'trend',
  stale: 'stale',
  stuck: 'stuck',
  threshold: 'threshold',
  repeat: 'repeat',
  composite: 'composite',
  'fault-code': 'faultCode',
  'food-expiry': 'foodExpiry',
  'appliance-offline': 'applianceOffline',
};

/** The metric names CEL conditions read as `metrics.<name>`; null when they may read metrics or state some other way. */
function metricsRead(...expressions: (string | undefined)[]): string[] | null {
  const names = new Set<string>();
  for (const e of expressions) {
    if (e === undefined) continue;
    const rest = e.replace(/metrics\.([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
      names.add(name);
      return '';
    });
    if (/\b(metrics|state)\b/.test(rest)) return null;
  }
  return [...names];
}

/**
 * A repeat rule counting faults only: by code (`params.code`) or with a condition over `fault`.
 * String literals are skipped, so `state.mode == "fault"` is not taken for the variable.
 */
function countsFaults(r: CompiledRule): boolean {
  if (typeof r.params.code === 'string') return true;
  const text = r.def.condition?.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  // One that also reads metrics or state (`fault.x == 1 || metrics.y > 2`) may hold on a reading.
  return text !== undefined && /(^|[^.\w])fault\b/.test(text) && !/(^|[^.\w])(metrics|state)\b/.test(text);
}

const NONE: readonly CompiledRule[] = [];

export class RuleIndex {
  readonly rules: CompiledRule[];
  readonly byId = new Map<string, CompiledRule>();
  readonly hubOffline: CompiledRule[] = [];
  /** Food rules, judged per household whatever its appliances. */
  readonly foodExpiry: CompiledRule[] = [];
  /** The shortest silence any hub-offline rule allows (Infinity without such rules). */
  readonly hubSilentFor: number;
  /** How long after its last will a hub may come back before it is an incident (the shortest `graceFor`; 0: none). */
  readonly hubGraceFor: number;
  /** By appliance type index (`APPLIANCE_TYPES` order). */
  readonly types: TypeRules[];
  private epoch = 0;

  constructor(defs: readonly RuleDef[], overrides?: Readonly<Record<string, Readonly<Record<string, ParamValue>>>>) {
    this.rules = defs.map((def, order) => {
      const params: Record<string, ParamValue> = { ...def.params, ...(overrides?.[def.id] ?? {}) };
      // Durations are read on hot paths: turn '10m' into milliseconds once.
      for (const [k, v] of Object.entries(params)) if (typeof v === 'string' && DURATION_PARAMS.has(k)) params[k] = paramDuration(v, 0);
      const cond = def.condition !== undefined ? compileCondition(def.condition) : undefined;
      const clear = def.clear !== undefined ? compileCondition(def.clear) : undefined;
      const reads = def.kind === 'threshold' || def.kind === 'repeat' ? metricsRead(def.condition, def.clear) : [];
      return {
        def,
        params,
        condition: cond?.ok === true ? cond.condition : undefined,
        clear: clear?.ok === true ? clear.condition : undefined,
        reads,
        order,
        metric: String(params.metric),
        mark: 0,
      };
    });
    this.types = APPLIANCE_TYPES.map(() => ({
      trend: [],
      stale: [],
      stuck: [],
      threshold: [],
      repeat: [],
      composite: [],
      faultCode: [],
      foodExpiry: [],
      applianceOffline: [],
      thresholdByMetric: new Map(),
      repeatByMetric: new Map(),
      thresholdOpaque: [],
      repeatOpaque: [],
    }));
    let silent = Infinity;
    let grace = Infinity;
    for (const r of this.rules) {
      this.byId.set(r.def.id, r);
      if (r.def.kind === 'hub-offline') {
        this.hubOffline.push(r);
        silent = Math.min(silent, paramDuration(r.params.silentFor, 600_000));
        grace = Math.min(grace, paramDuration(r.params.graceFor, 0));
        continue;
      }
      if (r.def.kind === 'food-expiry') this.foodExpiry.push(r);
      const list = KIND_LIST[r.def.kind];
      if (list === undefined) continue;
      APPLIANCE_TYPES.forEach((t, i) => {
        if (r.def.appliesTo !== undefined && r.def.appliesTo.length > 0 && !r.def.appliesTo.includes(t)) return;
        const tr = this.types[i] as TypeRules;
        (tr[list] as CompiledRule[]).push(r);
        if (list !== 'threshold' && list !== 'repeat') return;
        // A repeat on faults never holds on a telemetry reading (it has no `fault`): not woken by one.
        if (list === 'repeat' && countsFaults(r)) return;
        if (r.reads === null || r.reads.length === 0) {
          (list === 'threshold' ? tr.thresholdOpaque : tr.repeatOpaque).push(r);
          return;
        }
        const index = list === 'threshold' ? tr.thresholdByMetric : tr.repeatByMetric;
        for (const m of r.reads) {
          const ml = index.get(m) ?? [];
          ml.push(r);
          index.set(m, ml);
        }
      });
    }
    this.hubSilentFor = silent;
    this.hubGraceFor = Number.isFinite(grace) ? grace : 0;
  }

  /** Attaches to a metric's slot the value rules of its type that read it. */
  attach(slot: AttachedRules, type: number, metric: string): void {
    const tr = this.types[type] as TypeRules;
    slot.threshold = tr.thresholdByMetric.get(metric) ?? NONE;
    slot.repeat = tr.repeatByMetric.get(metric) ?? NONE;
    slot.source = this;
  }

  /** A fresh mark for picking each rule once per message. */
  nextEpoch(): number {
    return ++this.epoch;
  }
}

/**
 * Adds the rules not yet picked in this epoch to `out`, kept in rule order (lists are short:
 * an insertion from the back is cheaper than a sort).
 */
export function pick(rules: readonly CompiledRule[], epoch: number, out: CompiledRule[]): void {
  for (const r of rules) {
    if (r.mark === epoch) continue;
    r.mark = epoch;
    let i = out.length;
    out.push(r);
    while (i > 0 && (out[i - 1] as CompiledRule).order > r.order) {
      out[i] = out[i - 1] as CompiledRule;
      i--;
    }
    out[i] = r;
  }
}
