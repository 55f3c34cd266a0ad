import { render, type ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, currentSession, onSession, rememberWanted, saveSession, takeWanted, type Role, type Session } from './api.js';
import { applyPrefs, prefsOf, t, useLang, type Lang, type Theme } from './i18n.js';
import { can, type Capability } from './roles.js';
import { Queue } from './queue.js';
import { TicketPage } from './ticket.js';
import { AppliancePage } from './appliance.js';
import { AlarmConsole, Fleet } from './fleet.js';
import './style.css';

function useRoute(): string {
  const [route, setRoute] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const on = (): void => setRoute(location.hash.slice(1) || '/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** A page loaded on first visit: the rule editor (with its code editor), manager and admin pages stay out of a dispatcher's download. */
function lazy<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  return (props: P) => {
    // Wrapped: a component is a function, and useState would call a bare one as its initializer.
    const [C, setC] = useState<ComponentType<P> | null>(() => loaded);
    useEffect(() => {
      if (C === null) void load().then((c) => setC(() => (loaded = c)));
    }, []);
    return C === null ? <p>{t('Loading…')}</p> : <C {...props} />;
  };
}
const RuleEditor = lazy(() => import('./rules.js').then((m) => m.RuleEditor));
const SlaView = lazy(() => import('./sla.js').then((m) => m.SlaView));
const Forecasts = lazy(() => import('./forecasts.js').then((m) => m.Forecasts));
const Admin = lazy<{ page: string }>(() => import('./admin.js').then((m) => m.Admin));

interface MenuItem { path: string; label: string; need?: Capability }
const MENU: MenuItem[] = [
  { path: '/queue', label: 'Queue' },
  { path: '/alarms', label: 'Alarms' },
  { path: '/fleet', label: 'Fleet' },
  { path: '/sla', label: 'SLA', need: 'sla' },
  { path: '/forecasts', label: 'Forecasts', need: 'forecasts' },
  { path: '/rules', label: 'Rules', need: 'rules' },
  { path: '/admin/hubs', label: 'Admin', need: 'admin' },
];
const HOME: Record<Role, string> = { dispatcher: '/queue', engineer: '/rules', manager: '/sla', admin: '/queue' };

function SignIn({ expired }: { expired: boolean }) {
  useLang();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void (document.title = `${t('Sign in')} · forecare`), []);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (username === '' || password === '') return setError(t('Enter your user name and password.'));
    try {
      const s = await api<Session>('POST', '/api/v1/session', { username, password });
      applyPrefs(s.username, prefsOf(s.username));
      const wanted = takeWanted();
      saveSession(s);
      location.hash = wanted ?? HOME[s.role];
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <main id="main" class="signin-page">
      <form class="card signin" onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <h1 id="signin-title">forecare</h1>
        {expired && <p role="status">{t('Your session has ended: sign in again.')}</p>}
        <label>
          {t('User name')}
          <input name="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label>
          {t('Password')}
          <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error !== null && <p role="alert" class="error">{error}</p>}
        <button type="submit">{t('Sign in')}</button>
      </form>
    </main>
  );
}

function Page({ route, session }: { route: string; session: Session }) {
  const role = session.role;
  if (route.startsWith('/ticket/')) {
    const id = decodeURIComponent(route.slice(8));
    // Keyed by the id: another ticket is a new page, never the previous one's state under a new address.
    return <TicketPage key={id} id={id} role={role} />;
  }
  if (route.startsWith('/appliance/')) {
    const [hubId = '', applianceId = ''] = route.slice(11).split('/').map(decodeURIComponent);
    return <AppliancePage key={route} hubId={hubId} applianceId={applianceId} role={role} />;
  }
  const item = MENU.find((m) => route === m.path || (m.path.startsWith('/admin') && route.startsWith('/admin')));
  if (item?.need !== undefined && !can(role, item.need)) return <p role="alert">{t('This page is not for your role.')}</p>;
  if (route === '/alarms') return <AlarmConsole role={role} />;
  if (route === '/fleet') return <Fleet role={role} />;
  if (route === '/sla') return <SlaView />;
  if (route === '/forecasts') return <Forecasts />;
  if (route === '/rules') return <RuleEditor role={role} />;
  if (route.startsWith('/admin')) return <Admin page={route.slice(7) || 'hubs'} />;
  // '#/queue?q=RF-500': a link (a fleet red light, say) can open the queue already filtered.
  const q = route.startsWith('/queue?') ? (new URLSearchParams(route.slice(7)).get('q') ?? '') : '';
  return <Queue key={q} role={role} username={session.username} initialQuery={q} />;
}

function App() {
  const [session, setSession] = useState<Session | null>(currentSession());
  const [expired, setExpired] = useState(false);
  const route = useRoute();
  const lang = useLang();
  useEffect(
    () =>
      onSession((s) => {
        setExpired(s === null && session !== null);
        setSession(s);
        if (s !== null) applyPrefs(s.username, prefsOf(s.username));
      }),
    [session],
  );
  if (session === null) {
    rememberWanted(location.hash);
    return <SignIn expired={expired} />;
  }
  const prefs = prefsOf(session.username);
  const setPrefs = (p: { lang: Lang; theme: Theme }): void => applyPrefs(session.username, p);
  const signOut = async (): Promise<void> => {
    await api('DELETE', '/api/v1/session').catch(() => undefined);
    saveSession(null);
    location.hash = '/';
  };
  const menu = MENU.filter((m) => m.need === undefined || can(session.role, m.need));
  const current = menu.find((m) => route.startsWith(m.path.split('/').slice(0, 2).join('/')));
  document.title = `${current !== undefined ? t(current.label) : route.startsWith('/ticket/') ? t('Ticket') : t('Queue')} · forecare`;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('Skip to content')}
      </a>
      <header>
        <strong>forecare</strong>
        <nav aria-label={t('Main')}>
          {menu.map((m) => (
            <a key={m.path} href={`#${m.path}`} aria-current={m === current ? 'page' : undefined}>
              {t(m.label)}
            </a>
          ))}
        </nav>
        <span class="who">
          <label class="inline">
            <span class="sr-only">{t('Language')}</span>
            <select value={lang} onChange={(e) => setPrefs({ ...prefs, lang: e.currentTarget.value as Lang })}>
              <option value="en">English</option>
              <option value="zh">中文</option>
            </select>
          </label>
          <label class="inline">
            <span class="sr-only">{t('Theme')}</span>
            <select value={prefs.theme} onChange={(e) => setPrefs({ ...prefs, theme: e.currentTarget.value as Theme })}>
              <option value="light">{t('light')}</option>
              <option value="dark">{t('dark')}</option>
            </select>
          </label>
          <span>
            {session.username} ({session.role})
          </span>
          <button onClick={() => void signOut()}>{t('Sign out')}</button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} session={session} />
      </main>
    </>
  );
}

const first = currentSession();
applyPrefs(first?.username ?? null, first !== null ? prefsOf(first.username) : { lang: navigator.language.startsWith('zh') ? 'zh' : 'en', theme: matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light' });
const root = document.getElementById('app');
if (root !== null) render(<App />, root);
