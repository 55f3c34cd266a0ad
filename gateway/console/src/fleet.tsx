import { useEffect, useState } from 'preact/hooks';
import { api, liveEvents } from './api.js';

interface FleetData {
  hubs: { hubId: string; connected: boolean }[];
  alarms: { ruleId: string; severity: string; applianceId: string | null; key: string; title: string }[];
  models: Record<string, string>;
  red: { ticketId: string; title: string; sla: { reason: string | null } }[];
  fleetAlerts: { alertId: string; model: string; faultCode: string; affected: number; openedAt: number }[];
  contacts: { status: string; outcome: string | null }[];
}

export function Fleet() {
  const [d, setD] = useState<FleetData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async (): Promise<void> => {
    try {
      const [hubs, alarms, tickets, fleetAlerts, contacts, appliances] = await Promise.all([
        api<{ items: FleetData['hubs'] }>('GET', '/api/v1/hubs'),
        api<{ items: FleetData['alarms'] }>('GET', '/api/v1/alarms'),
        api<{ items: (FleetData['red'][number] & { sla: { state: string } })[] }>('GET', '/api/v1/tickets?status=open,assigned,scheduled,in_progress'),
        api<{ items: FleetData['fleetAlerts'] }>('GET', '/api/v1/fleet/alerts?status=open'),
        api<{ items: FleetData['contacts'] }>('GET', '/api/v1/contacts?limit=1000'),
        api<{ items: { applianceId: string; model: string | null }[] }>('GET', '/api/v1/appliances'),
      ]);
      const models = Object.fromEntries(appliances.items.map((a) => [a.applianceId, a.model ?? 'unknown model']));
      setD({ hubs: hubs.items, alarms: alarms.items, models, red: tickets.items.filter((t) => t.sla.state === 'breached'), fleetAlerts: fleetAlerts.items, contacts: contacts.items });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    void load();
    return liveEvents(() => void load());
  }, []);
  if (d === null) return <p>{error ?? 'Loading…'}</p>;
  const online = d.hubs.filter((h) => h.connected).length;
  // Alarms by model and fault (the fault code, or the rule for alarms without one; hub alarms under "hubs").
  const byModel = new Map<string, number>();
  for (const a of d.alarms) {
    const model = a.applianceId === null ? 'hubs' : (d.models[a.applianceId] ?? 'unknown model');
    const fault = a.ruleId === 'fault-code' ? a.key : a.ruleId;
    byModel.set(`${model} · ${fault}`, (byModel.get(`${model} · ${fault}`) ?? 0) + 1);
  }
  const delivered = d.contacts.filter((c) => c.status === 'delivered').length;
  const dead = d.contacts.filter((c) => c.status === 'dead').length;
  const reached = d.contacts.filter((c) => c.outcome === 'reached' || c.outcome === 'booked').length;
  return (
    <section>
      <h1>Fleet</h1>
      <div class="grid">
        <div class="card stat">
          <h2>Hubs online</h2>
          <p data-testid="hubs-online">
            {online} / {d.hubs.length}
          </p>
        </div>
        <div class="card stat">
          <h2>Open alarms</h2>
          <p>{d.alarms.length}</p>
        </div>
        <div class="card stat">
          <h2>Contact success</h2>
          <p>{delivered + dead === 0 ? '—' : `${Math.round((delivered / (delivered + dead)) * 100)}% delivered, ${reached} reached`}</p>
        </div>
      </div>
      <div class="grid">
        <div class="card">
          <h2>Fleet red lights</h2>
          <ul>
            {d.fleetAlerts.map((f) => (
              <li key={f.alertId}>
                {f.model} {f.faultCode}: {f.affected} appliances
              </li>
            ))}
            {d.fleetAlerts.length === 0 && <li>None</li>}
          </ul>
        </div>
        <div class="card">
          <h2>Alarms by model and fault</h2>
          <ul aria-label="Alarms by model and fault">
            {[...byModel].sort().map(([k, n]) => (
              <li key={k}>
                {k}: {n}
              </li>
            ))}
          </ul>
        </div>
        <div class="card">
          <h2>Past their promise</h2>
          <ul>
            {d.red.map((t) => (
              <li key={t.ticketId}>
                <a href={`#/ticket/${encodeURIComponent(t.ticketId)}`}>{t.ticketId}</a> {t.title} ({t.sla.reason})
              </li>
            ))}
            {d.red.length === 0 && <li>None</li>}
          </ul>
        </div>
      </div>
    </section>
  );
}
