import type { Store } from '../store/db.js';

/**
 * The figures a manager reports upward, over the tickets opened in a range, per team, region
 * or model (as the registry has them now), with a daily trend:
 * - on time: a promised ticket resolved by its promise; an unpromised one assigned within the
 *   assignment deadline. Tickets whose promise is still ahead and unresolved are not counted yet.
 * - time to assign: opening to the first move to assigned / scheduled / in progress (median).
 * - time to repair: opening to resolution (median).
 * - repeat-repair rate: of the tickets resolved at least once, the share that came back.
 */
export const SLA_GROUPS = ['team', 'region', 'model'] as const;
export type SlaGroup = (typeof SLA_GROUPS)[number];

export interface SlaFigures {
  group: string;
  tickets: number;
  onTimePct: number | null;
  medianAssignMs: number | null;
  medianRepairMs: number | null;
  repeatRepairPct: number | null;
}

interface Row {
  grp: string;
  day: string;
  openedAt: number;
  promisedBy: number | null;
  resolvedAt: number | null;
  reopenCount: number;
  assignedAt: number | null;
}

const GROUP_SQL: Record<SlaGroup, string> = {
  team: "COALESCE(t.team, '')",
  region: "COALESCE(c.region, t.region, '')",
  model: "COALESCE(a.model, t.model, '')",
};

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : Math.round(((s[m - 1] as number) + (s[m] as number)) / 2);
}

const pct = (n: number, d: number): number | null => (d === 0 ? null : Math.round((1000 * n) / d) / 10);

function figures(group: string, rows: Row[], now: number, assignWithinMs: number): SlaFigures {
  let judged = 0;
  let onTime = 0;
  for (const r of rows) {
    if (r.promisedBy !== null) {
      if (r.resolvedAt !== null) {
        judged++;
        if (r.resolvedAt <= r.promisedBy) onTime++;
      } else if (now > r.promisedBy) judged++;
    } else if (r.assignedAt !== null || now - r.openedAt > assignWithinMs) {
      judged++;
      if (r.assignedAt !== null && r.assignedAt - r.openedAt <= assignWithinMs) onTime++;
    }
  }
  const resolvedOnce = rows.filter((r) => r.resolvedAt !== null || r.reopenCount > 0);
  return {
    group,
    tickets: rows.length,
    onTimePct: pct(onTime, judged),
    medianAssignMs: median(rows.flatMap((r) => (r.assignedAt === null ? [] : [r.assignedAt - r.openedAt]))),
    medianRepairMs: median(rows.flatMap((r) => (r.resolvedAt === null ? [] : [r.resolvedAt - r.openedAt]))),
    repeatRepairPct: pct(resolvedOnce.filter((r) => r.reopenCount > 0).length, resolvedOnce.length),
  };
}

export function slaFigures(store: Store, by: SlaGroup, from: number, to: number, now: number, assignWithinMs: number): { total: SlaFigures; groups: SlaFigures[]; trend: (SlaFigures & { day: string })[] } {
  const rows = store.sqlite
    .prepare(
      `SELECT ${GROUP_SQL[by]} AS grp, strftime('%Y-%m-%d', t.opened_at / 1000, 'unixepoch') AS day, t.opened_at AS openedAt, t.promised_by AS promisedBy,
         t.resolved_at AS resolvedAt, t.reopen_count AS reopenCount,
         (SELECT MIN(e.at) FROM ticket_events e WHERE e.ticket_id = t.ticket_id AND e.to_status IN ('assigned', 'scheduled', 'in_progress')) AS assignedAt
       FROM tickets t
       LEFT JOIN appliances a ON a.hub_id = t.hub_id AND a.appliance_id = t.appliance_id
       LEFT JOIN customers c ON c.customer_id = COALESCE(t.customer_id, a.customer_id)
       WHERE t.opened_at >= ? AND t.opened_at < ? AND t.status != 'cancelled'`,
    )
    .all(from, to) as Row[];
  const by_ = (key: (r: Row) => string): Map<string, Row[]> => {
    const m = new Map<string, Row[]>();
    for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
    return m;
  };
  const groups = [...by_((r) => r.grp)].map(([g, rs]) => figures(g, rs, now, assignWithinMs)).sort((x, y) => y.tickets - x.tickets);
  const trend = [...by_((r) => r.day)].sort(([x], [y]) => x.localeCompare(y)).map(([d, rs]) => ({ ...figures(d, rs, now, assignWithinMs), day: d }));
  return { total: figures('all', rows, now, assignWithinMs), groups, trend };
}
