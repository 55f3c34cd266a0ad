import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { ForecastChart, pointLabel, type ForecastPoint, type HistoryPoint } from './forecast-chart.js';
import { fmtNumber, t, useLang } from './i18n.js';

type Dimension = 'region' | 'applianceType' | 'language' | 'channel';
type Granularity = 'daily' | 'hourly';
interface Driver { date: string; kind: 'weather' | 'holiday'; effectPct: number; extra: number; text: string }
interface Series {
  key: { metric: string } & Partial<Record<Dimension, string>>;
  label: string; model: string; note: string; fellBack: boolean; withWeather: boolean; weatherNote?: string; weatherExtra: number;
  daily: (ForecastPoint & { hour?: undefined })[]; hourly: ForecastPoint[]; history: HistoryPoint[]; drivers: Driver[];
}
interface Report { historyFrom: string; historyTo: string; weather: { status: string; error?: string }; holidays: { country?: string; note?: string }; series: Series[]; skipped: { label: string; reason: string }[] }

const METRICS = ['tickets', 'visits', 'contacts', 'inbound_calls'] as const;
const DIMENSIONS: readonly Dimension[] = ['region', 'applianceType', 'language', 'channel'];
const DIMENSION_LABEL: Record<Dimension, string> = { region: 'Region', applianceType: 'Appliance type', language: 'Skill / language', channel: 'Channel' };
const METRIC_LABEL: Record<(typeof METRICS)[number], string> = { tickets: 'Tickets', visits: 'Visits', contacts: 'Contacts by channel', inbound_calls: 'Inbound calls' };

/**
 * Tomorrow's workload (GET /api/v1/forecasts) as planners staff for it: per series a chart of
 * the history the forecast was fitted on followed by the forecast, its bands and baseline,
 * what drives it beside the chart, and the numbers as tables below for screen readers.
 */
export function Forecasts() {
  useLang();
  const [metric, setMetric] = useState<string>('tickets');
  const [by, setBy] = useState<string>('region');
  const [granularity, setGranularity] = useState<Granularity>('daily');
  // All the history the forecast was fitted on by default; fewer days leave the forecast more width.
  const [shownDays, setShownDays] = useState<number | null>(null);
  const [filters, setFilters] = useState<Partial<Record<Dimension, string>>>({});
  // Values of each dimension seen in answers so far: the filters offer what the history holds.
  const [seen, setSeen] = useState<Record<Dimension, string[]>>({ region: [], applianceType: [], language: [], channel: [] });
  const [r, setR] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setR(null);
    setError(null);
    const q = new URLSearchParams({ metric, by, granularity });
    for (const d of DIMENSIONS) if (filters[d] !== undefined) q.set(d, filters[d]);
    let live = true;
    void api<Report>('GET', `/api/v1/forecasts?${q.toString()}`).then(
      (report) => {
        if (!live) return;
        setR(report);
        setSeen((old) => {
          const next = { ...old };
          for (const d of DIMENSIONS) next[d] = [...new Set([...old[d], ...report.series.map((s) => s.key[d]).filter((v): v is string => v !== undefined)])].sort();
          return next;
        });
      },
      (err: Error) => live && setError(err.message),
    );
    return () => void (live = false);
  }, [metric, by, granularity, filters]);
  return (
    <section>
      <h1>{t('Forecasts')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('Metric')}
          <select value={metric} onChange={(e) => setMetric(e.currentTarget.value)}>
            {METRICS.map((m) => <option key={m} value={m}>{t(METRIC_LABEL[m])}</option>)}
          </select>
        </label>
        <label>
          {t('Group by')}
          <select value={by} onChange={(e) => setBy(e.currentTarget.value)}>
            <option value="total">{t('Total')}</option>
            {DIMENSIONS.map((d) => <option key={d} value={d}>{t(DIMENSION_LABEL[d])}</option>)}
          </select>
        </label>
        {DIMENSIONS.filter((d) => d !== 'channel' || metric === 'contacts').map((d) => (
          <label key={d}>
            {t(DIMENSION_LABEL[d])}
            <select value={filters[d] ?? ''} onChange={(e) => setFilters({ ...filters, [d]: e.currentTarget.value === '' ? undefined : e.currentTarget.value })}>
              <option value="">{t('All')}</option>
              {[...new Set([...seen[d], ...(filters[d] !== undefined ? [filters[d]] : [])])].map((v) => <option key={v}>{v}</option>)}
            </select>
          </label>
        ))}
        <label>
          {t('Granularity')}
          <select value={granularity} onChange={(e) => setGranularity(e.currentTarget.value as Granularity)}>
            <option value="daily">{t('Daily')}</option>
            <option value="hourly">{t('Hourly')}</option>
          </select>
        </label>
        <label>
          {t('History shown')}
          <select value={shownDays ?? ''} onChange={(e) => setShownDays(e.currentTarget.value === '' ? null : Number(e.currentTarget.value))}>
            <option value="">{t('All it was fitted on')}</option>
            {[56, 28, 7].map((n) => <option key={n} value={n}>{t('Last {n} days', { n })}</option>)}
          </select>
        </label>
      </form>
      {error !== null && <p role="alert" class="error">{error}</p>}
      {r === null && error === null && <p>{t('Loading…')}</p>}
      {r !== null && (
        <p class="hint" data-testid="forecast-context">
          {t('History {from} to {to}', { from: r.historyFrom, to: r.historyTo })} · {t('Weather')}: {r.weather.status}
          {r.weather.error !== undefined && ` (${r.weather.error})`}
          {r.holidays.note !== undefined && ` · ${r.holidays.note}`}
        </p>
      )}
      {r?.series.map((s, i) => <SeriesCard key={s.label} id={`series-${i}`} s={s} granularity={granularity} shownDays={shownDays} />)}
      {r?.skipped.map((s) => (
        <p key={s.label} class="hint">
          {s.label}: {s.reason}
        </p>
      ))}
    </section>
  );
}

