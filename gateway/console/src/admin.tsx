import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { fmtTime, t, useLang } from './i18n.js';

const PAGES = [
  { path: 'hubs', label: 'Hubs' },
  { path: 'mqtt', label: 'MQTT accounts' },
  { path: 'users', label: 'Users' },
  { path: 'dead-letters', label: 'Dead letters' },
  { path: 'contacts', label: 'Contacts' },
];

/** Loads a list and reloads it after each change made on the page. */
function useList<T>(path: string): [T[] | null, () => void, string | null, (fn: () => Promise<unknown>) => Promise<void>] {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = (): void => void api<{ items: T[] }>('GET', path).then((r) => setItems(r.items), (err: Error) => setError(err.message));
  useEffect(load, [path]);
  const run = async (fn: () => Promise<unknown>): Promise<void> => {
    try {
      setError(null);
      await fn();
    } catch (err) {
      setError((err as Error).message);
    }
    load();
  };
  return [items, load, error, run];
}

/** A password the gateway returns once: shown until the page is left, never stored by the console. */
function Secret({ who, password }: { who: string; password: string }) {
  return (
    <p role="status" class="card secret">
      {t('Password (shown once)')} · {who}: <code data-testid="secret">{password}</code>
    </p>
  );
}

function Hubs() {
  const [items, , error, run] = useList<{ hubId: string; customerId: string | null; connected: boolean; revokedAt: number | null; lastSeenAt: number | null }>('/api/v1/hubs');
  const [hubId, setHubId] = useState('');
  const [secret, setSecret] = useState<{ who: string; password: string } | null>(null);
  const issue = (path: string, body: unknown, who: string): Promise<void> => run(async () => setSecret({ who, password: (await api<{ password: string }>('POST', path, body)).password }));
  return (
    <>
      {error !== null && <p role="alert" class="error">{error}</p>}
      {secret !== null && <Secret {...secret} />}
      <form class="filters" onSubmit={(e) => (e.preventDefault(), void issue('/api/v1/hubs', hubId === '' ? {} : { hubId }, hubId || 'new hub'))}>
        <label>
          {t('Hub id')}
          <input value={hubId} onInput={(e) => setHubId(e.currentTarget.value)} />
        </label>
        <button type="submit">{t('Provision')}</button>
      </form>
      <table aria-label={t('Hubs')}>
        <tbody>
          {items?.map((h) => (
            <tr key={h.hubId}>
              <th scope="row">{h.hubId}</th>
              <td>{h.revokedAt !== null ? t('Revoke') : h.connected ? t('Connected') : t('Offline')}</td>
              <td>{fmtTime(h.lastSeenAt)}</td>
              <td>
                {h.revokedAt === null && (
                  <>
                    <button onClick={() => void issue(`/api/v1/hubs/${encodeURIComponent(h.hubId)}/rotate`, {}, h.hubId)}>{t('Rotate')}</button>{' '}
                    <button onClick={() => confirm(`${t('Revoke')} ${h.hubId}?`) && void run(() => api('DELETE', `/api/v1/hubs/${encodeURIComponent(h.hubId)}`))}>{t('Revoke')}</button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Mqtt() {
  const [items, , error, run] = useList<{ name: string; role: string; connected: boolean }>('/api/v1/mqtt-clients');
  const [name, setName] = useState('');
  const [role, setRole] = useState('service');
  const [secret, setSecret] = useState<{ who: string; password: string } | null>(null);
  const issue = (path: string, body: unknown, who: string): Promise<void> => run(async () => setSecret({ who, password: (await api<{ password: string }>('POST', path, body)).password }));
  return (
    <>
      {error !== null && <p role="alert" class="error">{error}</p>}
      {secret !== null && <Secret {...secret} />}
      <form class="filters" onSubmit={(e) => (e.preventDefault(), void issue('/api/v1/mqtt-clients', { name, role }, name))}>
        <label>
          {t('Account name')}
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {t('Role')}
          <select value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            <option>service</option>
            <option>admin</option>
          </select>
        </label>
        <button type="submit" disabled={name === ''}>{t('Add')}</button>
      </form>
      <table aria-label={t('MQTT accounts')}>
        <tbody>
          {items?.map((c) => (
            <tr key={c.name}>
              <th scope="row">{c.name}</th>
              <td>{c.role}</td>
              <td>{c.connected ? t('Connected') : t('Offline')}</td>
              <td>
                <button onClick={() => void issue(`/api/v1/mqtt-clients/${encodeURIComponent(c.name)}/rotate`, {}, c.name)}>{t('Rotate')}</button>{' '}
                <button onClick={() => confirm(`${t('Revoke')} ${c.name}?`) && void run(() => api('DELETE', `/api/v1/mqtt-clients/${encodeURIComponent(c.name)}`))}>{t('Revoke')}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Users() {
  const [items, , error, run] = useList<{ username: string; role: string; createdAt: number; disabledAt: number | null }>('/api/v1/users');
  const [name, setName] = useState('');
  const [role, setRole] = useState('dispatcher');
  const [secret, setSecret] = useState<{ who: string; password: string } | null>(null);
  const roles = ['dispatcher', 'engineer', 'manager', 'admin'];
  return (
    <>
      {error !== null && <p role="alert" class="error">{error}</p>}
      {secret !== null && <Secret {...secret} />}
      <form class="filters" onSubmit={(e) => (e.preventDefault(), void run(async () => setSecret({ who: name, password: (await api<{ password: string }>('POST', '/api/v1/users', { username: name, role })).password })))}>
        <label>
          {t('User name')}
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {t('Role')}
          <select value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            {roles.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={name.length < 2}>{t('Add')}</button>
      </form>
      <table aria-label={t('Users')}>
        <tbody>
          {items?.map((u) => (
            <tr key={u.username}>
              <th scope="row">{u.username}</th>
              <td>
                <label>
                  <span class="sr-only">{t('Role')} {u.username}</span>
                  <select value={u.role} onChange={(e) => void run(() => api('PATCH', `/api/v1/users/${encodeURIComponent(u.username)}`, { role: e.currentTarget.value }))}>
                    {roles.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </label>
              </td>
              <td>{fmtTime(u.createdAt)}</td>
              <td>{u.disabledAt !== null ? t('Disabled') : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function DeadLetters() {
  const [items, , error] = useList<{ id: number; receivedAt: number; hubId: string | null; topic: string; reason: string; errors: unknown; payload: string | null }>('/api/v1/dead-letters?limit=200');
  return (
    <>
      {error !== null && <p role="alert" class="error">{error}</p>}
      <table aria-label={t('Dead letters')}>
        <thead>
          <tr>
            <th scope="col">{t('Received')}</th>
            <th scope="col">{t('Topic')}</th>
            <th scope="col">{t('Reason')}</th>
            <th scope="col">{t('Payload')}</th>
          </tr>
        </thead>
        <tbody>
          {items?.map((d) => (
            <tr key={d.id}>
              <td>{fmtTime(d.receivedAt)}</td>
              <td class="id">{d.topic}</td>
              <td>
                {d.reason}
                <br />
                <small>{JSON.stringify(d.errors)}</small>
              </td>
              <td>
                <details>
                  <summary>{t('Payload')}</summary>
                  <pre>{d.payload ?? '—'}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Contacts() {
  const [items, , error, run] = useList<{ taskId: string; purpose: string; status: string; channel: string; ticketId: string | null; outcome: string | null; lastError: string | null; createdAt: number; attempts: number }>('/api/v1/contacts?limit=200');
  return (
    <>
      {error !== null && <p role="alert" class="error">{error}</p>}
      <table aria-label={t('Contacts')}>
        <thead>
          <tr>
            <th scope="col">{t('Created')}</th>
            <th scope="col">{t('Purpose')}</th>
            <th scope="col">{t('Status')}</th>
            <th scope="col">{t('Reason')}</th>
            <th scope="col">{t('Actions')}</th>
          </tr>
        </thead>
        <tbody>
          {items?.map((c) => (
            <tr key={c.taskId}>
              <td>{fmtTime(c.createdAt)}</td>
              <td>
                {c.purpose} · {c.channel}
                {c.ticketId !== null && (
                  <>
                    {' '}
                    · <a href={`#/ticket/${encodeURIComponent(c.ticketId)}`}>{c.ticketId}</a>
                  </>
                )}
              </td>
              <td>
                {c.status}
                {c.outcome !== null && ` · ${c.outcome}`} · {t('Attempts')} {c.attempts}
              </td>
              <td>{c.lastError ?? ''}</td>
              <td>{(c.status === 'dead' || c.status === 'delivered') && <button onClick={() => void run(() => api('POST', `/api/v1/contacts/${encodeURIComponent(c.taskId)}/replay`, {}))}>{t('Replay')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function Admin({ page }: { page: string }) {
  useLang();
  const current = PAGES.find((p) => p.path === page) ?? PAGES[0];
  return (
    <section>
      <h1>
        {t('Admin')} · {t(current?.label ?? '')}
      </h1>
      <nav class="tabs" aria-label={t('Admin')}>
        {PAGES.map((p) => (
          <a key={p.path} href={`#/admin/${p.path}`} aria-current={p === current ? 'page' : undefined}>
            {t(p.label)}
          </a>
        ))}
      </nav>
      {page === 'mqtt' ? <Mqtt /> : page === 'users' ? <Users /> : page === 'dead-letters' ? <DeadLetters /> : page === 'contacts' ? <Contacts /> : <Hubs />}
    </section>
  );
}
