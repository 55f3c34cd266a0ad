import { useEffect, useRef, useState } from 'preact/hooks';
import { api, liveEvents, type Role } from './api.js';
import { fmtTime, t, useLang } from './i18n.js';
import { can } from './roles.js';

export interface QueueRow {
  ticketId: string;
  status: string;
  severity: string;
  title: string;
  faultCode: string | null;
  faultClass: string;
  hubId: string;
  applianceId: string | null;
  model: string | null;
  customerName: string | null;
  region: string;
  assignee: string | null;
  openedAt: number;
  breached: boolean;
  urgent: boolean;
}
interface QueuePage { items: QueueRow[]; total: number; urgentTotal: number }
interface Filter { q: string; status: string; breached: boolean; safety: boolean; mine: boolean; sort: string }

const ACTIVE = 'open,assigned,scheduled,in_progress';
const DEFAULT: Filter = { q: '', status: ACTIVE, breached: false, safety: false, mine: false, sort: 'urgency' };
const PAGE = 50;
const SAVED = 'forecare.filters.';

function query(f: Filter, offset: number): string {
  const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset), sort: f.sort });
  if (f.q.trim() !== '') q.set('q', f.q.trim());
  if (f.status !== '') q.set('status', f.status);
  if (f.breached) q.set('breached', 'true');
  if (f.safety) q.set('safety', 'true');
  if (f.mine) q.set('mine', 'true');
  return q.toString();
}

/** Does a row (as the server returned it) still belong under this filter? For deltas, so a live change never needs the list again. */
function matches(r: QueueRow, f: Filter, me: string): boolean {
  if (f.status !== '' && !f.status.split(',').includes(r.status)) return false;
  if (f.breached && !r.breached) return false;
  if (f.safety && r.severity !== 'safety') return false;
  if (f.mine && r.assignee !== me) return false;
  const q = f.q.trim().toLowerCase();
  return q === '' || [r.title, r.ticketId, r.model, r.faultCode, r.faultClass, r.region, r.customerName].some((x) => x != null && x.toLowerCase().includes(q));
}