function SeriesCard({ id, s, granularity, shownDays }: { id: string; s: Series; granularity: Granularity; shownDays: number | null }) {
  const forecast: ForecastPoint[] = granularity === 'hourly' ? s.hourly : s.daily;
  const shown = shownDays === null ? s.history : s.history.slice(-shownDays * (granularity === 'hourly' ? 24 : 1));
  const headingId = `${id}-heading`;
  return (
    <article class="card fseries" aria-labelledby={headingId} data-testid="forecast-series">
      <h2 id={headingId}>{s.label}</h2>
      <div class="fseries-body">
        <ForecastChart id={id} title={s.label} history={shown} forecast={forecast} drivers={s.drivers} />
        <aside class="drivers" aria-label={`${t('What drives this')}: ${s.label}`}>
          <h3>{t('What drives this')}</h3>
          {s.drivers.length > 0 ? (
            <ul>
              {s.drivers.map((d) => (
                <li key={`${d.kind}-${d.date}`} data-testid="driver" class={`driver-${d.kind}`}>
                  {d.text}
                </li>
              ))}
            </ul>
          ) : (
            <p class="hint">{t('No weather or holiday moves this forecast by 10 % or more.')}</p>
          )}
          <p data-testid="weather-effect">
            {s.withWeather ? t('Weather effect over the horizon: {n} against the weather as usual', { n: `${s.weatherExtra > 0 ? '+' : ''}${fmtNumber(s.weatherExtra)}` }) : s.weatherNote}
          </p>
          <p class="hint">
            {t('Forecast model')}: {s.model}
            {s.fellBack && ` · ${t('fell back to the baseline')}`} · {s.note}
          </p>
        </aside>
      </div>
      <Folded summary={t('Forecast as a table')} open={granularity === 'daily'}>
          <table aria-label={`${t('Forecast')}: ${s.label}`} class="forecast">
            <thead>
              <tr>
                <th scope="col">{granularity === 'hourly' ? t('Hour') : t('Day')}</th>
                <th scope="col">{t('Forecast')}</th>
                <th scope="col">80 %</th>
                <th scope="col">95 %</th>
                <th scope="col">{t('Baseline')}</th>
              </tr>
            </thead>
            <tbody>
              {forecast.map((d) => (
                <tr key={pointLabel(d)}>
                  <th scope="row">{pointLabel(d)}</th>
                  <td data-label={t('Forecast')}>{fmtNumber(d.mean)}</td>
                  <td data-label="80 %">{fmtNumber(d.lo80)}–{fmtNumber(d.hi80)}</td>
                  <td data-label="95 %">{fmtNumber(d.lo95)}–{fmtNumber(d.hi95)}</td>
                  <td data-label={t('Baseline')}>{fmtNumber(d.baseline)}</td>
                </tr>
              ))}
            </tbody>
          </table>
      </Folded>
      <Folded summary={t('History as a table')} open={false}>
          <table aria-label={`${t('History')}: ${s.label}`} class="forecast">
            <thead>
              <tr>
                <th scope="col">{granularity === 'hourly' ? t('Hour') : t('Day')}</th>
                <th scope="col">{t('Count')}</th>
              </tr>
            </thead>
            <tbody>
              {s.history.map((p) => (
                <tr key={pointLabel(p)}>
                  <th scope="row">{pointLabel(p)}</th>
                  <td data-label={t('Count')}>{fmtNumber(p.value, 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
      </Folded>
    </article>
  );
}

/** A table behind a disclosure, rendered only once opened: eight weeks of hours are 1,344 rows per series. */
function Folded({ summary, open, children }: { summary: string; open: boolean; children: ComponentChildren }) {
  const [shown, setShown] = useState(open);
  return (
    <details open={open} onToggle={(e) => setShown(e.currentTarget.open)}>
      <summary>{summary}</summary>
      {shown && children}
    </details>
  );
}
