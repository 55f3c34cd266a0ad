import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Role } from './api.js';
import { fmtNumber, fmtTime, t, useLang } from './i18n.js';
import { TelemetryChart, type Marker } from './chart.js';

interface Overview {
  hubId: string;
  applianceId: string;
  type: string | null;
  model: string | null;
  serial: string | null;
  customer: { name: string; phone: string; address: string; timeZone: string } | null;
  latest: { at: number; metrics: Record<string, number | boolean | string> } | null;
  units: Record<string, string>;
  markers: Marker[];
  alarms: { alarmKey: string; title: string; status: string; severity: string; lastSeen: number }[];
  tickets: { ticketId: string; status: string; title: string; openedAt: number }[];
  contacts: { taskId: string; purpose: string; channel: string; status: string; outcome: string | null; lastError: string | null; createdAt: number }[];
}

const RANGES = [
  { label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { label: 'Last 24 hours', ms: 24 * 3_600_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
];

/** One appliance: its latest values, a time-range chart with fault and alarm markers, its alarms, tickets and contacts. */
export function AppliancePage({ hubId, applianceId }: { hubId: string; applianceId: string; role: Role }) {
  useLang();
  const [range, setRange] = useState(RANGES[0]?.ms ?? 21_600_000);
  const [to] = useState(() => Date.now());
  const [o, setO] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const from = to - range;
  useEffect(() => {
    setO(null);
    void api<Overview>('GET', `/api/v1/hubs/${encodeURIComponent(hubId)}/appliances/${encodeURIComponent(applianceId)}?from=${from}&to=${to}`).then(setO, (err: Error) =>
      setError(err instanceof ApiError && err.status === 404 ? t('unknown') : err.message),
    );
  }, [hubId, applianceId, range]);
  if (error !== null) return <p role="alert" class="error">{applianceId}: {error}</p>;
  if (o === null) return <p>{t('Loading…')}</p>;
  return (
    <section>
      <h1>
        {applianceId} · {o.model ?? o.type ?? ''}
      </h1>
      <p>
        {hubId} · {t('Serial')} {o.serial ?? '—'} {o.customer !== null && <>· {o.customer.name} · <a href={`tel:${o.customer.phone.replace(/[^\d+]/g, '')}`}>{o.customer.phone}</a></>}
      </p>
      <div class="card">
        <h2>{t('Latest values')}</h2>
        {o.latest === null ? (
          <p>—</p>
        ) : (
          <dl class="values">
            {Object.entries(o.latest.metrics).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>
                  {typeof v === 'number' ? `${fmtNumber(v, 2)} ${o.units[k] ?? ''}` : String(v)}
                </dd>
              </div>
            ))}
          </dl>
        )}
        {o.latest !== null && <p class="hint">{fmtTime(o.latest.at)}</p>}
      </div>
      <div class="card">
        <h2>{t('Telemetry')}</h2>
        <label>
          {t('Range')}
          <select value={range} onChange={(e) => setRange(Number(e.currentTarget.value))}>
            {RANGES.map((r) => (
              <option key={r.ms} value={r.ms}>
                {t(r.label)}
              </option>
            ))}
          </select>
        </label>
        <TelemetryChart hubId={hubId} applianceId={applianceId} from={from} to={to} overview={{ units: o.units, markers: o.markers }} />
      </div>
      <div class="grid">
        <div class="card">
          <h2>{t('Alarms')}</h2>
          <ul>
            {o.alarms.map((a) => (
              <li key={a.alarmKey}>
                {fmtTime(a.lastSeen)} · <span class={`sev-${a.severity}`}>{a.severity}</span> · {a.title} · {a.status}
              </li>
            ))}
            {o.alarms.length === 0 && <li>{t('None')}</li>}
          </ul>
        </div>
        <div class="card">
          <h2>{t('Tickets')}</h2>
          <ul>
            {o.tickets.map((k) => (
              <li key={k.ticketId}>
                <a href={`#/ticket/${encodeURIComponent(k.ticketId)}`}>{k.ticketId}</a> · {k.title} · {k.status}
              </li>
            ))}
            {o.tickets.length === 0 && <li>{t('None')}</li>}
          </ul>
        </div>
        <div class="card">
          <h2>{t('Contacts')}</h2>
          <ul>
            {o.contacts.map((k) => (
              <li key={k.taskId}>
                {fmtTime(k.createdAt)} · {k.purpose} · {k.channel}: {k.status}
                {k.lastError !== null && ` (${k.lastError})`}
                {k.outcome !== null && ` · ${k.outcome}`}
              </li>
            ))}
            {o.contacts.length === 0 && <li>{t('None')}</li>}
          </ul>
        </div>
      </div>
    </section>
  );
}
