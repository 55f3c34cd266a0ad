import type { Label, LabelKind } from './scenarios.js';

/** An alarm as the gateway lists it, with how many times it was raised (from its history). */
export interface ScoredAlarm {
  readonly alarmKey: string;
  readonly ruleId: string;
  readonly hubId: string;
  readonly applianceId: string | null;
  readonly key: string;
  /** When it was first raised (server time). */
  readonly raisedAt: number;
  readonly raisedCount: number;
}

/** Which rules detect which kind of trouble; a fault-code rule only with the label's code (or `codes`). */
export const DETECTED_BY: Record<LabelKind, readonly string[]> = {
  'sudden-fault': ['fault-code'],
  'firmware-bug': ['fault-code'],
  'repeated-fault': ['faults-repeat', 'compressor-faults-repeat'],
  'compressor-degradation': ['freezer-warming', 'fridge-too-warm', 'freezer-too-warm', 'fault-code'],
  'sensor-dropout': ['fridge-sensor-stale'],
  'sensor-stuck': ['fridge-sensor-stuck', 'ac-sensor-stuck'],
  'door-left-open': ['fridge-door-open', 'fault-code'],
  'hub-unplugged': ['hub-offline'],
  'appliance-unplugged': ['appliance-silent'],
};

/** The codes newer firmware raises for a trouble it has no code for in the label. */
const CODES: Partial<Record<LabelKind, readonly string[]>> = {
  'door-left-open': ['W-DOOR-01'],
  'compressor-degradation': ['W-TMP-01'],
};

/** After a trouble that ends (a hub back, a door closed), its consequences may follow for this long (a fridge left open takes hours to pull its food back down). */
const AFTERMATH_MS = 6 * 3_600_000;
const EARLY_MS = 60_000;

export interface KindScore {
  readonly kind: string;
  readonly labels: number;
  readonly detected: number;
  readonly recall: number;
  /** Alarms of the kind's rules that belong to a trouble, of all they raised (1 when they raised none). */
  readonly precision: number;
  readonly falsePositives: number;
  readonly meanTimeToDetectMs: number | null;
  readonly maxTimeToDetectMs: number | null;
}

/** One detected label: how long each rule that caught it took (a trend before a threshold shows here). */
export interface Detection {
  readonly label: Label;
  readonly byRule: Readonly<Record<string, number>>;
}

export interface Score {
  readonly recall: number;
  readonly precision: number;
  readonly flaps: number;
  readonly falsePositives: readonly string[];
  readonly missed: readonly Label[];
  readonly byKind: readonly KindScore[];
  readonly detections: readonly Detection[];
}

/** The same subject: the label's appliance (in its hub — ids repeat across homes), or its hub. */
function about(label: Label, alarm: ScoredAlarm): boolean {
  if (alarm.hubId !== label.hubId) return false;
  return label.applianceId === null || alarm.applianceId === label.applianceId;
}

function matches(label: Label, alarm: ScoredAlarm): boolean {
  if (!DETECTED_BY[label.kind].includes(alarm.ruleId) || alarm.raisedAt < label.start - EARLY_MS || !about(label, alarm)) return false;
  if (label.kind === 'hub-unplugged') return alarm.applianceId === null;
  if (alarm.ruleId === 'fault-code') return alarm.key === label.fault || (CODES[label.kind] ?? []).includes(alarm.key);
  return true;
}

/** A consequence of the label's trouble (a stopped compressor also makes the fridge too warm): not a false alarm. */
function consequence(label: Label, alarm: ScoredAlarm): boolean {
  if (alarm.raisedAt < label.start - EARLY_MS || (label.end !== undefined && alarm.raisedAt > label.end + AFTERMATH_MS)) return false;
  return alarm.hubId === label.hubId && (label.applianceId === null || alarm.applianceId === label.applianceId || alarm.applianceId === null);
}

/**
 * Compares what forecare raised with the ground truth: recall (labels detected), precision
 * (raised alarms that belong to a label), per kind (precision of the kind's rules), time to
 * detect, and flaps (an alarm raised more often than its troubles started).
 */
