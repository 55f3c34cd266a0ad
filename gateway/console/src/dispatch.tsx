import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, liveEvents } from './api.js';

interface Ticket {
  ticketId: string;
  status: string;
  severity: string;
  title: string;
  model: string | null;
  region: string;
  faultCode: string | null;
  faultClass: string;
  applianceId: string | null;
  hubId: string;
  assignee: string | null;
  team: string | null;
  openedAt: number;
  slotStart: number | null;
  alarmCount: number;
  sla: { state: 'ok' | 'at-risk' | 'breached'; reason: string | null };
  details: {
    customer: { name: string; phone: string; address: string } | null;
    appliance: { model: string | null; serial: string | null; inWarranty: boolean | null } | null;
    fault: { code: string | null; meaning: string; likelyPart: string | null; needsVisit: boolean };
  };
}

const SEVERITY = { safety: 0, critical: 1, warning: 2, info: 3 } as Record<string, number>;
const time = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toLocaleString());

/** Most urgent first (severity, then red SLA), newest first within. */
export function queueOrder(a: Ticket, b: Ticket): number {
  const sla = (t: Ticket): number => (t.sla.state === 'breached' ? 0 : t.sla.state === 'at-risk' ? 1 : 2);
  return (SEVERITY[a.severity] ?? 9) - (SEVERITY[b.severity] ?? 9) || sla(a) - sla(b) || b.openedAt - a.openedAt;
}

