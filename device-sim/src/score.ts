import type { Label } from './scenarios.js';

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

/** Which rules detect which kind of trouble. */
export const DETECTED_BY: Record<Label['kind'], readonly string[]> = {
  'sudden-fault': ['fault-code'],
  'firmware-bug': ['fault-code'],
  'compressor-degradation': ['freezer-warming', 'fridge-too-warm'],
  'sensor-dropout': ['fridge-sensor-stale'],
  'sensor-stuck': ['fridge-sensor-stuck', 'ac-sensor-stuck'],
  'hub-unplugged': ['hub-offline'],
  'appliance-unplugged': ['appliance-silent'],
};

export interface KindScore {
  readonly kind: string;
  readonly labels: number;
  readonly detected: number;
  readonly recall: number;
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

function matches(label: Label, alarm: ScoredAlarm): boolean {
  if (!DETECTED_BY[label.kind].includes(alarm.ruleId) || alarm.raisedAt < label.start - 60_000) return false;
  if (label.kind === 'hub-unplugged') return alarm.hubId === label.hubId && alarm.applianceId === null;
  if (label.kind === 'sudden-fault' || label.kind === 'firmware-bug') return alarm.applianceId === label.applianceId && alarm.key === label.fault;
  return alarm.applianceId === label.applianceId;
}

/**
 * Compares what forecare raised with the ground truth: recall (labels detected), precision
 * (raised alarms that belong to a label), time to detect per kind, and flaps (an alarm
 * raised more than once while the truth did not change).
 */
export function score(labels: readonly Label[], alarms: readonly ScoredAlarm[]): Score {
  const used = new Set<string>();
  const kinds = new Map<string, { labels: number; detected: number; ttd: number[] }>();
  const missed: Label[] = [];
  const detections: Detection[] = [];
  for (const l of labels) {
    const k = kinds.get(l.kind) ?? { labels: 0, detected: 0, ttd: [] };
    kinds.set(l.kind, k);
    k.labels++;
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
  // Consequences of a labelled trouble (a stopped compressor also makes the fridge too warm) are not false alarms.
  for (const a of alarms) {
    if (labels.some((l) => a.raisedAt >= l.start - 60_000 && (l.applianceId !== null ? a.applianceId === l.applianceId : a.hubId === l.hubId))) used.add(a.alarmKey);
  }
  const falsePositives = alarms.filter((a) => !used.has(a.alarmKey)).map((a) => a.alarmKey);
  const detected = [...kinds.values()].reduce((n, k) => n + k.detected, 0);
  return {
    recall: labels.length === 0 ? 1 : detected / labels.length,
    precision: alarms.length === 0 ? 1 : (alarms.length - falsePositives.length) / alarms.length,
    flaps: alarms.filter((a) => a.raisedCount > 1).length,
    falsePositives,
    missed,
    byKind: [...kinds].map(([kind, k]) => ({
      kind,
      labels: k.labels,
      detected: k.detected,
      recall: k.detected / k.labels,
      meanTimeToDetectMs: k.ttd.length === 0 ? null : Math.round(k.ttd.reduce((a, b) => a + b, 0) / k.ttd.length),
      maxTimeToDetectMs: k.ttd.length === 0 ? null : Math.max(...k.ttd),
    })),
    detections,
  };
}

/** The score as a table for people. */
export function scoreTable(s: Score): string {
  const minutes = (ms: number | null): string => (ms === null ? '—' : `${(ms / 60_000).toFixed(1)} min`);
  const rows = s.byKind.map((k) => `${k.kind.padEnd(24)} ${String(k.detected).padStart(3)}/${String(k.labels).padEnd(3)} recall ${k.recall.toFixed(2)}  detect mean ${minutes(k.meanTimeToDetectMs).padStart(9)}  max ${minutes(k.maxTimeToDetectMs)}`);
  // Slow troubles (first caught after an hour or more): which rule caught each, and when.
  const slow = s.detections
    .filter((d) => Math.min(...Object.values(d.byRule)) >= 3_600_000)
    .map((d) => `  ${d.label.kind} ${d.label.applianceId ?? d.label.hubId}: ${Object.entries(d.byRule).sort((a, b) => a[1] - b[1]).map(([rule, ms]) => `${rule} ${(ms / 3_600_000).toFixed(1)} h`).join(', ')}`);
  const summary = `recall ${s.recall.toFixed(3)}  precision ${s.precision.toFixed(3)}  flaps ${s.flaps}  false positives ${s.falsePositives.length}`;
  return [...rows, summary, ...(slow.length > 0 ? ['slow troubles, time to detect by rule:', ...slow] : [])].join('\n');
}
