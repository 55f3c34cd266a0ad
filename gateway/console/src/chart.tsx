import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from './api.js';
import { fmtDay, fmtNumber, fmtShort, fmtTime, t, useLang } from './i18n.js';

export interface Marker { at: number; kind: string; label: string }
interface Overview { units: Record<string, string>; markers: Marker[] }

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

/** Vertical lines at each fault (red) and alarm change (amber), drawn over the plot. */
function markerPlugin(markers: Marker[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        ctx.save();
        for (const m of markers) {
          const x = u.valToPos(m.at / 1000, 'x', true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = m.kind === 'fault' ? '#dc2626' : '#d97706';
          ctx.lineWidth = 2 * devicePixelRatio;
          ctx.setLineDash(m.kind === 'fault' ? [] : [6, 4]);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

/**
 * An appliance's telemetry over [from, to]: one y axis per unit (°C apart from ratios and
 * amps), dates in the user's locale, drag to zoom (double-click resets), a marker at each fault
 * and alarm, and the same markers listed under the chart for people who cannot see it.
 */
export function TelemetryChart({ hubId, applianceId, from, to, overview }: { hubId: string; applianceId: string; from: number; to: number; overview?: Overview }) {
  const lang = useLang();
  const box = useRef<HTMLDivElement>(null);
  const [info, setInfo] = useState<Overview | null>(overview ?? null);
  const [points, setPoints] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const base = `/api/v1/hubs/${encodeURIComponent(hubId)}/appliances/${encodeURIComponent(applianceId)}`;
  useEffect(() => {
    let plot: uPlot | undefined;
    let observer: ResizeObserver | undefined;
    let live = true;
    void Promise.all([
      api<{ items: { at: number; metrics: Record<string, number | boolean> }[] }>('GET', `${base}/telemetry?from=${Math.floor(from)}&to=${Math.ceil(to)}`),
      overview !== undefined ? Promise.resolve(overview) : api<Overview>('GET', `${base}?from=${Math.floor(from)}&to=${Math.ceil(to)}`).catch((): Overview => ({ units: {}, markers: [] })),
    ]).then(
      ([r, o]) => {
        if (!live) return;
        setInfo(o);
        setPoints(r.items.length);
        if (box.current === null || r.items.length === 0) return;
        const names = [...new Set(r.items.flatMap((p) => Object.entries(p.metrics).filter(([, v]) => typeof v === 'number').map(([k]) => k)))].slice(0, 6);
        const unitOf = (n: string): string => o.units[n] ?? n;
        const units = [...new Set(names.map(unitOf))];
        const data: uPlot.AlignedData = [r.items.map((p) => p.at / 1000), ...names.map((n) => r.items.map((p) => (typeof p.metrics[n] === 'number' ? (p.metrics[n] as number) : null)))];
        const stroke = getComputedStyle(box.current).color;
        const axes: uPlot.Axis[] = [
          { stroke, space: 120, values: (_u, splits) => splits.map((s) => fmtShort(s * 1000)), grid: { stroke: 'rgba(127,127,127,0.2)' } },
          ...units.map((unit, i) => ({ scale: unit, label: unit, stroke, side: i % 2 === 0 ? 3 : 1, grid: { show: i === 0, stroke: 'rgba(127,127,127,0.2)' } }) as uPlot.Axis),
        ];
        const series: uPlot.Series[] = [
          { value: (_u, v) => (v == null ? '—' : fmtTime(v * 1000)) },
          ...names.map((n, i) => ({ label: `${n} (${unitOf(n)})`, scale: unitOf(n), stroke: COLORS[i % COLORS.length] ?? '#333', width: 2, points: { show: r.items.length < 60 } })),
        ];
        const width = (): number => Math.max(280, box.current?.clientWidth ?? 600);
        plot = new uPlot({ width: width(), height: 280, scales: { x: { time: true, range: () => [from / 1000, to / 1000] } }, axes, series, plugins: [markerPlugin(o.markers)], cursor: { drag: { x: true, y: false } } }, data, box.current);
        observer = new ResizeObserver(() => plot?.setSize({ width: width(), height: 280 }));
        observer.observe(box.current);
      },
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [hubId, applianceId, from, to, lang]);
  const markers = info?.markers ?? [];
  return (
    <figure class="chart-figure">
      <div ref={box} class="chart" role="img" aria-label={`${t('Telemetry')} ${applianceId}`} />
      {points === 0 && <figcaption>{t('No telemetry in this range.')}</figcaption>}
      {error !== null && <p role="alert" class="error">{error}</p>}
      {markers.length > 0 && (
        <ul class="markers" aria-label={t('Faults and alarms')}>
          {markers.map((m, i) => (
            <li key={i} class={`marker-${m.kind}`} data-testid={`marker-${m.kind}`}>
              {fmtTime(m.at)} · {m.kind} · {m.label}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

export interface TrendSeries { label: string; unit: string; values: (number | null)[] }

/**
 * Daily figures over a range (the manager's SLA trend) on the same uPlot chart as the
 * telemetry: one y axis per unit, days in the user's locale, hover for the values. `days` are
 * UTC days (YYYY-MM-DD) as the API groups them.
 */
export function TrendChart({ label, days, series }: { label: string; days: readonly string[]; series: readonly TrendSeries[] }) {
  const lang = useLang();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (el === null || days.length === 0) return;
    const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const units = [...new Set(series.map((s) => s.unit))];
    const stroke = getComputedStyle(el).color;
    const grid = { stroke: 'rgba(127,127,127,0.2)' };
    const axes: uPlot.Axis[] = [
      // Ticks on whole days only (uPlot would otherwise tick hours and print the same day again and again).
      { stroke, space: 90, grid, incrs: [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400], values: (_u, splits) => splits.map((v) => fmtDay(v * 1000)) },
      ...units.map((unit, i) => ({ scale: unit, label: unit, stroke, side: i % 2 === 0 ? 3 : 1, grid: { show: i === 0, stroke: grid.stroke }, values: (_u: uPlot, splits: number[]) => splits.map((v) => fmtNumber(v)) }) as uPlot.Axis),
    ];
    const plotSeries: uPlot.Series[] = [
      { value: (_u, v) => (v == null ? '—' : fmtDay(v * 1000)) },
      ...series.map((s, i) => ({ label: `${s.label} (${s.unit})`, scale: s.unit, stroke: COLORS[i % COLORS.length] ?? '#333', width: 2, points: { show: days.length < 40 }, value: (_u: uPlot, v: number | null) => (v == null ? '—' : fmtNumber(v)) })),
    ];
    const width = (): number => Math.max(280, el.clientWidth);
    // A single day still gets a visible range (uPlot would collapse it to a point).
    const range: uPlot.Range.Function = (_u, min, max) => (min === max ? [min - 43_200, max + 43_200] : [min, max]);
    const plot = new uPlot({ width: width(), height: 260, scales: { x: { time: true, range } }, axes, series: plotSeries }, [xs, ...series.map((s) => s.values)], el);
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: 260 }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [days, series, lang]);
  return <div ref={box} class="chart trend-chart" role="img" aria-label={label} data-testid="trend-chart" />;
}
