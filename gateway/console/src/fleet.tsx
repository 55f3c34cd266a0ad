import { useEffect, useState } from 'preact/hooks';
import { api, liveEvents, type Role } from './api.js';
import { fmtPercent, fmtTime, t, useLang } from './i18n.js';
import { can } from './roles.js';
import type { QueueRow } from './queue.js';

interface Alarm { alarmKey: string; ruleId: string; severity: string; hubId: string; applianceId: string | null; key: string; title: string; status: string; lastSeen: number }
interface FleetAlert { alertId: string; model: string; faultCode: string; affected: number; openedAt: number; appliances?: { hubId: string; applianceId: string }[] }
interface Parts {
  hubs: { hubId: string; connected: boolean }[];
  alarms: Alarm[];
  models: Record<string, string>;
  red: { items: QueueRow[]; total: number };
  alerts: FleetAlert[];
  contacts: { status: string; outcome: string | null }[];
}

/**
 * Each part is loaded on its own and reloaded only when its kind of event arrives (at most once
 * per 2 s while events stream in): a burst of ticket events costs one small breached-tickets page.
 */
function usePart<T>(load: () => Promise<T>, kinds: string[]): T | null {
  const [v, setV] = useState<T | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = (): void => void load().then(setV, () => undefined);
    run();
    const stop = liveEvents((type) => {
      if ((type === 'reset' || kinds.includes(type)) && timer === undefined) timer = setTimeout(() => ((timer = undefined), run()), 2000);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, []);
  return v;
}

export function Fleet({ role }: { role: Role }) {
  useLang();
  const hubs = usePart(() => api<{ items: Parts['hubs'] }>('GET', '/api/v1/hubs').then((r) => r.items), []);
  const alarms = usePart(() => api<{ items: Alarm[] }>('GET', '/api/v1/alarms').then((r) => r.items), ['alarm']);
  const red = usePart(() => api<Parts['red']>('GET', '/api/v1/tickets/queue?breached=true&limit=20'), ['ticket']);
  const [closed, setClosed] = useState(0);
  const [alerts, setAlerts] = useState<FleetAlert[] | null>(null);
  useEffect(() => void api<{ items: FleetAlert[] }>('GET', '/api/v1/fleet/alerts?status=open').then((r) => setAlerts(r.items), () => undefined), [closed]);
  const contacts = usePart(() => api<{ items: Parts['contacts'] }>('GET', '/api/v1/contacts?limit=500').then((r) => r.items), ['contact']);
  // Models come from the customer registry, which only ticket workers read.
  const models = usePart(() => (can(role, 'readCustomers') ? api<{ items: { hubId: string; applianceId: string; model: string | null }[] }>('GET', '/api/v1/appliances') : Promise.resolve({ items: [] })).then((r) => Object.fromEntries(r.items.map((a) => [`${a.hubId}/${a.applianceId}`, a.model ?? '?']))), []);
  const [error, setError] = useState<string | null>(null);
  const online = hubs?.filter((h) => h.connected).length ?? 0;
  const byModel = new Map<string, number>();
  for (const a of alarms ?? []) {
    const model = a.applianceId === null ? 'hubs' : (models?.[`${a.hubId}/${a.applianceId}`] ?? a.applianceId);
    const fault = a.ruleId === 'fault-code' ? a.key : a.ruleId;
    byModel.set(`${model} · ${fault}`, (byModel.get(`${model} · ${fault}`) ?? 0) + 1);
  }
  const delivered = contacts?.filter((c) => c.status === 'delivered').length ?? 0;
  const dead = contacts?.filter((c) => c.status === 'dead').length ?? 0;
  const close = async (id: string): Promise<void> => {
    try {
      await api('POST', `/api/v1/fleet/alerts/${encodeURIComponent(id)}/close`, {});
      setClosed((n) => n + 1);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section>
      <h1>{t('Fleet')}</h1>
      {error !== null && <p role="alert" class="error">{error}</p>}
      <div class="grid">
        <div class="card stat">
          <h2>{t('Hubs online')}</h2>
          <p data-testid="hubs-online">{hubs === null ? '…' : `${online} / ${hubs.length}`}</p>
        </div>
        <div class="card stat">
          <h2>{t('Open alarms')}</h2>
          <p>{alarms?.length ?? '…'}</p>
        </div>
        <div class="card stat">
          <h2>{t('Contacts')}</h2>
          <p>{delivered + dead === 0 ? '—' : fmtPercent((delivered / (delivered + dead)) * 100)}</p>
        </div>
      </div>
      <div class="grid">
        <div class="card">
          <h2>{t('Fleet red lights')}</h2>
          <ul>
            {alerts?.map((f) => (
              <li key={f.alertId} class="red-light" data-alert={f.alertId}>
                <a href={`#/queue?q=${encodeURIComponent(f.model)}`}>
                  <strong>
                    {f.model} {f.faultCode}
                  </strong>
                </a>
                : {f.affected} · {fmtTime(f.openedAt)}{' '}
                {can(role, 'closeFleetAlerts') && <button onClick={() => void close(f.alertId)}>{t('Close alert')}</button>}
                {(f.appliances?.length ?? 0) > 0 && (
                  <ul class="red-appliances" aria-label={t('Appliances behind {alert}', { alert: `${f.model} ${f.faultCode}` })}>
                    {f.appliances?.map((a) => (
                      <li key={`${a.hubId}/${a.applianceId}`}>
                        <a href={`#/appliance/${encodeURIComponent(a.hubId)}/${encodeURIComponent(a.applianceId)}`}>
                          {a.hubId} / {a.applianceId}
                        </a>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
            {alerts?.length === 0 && <li>{t('None')}</li>}
          </ul>
        </div>
        <div class="card">
          <h2>{t('Alarms')}</h2>
          <ul aria-label="Alarms by model and fault">
            {[...byModel].sort().map(([k, n]) => (
              <li key={k}>
                {k}: {n}
              </li>
            ))}
          </ul>
        </div>
        <div class="card">
          <h2>
            {t('Past their promise')} ({red?.total ?? '…'})
          </h2>
          <ul>
            {red?.items.map((r) => (
              <li key={r.ticketId}>
                <a href={`#/ticket/${encodeURIComponent(r.ticketId)}`}>{r.ticketId}</a> {r.title}
              </li>
            ))}
            {red?.total === 0 && <li>{t('None')}</li>}
          </ul>
        </div>
      </div>
    </section>
  );
}

/** Open alarms, newest first, with acknowledge, clear (by hand: the rule may raise it again) and a link to the appliance. */
export function AlarmConsole({ role }: { role: Role }) {
  useLang();
  const [items, setItems] = useState<Alarm[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = (): void => void api<{ items: Alarm[] }>('GET', '/api/v1/alarms').then((r) => setItems(r.items), (err: Error) => setError(err.message));
  useEffect(() => {
    load();
    // An alarm event carries the alarm: applied in place (a new key is added, a cleared one dropped).
    return liveEvents((type, data) => {
      if (type === 'reset') return load();
      if (type !== 'alarm' || typeof data.alarmKey !== 'string') return;
      const a = data as unknown as Alarm & { transition?: string };
      setItems((xs) => {
        if (xs === null) return xs;
        const rest = xs.filter((x) => x.alarmKey !== a.alarmKey);
        if (a.transition === 'cleared') return rest;
        const prev = xs.find((x) => x.alarmKey === a.alarmKey);
        return [{ ...prev, ...a, status: a.transition === 'acknowledged' ? 'acknowledged' : (prev?.status ?? 'raised'), lastSeen: (a as { at?: number }).at ?? prev?.lastSeen ?? Date.now() }, ...rest];
      });
    });
  }, []);
  const ack = async (key: string): Promise<void> => {
    try {
      const a = await api<Alarm>('POST', `/api/v1/alarms/${encodeURIComponent(key)}/ack`, {});
      setItems((xs) => xs?.map((x) => (x.alarmKey === key ? { ...x, ...a } : x)) ?? null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const [notice, setNotice] = useState<string | null>(null);
  const clear = async (key: string): Promise<void> => {
    try {
      await api<Alarm>('POST', `/api/v1/alarms/${encodeURIComponent(key)}/clear`, {});
      setItems((xs) => xs?.filter((x) => x.alarmKey !== key) ?? null);
      setNotice(t('Alarm {key} cleared.', { key }));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section>
      <h1>{t('Open alarms')}</h1>
      {error !== null && <p role="alert" class="error">{error}</p>}
      {notice !== null && <p role="status">{notice}</p>}
      <table aria-label={t('Alarms')}>
        <thead>
          <tr>
            <th>{t('When')}</th>
            <th>{t('Severity')}</th>
            <th>{t('What')}</th>
            <th>{t('Appliance')}</th>
            <th>{t('Status')}</th>
            <th>{t('Actions')}</th>
          </tr>
        </thead>
        <tbody>
          {items?.map((a) => (
            <tr key={a.alarmKey} data-alarm={a.alarmKey}>
              <td>{fmtTime(a.lastSeen)}</td>
              <td class={`sev-${a.severity}`}>{t(a.severity)}</td>
              <td>{a.title}</td>
              <td>{a.applianceId !== null ? <a href={`#/appliance/${encodeURIComponent(a.hubId)}/${encodeURIComponent(a.applianceId)}`}>{a.applianceId}</a> : a.hubId}</td>
              <td>{t(a.status)}</td>
              <td>
                {can(role, 'ackAlarms') && a.status === 'raised' && <button onClick={() => void ack(a.alarmKey)}>{t('Acknowledge')}</button>}
                {can(role, 'clearAlarms') && <button onClick={() => void clear(a.alarmKey)}>{t('Clear alarm')}</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {items?.length === 0 && <p>{t('No open alarms.')}</p>}
    </section>
  );
}