export function score(labels: readonly Label[], alarms: readonly ScoredAlarm[]): Score {
  const used = new Set<string>();
  const kinds = new Map<string, { labels: number; detected: number; ttd: number[] }>();
  const missed: Label[] = [];
  const detections: Detection[] = [];
  /** How often each alarm may be raised: once per trouble it belongs to (a repeated fault: per occurrence). */
  const allowed = new Map<string, number>();
  for (const l of labels) {
    const k = kinds.get(l.kind) ?? { labels: 0, detected: 0, ttd: [] };
    kinds.set(l.kind, k);
    k.labels++;
    for (const a of alarms) if (about(l, a) && a.raisedAt >= l.start - EARLY_MS) allowed.set(a.alarmKey, (allowed.get(a.alarmKey) ?? 0) + (l.occurrences ?? 1));
    const hits = alarms.filter((a) => matches(l, a));
    if (hits.length === 0) {
      missed.push(l);
      continue;
    }
    k.detected++;
    k.ttd.push(Math.max(0, Math.min(...hits.map((h) => h.raisedAt)) - l.start));
    const byRule: Record<string, number> = {};
    for (const h of hits) byRule[h.ruleId] = Math.min(byRule[h.ruleId] ?? Infinity, Math.max(0, h.raisedAt - l.start));
    detections.push({ label: l, byRule });
    for (const h of hits) used.add(h.alarmKey);
  }
  for (const a of alarms) if (labels.some((l) => consequence(l, a))) used.add(a.alarmKey);
  const falsePositives = alarms.filter((a) => !used.has(a.alarmKey)).map((a) => a.alarmKey);
  const detected = [...kinds.values()].reduce((n, k) => n + k.detected, 0);
  const kindPrecision = (kind: string): { precision: number; falsePositives: number } => {
    const mine = alarms.filter((a) => DETECTED_BY[kind as LabelKind].includes(a.ruleId));
    const wrong = mine.filter((a) => !used.has(a.alarmKey)).length;
    return { precision: mine.length === 0 ? 1 : (mine.length - wrong) / mine.length, falsePositives: wrong };
  };
  return {
    recall: labels.length === 0 ? 1 : detected / labels.length,
    precision: alarms.length === 0 ? 1 : (alarms.length - falsePositives.length) / alarms.length,
    flaps: alarms.filter((a) => a.raisedCount > Math.max(1, allowed.get(a.alarmKey) ?? 1)).length,
    falsePositives,
    missed,
    byKind: [...kinds].map(([kind, k]) => ({
      kind,
      labels: k.labels,
      detected: k.detected,
      recall: k.detected / k.labels,
      ...kindPrecision(kind),
      meanTimeToDetectMs: k.ttd.length === 0 ? null : Math.round(k.ttd.reduce((a, b) => a + b, 0) / k.ttd.length),
      maxTimeToDetectMs: k.ttd.length === 0 ? null : Math.max(...k.ttd),
    })),
    detections,
  };
}

/** The score as a table for people. */
export function scoreTable(s: Score): string {
  const minutes = (ms: number | null): string => (ms === null ? '—' : `${(ms / 60_000).toFixed(1)} min`);
  const rows = s.byKind.map((k) => `${k.kind.padEnd(24)} ${String(k.detected).padStart(3)}/${String(k.labels).padEnd(3)} recall ${k.recall.toFixed(2)}  precision ${k.precision.toFixed(2)}  detect mean ${minutes(k.meanTimeToDetectMs).padStart(9)}  max ${minutes(k.maxTimeToDetectMs)}`);
  // Slow troubles (first caught after an hour or more): which rule caught each, and when.
  const slow = s.detections
    .filter((d) => Math.min(...Object.values(d.byRule)) >= 3_600_000)
    .map((d) => `  ${d.label.kind} ${d.label.hubId}/${d.label.applianceId ?? ''}: ${Object.entries(d.byRule).sort((a, b) => a[1] - b[1]).map(([rule, ms]) => `${rule} ${(ms / 3_600_000).toFixed(1)} h`).join(', ')}`);
  const summary = `recall ${s.recall.toFixed(3)}  precision ${s.precision.toFixed(3)}  flaps ${s.flaps}  false positives ${s.falsePositives.length}`;
  return [...rows, summary, ...(slow.length > 0 ? ['slow troubles, time to detect by rule:', ...slow] : [])].join('\n');
}
