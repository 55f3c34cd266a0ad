import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { fmtNumber, t, useLang } from './i18n.js';

interface Day { date: string; mean: number; lo80: number; hi80: number; lo95: number; hi95: number; baseline: number }
interface Series { key: string; label: string; model: string; note: string; fellBack: boolean; withWeather: boolean; daily: Day[]; drivers: { date: string; text: string }[] }
interface Report { series: Series[]; skipped: { label: string; reason: string }[] }

const METRICS = ['tickets', 'visits', 'contacts', 'inbound_calls'];
const BY = ['total', 'region', 'applianceType', 'language', 'channel'];

/** Tomorrow's workload (GET /api/v1/forecasts): per series the daily forecast with its 80 % and 95 % bands, the baseline and what drives it. */
export function Forecasts() {
  useLang();
  const [metric, setMetric] = useState('tickets');
  const [by, setBy] = useState('region');
  const [r, setR] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setR(null);
    setError(null);
    void api<Report>('GET', `/api/v1/forecasts?metric=${metric}&by=${by}`).then(setR, (err: Error) => setError(err.message));
  }, [metric, by]);
  return (
    <section>
      <h1>{t('Forecasts')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('Metric')}
          <select value={metric} onChange={(e) => setMetric(e.currentTarget.value)}>
            {METRICS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label>
          {t('Group by')}
          <select value={by} onChange={(e) => setBy(e.currentTarget.value)}>
            {BY.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
      </form>
      {error !== null && <p role="alert" class="error">{error}</p>}
      {r === null && error === null && <p>{t('Loading…')}</p>}
      {r?.series.map((s) => {
        const top = Math.max(1, ...s.daily.map((d) => d.hi95));
        return (
          <div class="card" key={s.key}>
            <h2>{s.label}</h2>
            <p class="hint">
              {s.model}
              {s.fellBack && ' · baseline'} · {s.note}
            </p>
            {s.drivers.length > 0 && (
              <p>
                {t('What drives this')}: {s.drivers.map((d) => d.text).join('; ')}
              </p>
            )}
            <table aria-label={s.label} class="forecast">
              <thead>
                <tr>
                  <th scope="col">{t('Day')}</th>
                  <th scope="col">{t('Forecast')}</th>
                  <th scope="col">80 %</th>
                  <th scope="col">95 %</th>
                  <th scope="col">{t('Baseline')}</th>
                  <th scope="col"><span class="sr-only">{t('Forecast')}</span></th>
                </tr>
              </thead>
              <tbody>
                {s.daily.map((d) => (
                  <tr key={d.date}>
                    <th scope="row">{d.date}</th>
                    <td>{fmtNumber(d.mean)}</td>
                    <td>{fmtNumber(d.lo80)}–{fmtNumber(d.hi80)}</td>
                    <td>{fmtNumber(d.lo95)}–{fmtNumber(d.hi95)}</td>
                    <td>{fmtNumber(d.baseline)}</td>
                    <td class="bar" aria-hidden="true">
                      <span class="band" style={{ left: `${(d.lo95 / top) * 100}%`, width: `${((d.hi95 - d.lo95) / top) * 100}%` }} />
                      <span class="mean" style={{ left: `${(d.mean / top) * 100}%` }} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
      {r?.skipped.map((s) => (
        <p key={s.label} class="hint">
          {s.label}: {s.reason}
        </p>
      ))}
    </section>
  );
}
