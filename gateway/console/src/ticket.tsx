import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, liveEvents, type Role } from './api.js';
import { fmtTime, t, useLang } from './i18n.js';
import { can } from './roles.js';
import { TelemetryChart } from './chart.js';
import { VisitPicker } from './visit-picker.js';

interface TicketFull {
  ticketId: string;
  status: string;
  severity: string;
  title: string;
  hubId: string;
  applianceId: string | null;
  faultClass: string;
  assignee: string | null;
  slotStart: number | null;
  slotEnd: number | null;
  openedAt: number;
  alarmCount: number;
  sla: { state: string; reason: string | null };
  actions: string[];
  resolutionCodes: string[];
  details: {
    customer: { customerId: string; name: string; phone: string; address: string; timeZone?: string } | null;
    appliance: { type: string; model: string | null; serial: string | null; inWarranty: boolean | null } | null;
    fault: { code: string | null; meaning: string; likelyPart: string | null };
  };
  events: { at: number; by: string; type: string; toStatus: string | null; note: string | null }[];
  alarmHistory: { transition: string; at: number; count: number }[];
  contacts: { taskId: string; purpose: string; channel: string; status: string; outcome: string | null; outcomeAt: number | null; createdAt: number; lastError: string | null; payload: { reason?: string; suppressed?: string } | null; attempts: { at: number; status: number | null; error: string | null }[] }[];
}

type State = { kind: 'loading' } | { kind: 'missing' } | { kind: 'error'; message: string } | { kind: 'ok'; t: TicketFull };

