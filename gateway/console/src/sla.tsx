import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from './api.js';
import { TrendChart, type TrendSeries } from './chart.js';
import { fmtCalendarDay, fmtDuration, fmtPercent, t, useLang } from './i18n.js';

interface Figures { group: string; tickets: number; onTimePct: number | null; medianAssignMs: number | null; medianRepairMs: number | null; repeatRepairPct: number | null; day?: string }
interface Sla { total: Figures; groups: Figures[]; trend: Figures[] }

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The daily trend as chart series: the two rates on a % axis, the two medians in hours on another. */
function trendSeries(trend: Figures[]): TrendSeries[] {
  const hours = (ms: number | null): number | null => (ms === null ? null : ms / HOUR);
  return [
    { label: t('On time'), unit: '%', values: trend.map((f) => f.onTimePct) },
    { label: t('Repeat repairs'), unit: '%', values: trend.map((f) => f.repeatRepairPct) },
    { label: t('Time to assign'), unit: 'h', values: trend.map((f) => hours(f.medianAssignMs)) },
    { label: t('Time to repair'), unit: 'h', values: trend.map((f) => hours(f.medianRepairMs)) },
  ];
}
const pct = (n: number | null): string => fmtPercent(n, 1);

function Rows({ rows, first }: { rows: Figures[]; first: (f: Figures) => string }) {
  return (
    <>
      {rows.map((f) => (
        <tr key={first(f)}>
          <th scope="row">{first(f)}</th>
          <td>{f.tickets}</td>
          <td class={f.onTimePct !== null && f.onTimePct < 80 ? 'bad' : ''}>{pct(f.onTimePct)}</td>
          <td>{fmtDuration(f.medianAssignMs)}</td>
          <td>{fmtDuration(f.medianRepairMs)}</td>
          <td>{pct(f.repeatRepairPct)}</td>
        </tr>
      ))}
    </>
  );
}

function Head({ first }: { first: string }) {
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        <th scope="col">{t('Tickets')}</th>
        <th scope="col">{t('On time')}</th>
        <th scope="col">{t('Time to assign')}</th>
        <th scope="col">{t('Time to repair')}</th>
        <th scope="col">{t('Repeat repairs')}</th>
      </tr>
    </thead>
  );
}

/** The manager's figures: on time, time to assign and repair, repeat repairs, by team, region or model, with a daily trend. */
export function SlaView() {
  const lang = useLang();
  const [by, setBy] = useState('region');
  const [days, setDays] = useState(30);
  const [d, setD] = useState<Sla | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const to = Date.now();
    void api<Sla>('GET', `/api/v1/sla?by=${by}&from=${to - days * DAY}&to=${to}`).then(setD, (err: Error) => setError(err.message));
  }, [by, days]);
  // One chart per answer (and language): new arrays on every render would redraw it each time.
  const trend = useMemo(() => (d === null ? null : { days: d.trend.map((f) => f.day ?? f.group), series: trendSeries(d.trend) }), [d, lang]);
  return (
    <section>
      <h1>{t('Manager view')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('Group by')}
          <select value={by} onChange={(e) => setBy(e.currentTarget.value)}>
            {['region', 'team', 'model'].map((g) => (
              <option key={g} value={g}>
                {t(g)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('Range')}
          <select value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            <option value={7}>7 d</option>
            <option value={30}>{t('Last 30 days')}</option>
            <option value={90}>{t('Last 90 days')}</option>
          </select>
        </label>
      </form>
      {error !== null && <p role="alert" class="error">{error}</p>}
      {d !== null && (
        <>
          <table aria-label={t('SLA')}>
            <Head first={t('Group')} />
            <tbody>
              <Rows rows={[d.total]} first={() => t('all')} />
              <Rows rows={d.groups} first={(f) => f.group || '—'} />
            </tbody>
          </table>
          <h2>{t('Trend')}</h2>
          {trend !== null && <TrendChart label={t('SLA trend by day')} days={trend.days} series={trend.series} />}
          <table aria-label={t('Trend')}>
            <Head first={t('Day')} />
            <tbody>
              <Rows rows={d.trend} first={(f) => (f.day !== undefined ? fmtCalendarDay(f.day) : f.group)} />
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