export function Queue() {
  const [tickets, setTickets] = useState<Ticket[]>([]);
  const [status, setStatus] = useState('open,assigned,scheduled,in_progress');
  const [fault, setFault] = useState('');
  const [model, setModel] = useState('');
  const [region, setRegion] = useState('');
  const [sla, setSla] = useState('');
  const [error, setError] = useState<string | null>(null);
  const load = async (): Promise<void> => {
    const q = new URLSearchParams();
    if (status !== '') q.set('status', status);
    if (fault !== '') q.set('fault', fault);
    if (model !== '') q.set('model', model);
    if (region !== '') q.set('region', region);
    try {
      const r = await api<{ items: Ticket[] }>('GET', `/api/v1/tickets?${q.toString()}`);
      setTickets(r.items.filter((t) => sla === '' || t.sla.state === sla).sort(queueOrder));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    void load();
    // The queue updates itself as tickets open and change.
    return liveEvents((type) => {
      if (type === 'ticket' || type === 'reset') void load();
    });
  }, [status, fault, model, region, sla]);
  return (
    <section>
      <h1>Dispatcher queue</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="open,assigned,scheduled,in_progress">active</option>
            <option value="open">open</option>
            <option value="assigned">assigned</option>
            <option value="scheduled">scheduled</option>
            <option value="resolved,verified,closed,cancelled">done</option>
            <option value="">all</option>
          </select>
        </label>
        <label>
          Fault
          <input value={fault} placeholder="code or class" onInput={(e) => setFault(e.currentTarget.value)} />
        </label>
        <label>
          Model
          <input value={model} onInput={(e) => setModel(e.currentTarget.value)} />
        </label>
        <label>
          Region
          <input value={region} onInput={(e) => setRegion(e.currentTarget.value)} />
        </label>
        <label>
          SLA
          <select value={sla} onChange={(e) => setSla(e.currentTarget.value)}>
            <option value="">any</option>
            <option value="breached">breached</option>
            <option value="at-risk">at risk</option>
            <option value="ok">ok</option>
          </select>
        </label>
      </form>
      {error !== null && <p role="alert" class="error">{error}</p>}
      <table class="tickets" aria-label="Tickets">
        <thead>
          <tr>
            <th>Ticket</th>
            <th>Severity</th>
            <th>What</th>
            <th>Status</th>
            <th>SLA</th>
            <th>Opened</th>
          </tr>
        </thead>
        <tbody>
          {tickets.map((t) => (
            <tr key={t.ticketId} class={`sla-${t.sla.state}`}>
              <td>
                <a href={`#/ticket/${encodeURIComponent(t.ticketId)}`}>{t.ticketId}</a>
              </td>
              <td class={`sev-${t.severity}`}>{t.severity}</td>
              <td>{t.title}</td>
              <td>{t.status}</td>
              <td title={t.sla.reason ?? ''}>{t.sla.state}</td>
              <td>{time(t.openedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {tickets.length === 0 && <p>No tickets match.</p>}
    </section>
  );
}

interface TicketFull extends Ticket {
  events: { at: number; by: string; type: string; toStatus: string | null; note: string | null }[];
  alarmHistory: { transition: string; at: number; count: number }[];
  contacts: { taskId: string; purpose: string; channel: string; status: string; outcome: string | null; attempts: { at: number; status: number | null; error: string | null }[] }[];
}

function TelemetryChart({ hubId, applianceId, around }: { hubId: string; applianceId: string; around: number }) {
  const box = useRef<HTMLDivElement>(null);
  const [empty, setEmpty] = useState(false);
  useEffect(() => {
    let plot: uPlot | undefined;
    const from = around - 3_600_000;
    const to = Math.max(Date.now(), around + 600_000);
    void api<{ items: { at: number; metrics: Record<string, number | boolean> }[] }>('GET', `/api/v1/hubs/${encodeURIComponent(hubId)}/appliances/${encodeURIComponent(applianceId)}/telemetry?from=${from}&to=${to}`).then((r) => {
      const names = [...new Set(r.items.flatMap((p) => Object.entries(p.metrics).filter(([, v]) => typeof v === 'number').map(([k]) => k)))].slice(0, 4);
      setEmpty(r.items.length === 0);
      if (box.current === null || r.items.length === 0) return;
      const data: uPlot.AlignedData = [r.items.map((p) => p.at / 1000), ...names.map((n) => r.items.map((p) => (typeof p.metrics[n] === 'number' ? (p.metrics[n] as number) : null)))];
      const colors = ['#2563eb', '#dc2626', '#16a34a', '#9333ea'];
      // The hour before the fault to now, whatever the number of points.
      const scales = { x: { time: true, range: (): uPlot.Range.MinMax => [from / 1000, to / 1000] } };
      const series = [{}, ...names.map((n, i) => ({ label: n, stroke: colors[i] ?? '#333', points: { show: true } }))];
      plot = new uPlot({ width: Math.min(900, box.current.clientWidth || 600), height: 260, scales, series }, data, box.current);
    });
    return () => plot?.destroy();
  }, [hubId, applianceId, around]);
  return (
    <figure>
      <div ref={box} class="chart" role="img" aria-label={`Telemetry of ${applianceId} around the fault`} />
      {empty && <figcaption>No telemetry recorded around the fault.</figcaption>}
    </figure>
  );
}

export function TicketPage({ id }: { id: string }) {
  const [t, setT] = useState<TicketFull | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [assignee, setAssignee] = useState('');
  const [slot, setSlot] = useState('');
  const [reason, setReason] = useState('');
  const load = async (): Promise<void> => {
    try {
      setT(await api<TicketFull>('GET', `/api/v1/tickets/${encodeURIComponent(id)}`));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    void load();
    return liveEvents((type, data) => {
      if ((type === 'ticket' && data.ticketId === id) || type === 'reset') void load();
    });
  }, [id]);
  const move = async (to: string, patch: Record<string, unknown> = {}): Promise<void> => {
    try {
      await api('POST', `/api/v1/tickets/${encodeURIComponent(id)}/transition`, { to, ...patch });
      setError(null);
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  if (t === null) return <p>{error ?? 'Loading…'}</p>;
  const c = t.details.customer;
  const a = t.details.appliance;
  return (
    <section>
      <h1>
        {t.ticketId}: {t.title}
      </h1>
      <p class={`status sla-${t.sla.state}`}>
        Status <strong data-testid="ticket-status">{t.status}</strong> · SLA {t.sla.state}
        {t.assignee !== null && <> · assigned to {t.assignee}</>}
        {t.slotStart !== null && <> · visit {time(t.slotStart)}</>}
      </p>
      {error !== null && <p role="alert" class="error">{error}</p>}
      <div class="grid">
        <div class="card">
          <h2>Customer</h2>
          {c === null ? <p>No customer linked</p> : <p>{c.name}<br />{c.phone}<br />{c.address}</p>}
        </div>
        <div class="card">
          <h2>Appliance</h2>
          <p>
            {t.applianceId ?? t.hubId}
            <br />
            Model {a?.model ?? '—'} · serial {a?.serial ?? '—'}
            <br />
            Warranty {a?.inWarranty === null || a === null ? 'unknown' : a.inWarranty ? 'valid' : 'expired'}
          </p>
        </div>
        <div class="card">
          <h2>Fault</h2>
          <p>
            {t.details.fault.code ?? t.faultClass}: {t.details.fault.meaning}
            <br />
            Likely part: {t.details.fault.likelyPart ?? '—'} · {t.alarmCount} alarm(s)
          </p>
        </div>
      </div>
      <div class="actions card">
        <h2>Actions</h2>
        <label>
          Technician
          <input name="assignee" value={assignee} onInput={(e) => setAssignee(e.currentTarget.value)} />
        </label>
        <button onClick={() => void move('assigned', { assignee })} disabled={assignee === ''}>
          Assign
        </button>
        <label>
          Visit
          <input name="slot" type="datetime-local" value={slot} onInput={(e) => setSlot(e.currentTarget.value)} />
        </label>
        <button onClick={() => void move('scheduled', { slotStart: new Date(slot).getTime(), slotEnd: new Date(slot).getTime() + 2 * 3_600_000, promisedBy: new Date(slot).getTime() + 2 * 3_600_000 })} disabled={slot === ''}>
          Schedule
        </button>
        <button onClick={() => void move('resolved')}>Resolve</button>
        {/* Verified by telemetry: the repair held, so closing needs no reason. */}
        {t.status === 'verified' && <button onClick={() => void move('closed')}>Close</button>}
        <label>
          Reason
          <input name="reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <button onClick={() => void move('cancelled', { note: reason })} disabled={reason === ''}>
          Cancel
        </button>
      </div>
      {t.applianceId !== null && (
        <div class="card">
          <h2>Telemetry around the fault</h2>
          <TelemetryChart hubId={t.hubId} applianceId={t.applianceId} around={t.openedAt} />
        </div>
      )}
      <div class="grid">
        <div class="card">
          <h2>History</h2>
          <ul>
            {t.events.map((e, i) => (
              <li key={i}>
                {time(e.at)} · {e.by} · {e.type}
                {e.toStatus !== null && <> → {e.toStatus}</>} {e.note}
              </li>
            ))}
          </ul>
        </div>
        <div class="card">
          <h2>Alarm history</h2>
          <ul>
            {t.alarmHistory.map((h, i) => (
              <li key={i}>
                {time(h.at)} · {h.transition} (#{h.count})
              </li>
            ))}
          </ul>
        </div>
        <div class="card">
          <h2>Contacts</h2>
          <ul>
            {t.contacts.map((k) => (
              <li key={k.taskId}>
                {k.purpose} by {k.channel}: {k.status}
                {k.outcome !== null && <> · {k.outcome}</>} · {k.attempts.length} attempt(s)
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}