export function TicketPage({ id, role }: { id: string; role: Role }) {
  useLang();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState<Record<string, string>>({});
  // The chart's window ends when the page opened: a fixed range, so re-renders do not refetch it.
  const [openedNow] = useState(() => Date.now());
  const field = (k: string) => ({ value: form[k] ?? '', onInput: (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => setForm({ ...form, [k]: e.currentTarget.value }) });
  const load = async (): Promise<void> => {
    try {
      setState({ kind: 'ok', t: await api<TicketFull>('GET', `/api/v1/tickets/${encodeURIComponent(id)}`) });
    } catch (err) {
      setState(err instanceof ApiError && err.status === 404 ? { kind: 'missing' } : { kind: 'error', message: (err as Error).message });
    }
  };
  useEffect(() => {
    void load();
    return liveEvents((type, data) => {
      if ((type === 'ticket' && data.ticketId === id) || type === 'reset') void load();
    });
  }, [id]);
  const run = async (method: string, path: string, body: unknown): Promise<void> => {
    try {
      await api(method, `/api/v1/tickets/${encodeURIComponent(id)}${path}`, body);
      setError(null);
      setForm({});
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const act = (action: string, body: Record<string, unknown> = {}): Promise<void> => run('POST', `/actions/${action}`, body);

  if (state.kind === 'loading') return <p>{t('Loading…')}</p>;
  if (state.kind === 'missing')
    return (
      <section>
        <h1>{t('Ticket {id} not found', { id })}</h1>
        <p>
          <a href="#/queue">{t('Back to the queue')}</a>
        </p>
      </section>
    );
  if (state.kind === 'error') return <p role="alert" class="error">{state.message}</p>;
  const tk = state.t;
  const c = tk.details.customer;
  const a = tk.details.appliance;
  const has = (x: string): boolean => tk.actions.includes(x);
  const worker = can(role, 'workTickets');
  return (
    <section>
      <h1>
        <span class="id">{tk.ticketId}</span> {tk.title}
      </h1>
      <p class={`status sla-${tk.sla.state}`}>
        {t('Status')} <strong data-testid="ticket-status">{tk.status}</strong> · SLA {tk.sla.state}
        {tk.sla.reason !== null && ` (${tk.sla.reason})`}
        {tk.assignee !== null && <> · {t('Assignee')}: {tk.assignee}</>}
        {tk.slotStart !== null && <> · {t('Visit date')} {fmtTime(tk.slotStart, c?.timeZone)}</>}
      </p>
      {error !== null && <p role="alert" class="error">{error}</p>}
      <div class="grid">
        <div class="card">
          <h2>{t('Customer')}</h2>
          {c === null ? (
            <p>{t('No customer linked')}</p>
          ) : (
            <p>
              {c.name}
              <br />
              <a href={`tel:${c.phone.replace(/[^\d+]/g, '')}`}>
                {t('Call')} {c.phone}
              </a>
              <br />
              {c.address}
            </p>
          )}
          {worker && (
            <form class="filters" onSubmit={(e) => (e.preventDefault(), void run('PUT', '/customer', { customerId: form.customerId }))}>
              <label>
                {t('Customer id')}
                <input {...field('customerId')} />
              </label>
              <button type="submit" disabled={(form.customerId ?? '') === ''}>
                {t('Link customer')}
              </button>
            </form>
          )}
        </div>
        <div class="card">
          <h2>{t('Appliance')}</h2>
          <p>
            {tk.applianceId !== null ? <a href={`#/appliance/${encodeURIComponent(tk.hubId)}/${encodeURIComponent(tk.applianceId)}`}>{tk.applianceId}</a> : tk.hubId}
            <br />
            {t('Model')} <span data-testid="appliance-model">{a?.model ?? '—'}</span> · {t('Serial')} {a?.serial ?? '—'}
            <br />
            {t('Warranty')} {a === null || a.inWarranty === null ? t('unknown') : a.inWarranty ? t('valid') : t('expired')}
          </p>
          {worker && tk.applianceId !== null && (
            <form class="filters" onSubmit={(e) => (e.preventDefault(), void run('PUT', '/appliance', Object.fromEntries(Object.entries({ model: form.model, serial: form.serial }).filter(([, v]) => v !== undefined && v !== ''))))}>
              <label>
                {t('Model')}
                <input {...field('model')} />
              </label>
              <label>
                {t('Serial')}
                <input {...field('serial')} />
              </label>
              <button type="submit" disabled={(form.model ?? '') === '' && (form.serial ?? '') === ''}>
                {t('Save appliance')}
              </button>
            </form>
          )}
        </div>
        <div class="card">
          <h2>{t('Fault')}</h2>
          <p>
            {tk.details.fault.code ?? tk.faultClass}: {tk.details.fault.meaning}
            <br />
            {t('Likely part')}: {tk.details.fault.likelyPart ?? '—'} · {tk.alarmCount} ×
          </p>
        </div>
      </div>
      {worker && (
        <div class="actions card">
          <h2>{t('Actions')}</h2>
          {tk.actions.length === 0 && <p>{t('No actions for you in this state.')}</p>}
          {has('assign') && (
            <div class="filters">
              <button onClick={() => void act('assign')}>{t('Assign to me')}</button>
              <label>
                {t('Technician')}
                <input name="assignee" {...field('assignee')} />
              </label>
              <button onClick={() => void act('assign', { assignee: form.assignee })} disabled={(form.assignee ?? '') === ''}>
                {t('Assign')}
              </button>
            </div>
          )}
          {has('schedule') && (
            <div class="filters">
              <VisitPicker timeZone={c?.timeZone ?? 'UTC'} value={{ date: form.date, from: form.from, to: form.to }} onChange={(v) => setForm({ ...form, ...v })} />
              <span class="hint">{t("in the customer's time zone ({tz})", { tz: c?.timeZone ?? 'UTC' })}</span>
              <button onClick={() => void act('schedule', { visit: { date: form.date, from: form.from, to: form.to } })} disabled={!form.date || !form.from || !form.to}>
                {t('Schedule')}
              </button>
            </div>
          )}
          <div class="filters">
            {has('start') && <button onClick={() => void act('start')}>{t('Start work')}</button>}
            {has('close') && <button onClick={() => void act('close')}>{t('Close')}</button>}
          </div>
          {has('resolve') && (
            <div class="filters">
              <label>
                {t('Resolution code')}
                <select {...field('code')}>
                  <option value="">—</option>
                  {tk.resolutionCodes.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {t('Note')}
                <input {...field('note')} />
              </label>
              <button onClick={() => void act('resolve', { resolutionCode: form.code, ...(form.note ? { note: form.note } : {}) })} disabled={!form.code}>
                {t('Resolve')}
              </button>
            </div>
          )}
          {(has('cancel') || has('reopen')) && (
            <div class="filters">
              <label>
                {t('Reason')}
                <input name="reason" {...field('reason')} />
              </label>
              {has('reopen') && <button onClick={() => void act('reopen', form.reason ? { note: form.reason } : {})}>{t('Reopen')}</button>}
              {has('cancel') && (
                <button onClick={() => void act('cancel', { note: form.reason })} disabled={!form.reason}>
                  {t('Cancel')}
                </button>
              )}
            </div>
          )}
        </div>
      )}
      {tk.applianceId !== null && (
        <div class="card">
          <h2>{t('Telemetry')}</h2>
          <TelemetryChart hubId={tk.hubId} applianceId={tk.applianceId} from={tk.openedAt - 3_600_000} to={Math.max(openedNow, tk.openedAt + 600_000)} />
        </div>
      )}
      <div class="grid">
        <div class="card">
          <h2>{t('History')}</h2>
          <ul>
            {tk.events.map((e, i) => (
              <li key={i}>
                {fmtTime(e.at)} · {e.by} · {e.type}
                {e.toStatus !== null && <> → {e.toStatus}</>} {e.note}
              </li>
            ))}
          </ul>
        </div>
        <div class="card">
          <h2>{t('Alarm history')}</h2>
          <ul>
            {tk.alarmHistory.map((h, i) => (
              <li key={i}>
                {fmtTime(h.at)} · {h.transition} (#{h.count})
              </li>
            ))}
          </ul>
        </div>
        <div class="card">
          <h2>{t('Contact history')}</h2>
          <ul>
            {tk.contacts.map((k) => (
              <li key={k.taskId}>
                {fmtTime(k.createdAt)} · {k.purpose} · {k.channel}: {k.status}
                {k.status === 'suppressed' && k.lastError !== null && <> ({k.lastError})</>}
                {k.outcome !== null && <> · {k.outcome} {fmtTime(k.outcomeAt)}</>} · {t('Attempts')} {k.attempts.length}
                {k.attempts.at(-1)?.error != null && <> · {k.attempts.at(-1)?.error}</>}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}
