import { useEffect, useRef, useState } from 'preact/hooks';
import { fmtCalendarDay, fmtClock, fmtDay, fmtNumber, t } from './i18n.js';

/**
 * One series drawn as planners read it: what happened (the history the model was fitted on),
 * then the forecast with its 95 % and 80 % bands shaded and the seasonal-naive baseline dashed,
 * a line where today starts and a tick on each day a driver (weather, holiday) moves the number.
 * Plain SVG rather than the appliance page's canvas chart (uPlot): bands and lines stay
 * elements that a test, a screen reader (title/desc) and print can see, and it costs no bytes
 * of another library; the page is loaded lazily, away from the dispatcher's bundle.
 */

export interface Point { date: string; hour?: number }
export interface HistoryPoint extends Point { value: number }
export interface ForecastPoint extends Point { mean: number; lo80: number; hi80: number; lo95: number; hi95: number; baseline: number }

const HEIGHT = 260;
const PAD = { top: 14, right: 12, bottom: 30, left: 44 };

/** A day or an hour of a series, in the user's locale. */
export const pointLabel = (p: Point): string => (p.hour === undefined ? fmtCalendarDay(p.date) : `${fmtCalendarDay(p.date)} ${fmtClock(`${String(p.hour).padStart(2, '0')}:00`)}`);
const tickLabel = (p: Point): string => (p.hour === undefined ? fmtDay(Date.parse(`${p.date}T00:00:00Z`)) : `${fmtDay(Date.parse(`${p.date}T00:00:00Z`))} ${fmtClock(`${String(p.hour).padStart(2, '0')}:00`)}`);

/** A round step for about `ticks` gridlines up to `top`. */
function niceStep(top: number, ticks: number): number {
  const raw = Math.max(top, 1) / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

const line = (pts: readonly (readonly [number, number])[]): string => pts.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join('');

export function ForecastChart({ id, title, history, forecast, drivers }: { id: string; title: string; history: readonly HistoryPoint[]; forecast: readonly ForecastPoint[]; drivers: readonly { date: string; text: string }[] }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(640);
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const measure = (): void => setWidth(Math.max(280, Math.floor(el.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const n = history.length + forecast.length;
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const top = Math.max(1, ...history.map((p) => p.value), ...forecast.map((p) => Math.max(p.hi95, p.baseline)));
  const step = niceStep(top, 4);
  const yMax = Math.ceil(top / step) * step;
  const x = (i: number): number => PAD.left + (n <= 1 ? 0 : (i * plotW) / (n - 1));
  const y = (v: number): number => PAD.top + plotH - (Math.max(0, v) / yMax) * plotH;
  const at = (i: number): number => history.length + i;

  const lastHistory = history.length > 0 ? [[x(history.length - 1), y(history[history.length - 1]?.value ?? 0)] as const] : [];
  const band = (lo: (p: ForecastPoint) => number, hi: (p: ForecastPoint) => number): string =>
    `${line([...forecast.map((p, i) => [x(at(i)), y(hi(p))] as const), ...[...forecast].reverse().map((p, i) => [x(at(forecast.length - 1 - i)), y(lo(p))] as const)])}Z`;
  const gridlines = Array.from({ length: Math.round(yMax / step) + 1 }, (_, k) => k * step);
  const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(plotW / 110))));
  const all: Point[] = [...history, ...forecast];
  const xTicks = all.map((p, i) => ({ p, i })).filter(({ i }) => i % every === 0);
  const driverDays = new Map(drivers.map((d) => [d.date, d.text]));
  const driverAt = forecast.map((p, i) => ({ p, i })).filter(({ p }) => driverDays.has(p.date) && (p.hour === undefined || p.hour === 12));
  const first = history[0];
  const fFirst = forecast[0];
  const fLast = forecast[forecast.length - 1];
  const desc = t('History {from} to {to} ({n} points), forecast {ffrom} to {fto} with 80 % and 95 % bands and the seasonal-naive baseline.', {
    from: first !== undefined ? pointLabel(first) : '—', to: history.length > 0 ? pointLabel(history[history.length - 1] as Point) : '—', n: history.length,
    ffrom: fFirst !== undefined ? pointLabel(fFirst) : '—', fto: fLast !== undefined ? pointLabel(fLast) : '—',
  });

  return (
    <div ref={box} class="fchart">
      <svg width={width} height={HEIGHT} viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} data-testid="forecast-chart">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        <g class="grid" aria-hidden="true">
          {gridlines.map((v) => (
            <g key={v}>
              <line x1={PAD.left} x2={width - PAD.right} y1={y(v)} y2={y(v)} />
              <text x={PAD.left - 6} y={y(v) + 4} text-anchor="end">{fmtNumber(v, 0)}</text>
            </g>
          ))}
          {xTicks.map(({ p, i }) => (
            <text key={i} x={x(i)} y={HEIGHT - 8} text-anchor={i === 0 ? 'start' : 'middle'}>
              {tickLabel(p)}
            </text>
          ))}
        </g>
        {forecast.length > 0 && (
          <>
            <path class="band95" d={band((p) => p.lo95, (p) => p.hi95)} data-testid="band-95" />
            <path class="band80" d={band((p) => p.lo80, (p) => p.hi80)} data-testid="band-80" />
            <line class="today" x1={x(at(0))} x2={x(at(0))} y1={PAD.top} y2={PAD.top + plotH} aria-hidden="true" />
            <path class="baseline" d={line(forecast.map((p, i) => [x(at(i)), y(p.baseline)] as const))} data-testid="baseline" />
            <path class="mean" d={line([...lastHistory, ...forecast.map((p, i) => [x(at(i)), y(p.mean)] as const)])} data-testid="forecast-line" />
          </>
        )}
        {history.length > 0 && <path class="history" d={line(history.map((p, i) => [x(i), y(p.value)] as const))} data-testid="history-line" />}
        {driverAt.map(({ p, i }) => (
          <path key={i} class="driver" d={`M${x(at(i)).toFixed(1)},${PAD.top}l-5,-9h10z`} data-testid="driver-mark">
            <title>{driverDays.get(p.date)}</title>
          </path>
        ))}
      </svg>
      <ul class="legend" aria-label={t('Legend')}>
        <li><span class="swatch history" aria-hidden="true" />{t('History')}</li>
        <li><span class="swatch mean" aria-hidden="true" />{t('Forecast')}</li>
        <li><span class="swatch band80" aria-hidden="true" />80 %</li>
        <li><span class="swatch band95" aria-hidden="true" />95 %</li>
        <li><span class="swatch baseline" aria-hidden="true" />{t('Baseline')} ({t('seasonal naive')})</li>
      </ul>
    </div>
  );
}