export function Queue({ role, username, initialQuery = '' }: { role: Role; username: string; initialQuery?: string }) {
  useLang();
  const [filter, setFilter] = useState<Filter>({ ...DEFAULT, q: initialQuery });
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<QueuePage | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [tech, setTech] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<Record<string, Filter>>(() => JSON.parse(localStorage.getItem(SAVED + username) ?? '{}') as Record<string, Filter>);
  const [name, setName] = useState('');
  const current = useRef({ filter, offset });
  current.current = { filter, offset };
  const worker = can(role, 'workTickets');

  const load = async (): Promise<void> => {
    try {
      setPage(await api<QueuePage>('GET', `/api/v1/tickets/queue?${query(filter, offset)}`));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  // Typing in the search box waits for a pause; other filters load at once.
  useEffect(() => {
    const timer = setTimeout(() => void load(), filter.q === '' ? 0 : 250);
    return () => clearTimeout(timer);
  }, [filter, offset]);

  // Live: the rows of the tickets that changed are fetched (events arriving together in one
  // request) and applied to the list as deltas; the list itself is never fetched again.
  useEffect(() => {
    const pending = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const apply = (rows: QueueRow[], missing: string[]): void =>
      setPage((p) => {
        if (p === null) return p;
        const { filter: f, offset: o } = current.current;
        let { items, total, urgentTotal } = p;
        for (const id of missing) {
          const gone = items.find((r) => r.ticketId === id);
          if (gone === undefined) continue;
          items = items.filter((r) => r !== gone);
          total--;
          if (gone.urgent) urgentTotal--;
        }
        for (const row of rows) {
          const at = items.findIndex((r) => r.ticketId === row.ticketId);
          const keep = matches(row, f, username);
          const was = at >= 0 ? items[at] : undefined;
          if (was !== undefined && keep) {
            items = items.map((r) => (r.ticketId === row.ticketId ? row : r));
            urgentTotal += Number(row.urgent) - Number(was.urgent);
          } else if (was !== undefined) {
            items = items.filter((r) => r.ticketId !== row.ticketId);
            total--;
            if (was.urgent) urgentTotal--;
          } else if (keep) {
            // A new match: counted, and shown on the first page (urgent ones first).
            if (o === 0) items = [row, ...items].sort((a, b) => Number(b.urgent) - Number(a.urgent)).slice(0, PAGE);
            total++;
            if (row.urgent) urgentTotal++;
          }
        }
        return { ...p, items, total, urgentTotal };
      });
    const flush = (): void => {
      timer = undefined;
      const ids = [...pending].slice(0, 100);
      ids.forEach((id) => pending.delete(id));
      if (pending.size > 0) timer = setTimeout(flush, 0);
      void api<{ items: QueueRow[]; missing: string[] }>('GET', `/api/v1/tickets/queue/rows?ids=${ids.map(encodeURIComponent).join(',')}`).then((r) => apply(r.items, r.missing), () => undefined);
    };
    return liveEvents((type, data) => {
      if (type === 'reset') return void load();
      if (type !== 'ticket' || typeof data.ticketId !== 'string') return;
      pending.add(data.ticketId);
      timer ??= setTimeout(flush, 150);
    });
  }, []);

  const set = (patch: Partial<Filter>): void => {
    setFilter({ ...filter, ...patch });
    setOffset(0);
  };
  const assign = async (ids: string[], assignee?: string): Promise<void> => {
    try {
      const r = await api<{ refused: { ticketId: string; detail: string }[] }>('POST', '/api/v1/tickets/assign', { ticketIds: ids, ...(assignee !== undefined ? { assignee } : {}) });
      setSelected(new Set());
      setError(r.refused.length === 0 ? null : r.refused.map((x) => `${x.ticketId}: ${x.detail}`).join('; '));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const save = (): void => {
    const next = { ...saved, [name]: filter };
    localStorage.setItem(SAVED + username, JSON.stringify(next));
    setSaved(next);
    setName('');
  };
  const pages = page === null ? 1 : Math.max(1, Math.ceil(page.total / PAGE));
  return (
    <section>
      <h1>{t('Dispatcher queue')}</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('Search')}
          <input type="search" value={filter.q} placeholder={t('title, model, fault, region, customer')} onInput={(e) => set({ q: e.currentTarget.value })} />
        </label>
        <label>
          {t('Status')}
          <select value={filter.status} onChange={(e) => set({ status: e.currentTarget.value })}>
            <option value={ACTIVE}>{t('active')}</option>
            <option value="open">open</option>
            <option value="assigned">assigned</option>
            <option value="scheduled">scheduled</option>
            <option value="in_progress">in_progress</option>
            <option value="resolved,verified,closed,cancelled">{t('done')}</option>
            <option value="">{t('all')}</option>
          </select>
        </label>
        <label>
          {t('Sort')}
          <select value={filter.sort} onChange={(e) => set({ sort: e.currentTarget.value })}>
            {['urgency', 'opened', 'updated', 'region', 'customer', 'assignee', 'model'].map((s) => (
              <option key={s} value={s}>
                {t(s)}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={filter.breached} onChange={(e) => set({ breached: e.currentTarget.checked })} /> {t('Breached only')}
        </label>
        <label class="check">
          <input type="checkbox" checked={filter.safety} onChange={(e) => set({ safety: e.currentTarget.checked })} /> {t('Safety only')}
        </label>
        <label class="check">
          <input type="checkbox" checked={filter.mine} onChange={(e) => set({ mine: e.currentTarget.checked })} /> {t('Mine only')}
        </label>
      </form>
      <div class="filters">
        {Object.keys(saved).length > 0 && <span>{t('Saved filters')}:</span>}
        {Object.entries(saved).map(([n, f]) => (
          <button key={n} class="link" onClick={() => (setFilter(f), setOffset(0))}>
            {n}
          </button>
        ))}
        <label>
          <span class="sr-only">{t('Filter name')}</span>
          <input value={name} placeholder={t('Filter name')} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button onClick={save} disabled={name.trim() === ''}>
          {t('Save filter')}
        </button>
      </div>
      {worker && (
        <div class="filters">
          <button onClick={() => void assign([...selected])} disabled={selected.size === 0}>
            {t('Assign to me')}
          </button>
          <label>
            {t('Technician')}
            <input value={tech} onInput={(e) => setTech(e.currentTarget.value)} />
          </label>
          <button onClick={() => void assign([...selected], tech)} disabled={selected.size === 0 || tech.trim() === ''}>
            {t('Assign selected')}
          </button>
        </div>
      )}
      {error !== null && <p role="alert" class="error">{error}</p>}
      {page !== null && (
        <p role="status" data-testid="queue-count">
          {t('{n} tickets, {u} urgent', { n: page.total, u: page.urgentTotal })}
        </p>
      )}
      <table class="tickets" aria-label={t('Tickets')}>
        <thead>
          <tr>
            {worker && <th><span class="sr-only">{t('Select {id}', { id: '' })}</span></th>}
            <th>{t('Ticket')}</th>
            <th>{t('Severity')}</th>
            <th>{t('What')}</th>
            <th>{t('Status')}</th>
            <th>{t('Assignee')}</th>
            <th>{t('Customer')}</th>
            <th>{t('Region')}</th>
            <th>{t('Appliance')}</th>
            <th>{t('Opened')}</th>
          </tr>
        </thead>
        <tbody>
          {page?.items.map((r) => (
            <tr key={r.ticketId} class={r.breached ? 'sla-breached' : r.urgent ? 'urgent' : ''} data-ticket={r.ticketId}>
              {worker && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={t('Select {id}', { id: r.ticketId })}
                    checked={selected.has(r.ticketId)}
                    onChange={(e) => {
                      const next = new Set(selected);
                      if (e.currentTarget.checked) next.add(r.ticketId);
                      else next.delete(r.ticketId);
                      setSelected(next);
                    }}
                  />
                </td>
              )}
              <td class="id">
                <a href={`#/ticket/${encodeURIComponent(r.ticketId)}`}>{r.ticketId}</a>
              </td>
              <td data-label={t('Severity')} class={`sev-${r.severity}`}>{r.severity}{r.breached && ' · SLA'}</td>
              <td data-label={t('What')}>{r.title}</td>
              <td data-label={t('Status')}>{r.status}</td>
              <td data-label={t('Assignee')} data-testid="assignee">{r.assignee ?? '—'}</td>
              <td data-label={t('Customer')}>{r.customerName ?? '—'}</td>
              <td data-label={t('Region')}>{r.region || '—'}</td>
              <td data-label={t('Appliance')}>
                {r.applianceId !== null ? <a href={`#/appliance/${encodeURIComponent(r.hubId)}/${encodeURIComponent(r.applianceId)}`}>{r.model ?? r.applianceId}</a> : r.hubId}
              </td>
              <td data-label={t('Opened')}>{fmtTime(r.openedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page !== null && page.items.length === 0 && <p>{t('No tickets match.')}</p>}
      {page !== null && pages > 1 && (
        <nav class="pager" aria-label={t('Page {p} of {n}', { p: offset / PAGE + 1, n: pages })}>
          <button onClick={() => setOffset(Math.max(0, offset - PAGE))} disabled={offset === 0}>
            {t('Previous')}
          </button>
          <span>{t('Page {p} of {n}', { p: offset / PAGE + 1, n: pages })}</span>
          <button onClick={() => setOffset(offset + PAGE)} disabled={offset + PAGE >= page.total}>
            {t('Next')}
          </button>
        </nav>
      )}
    </section>
  );
}
