import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, currentSession, saveSession, type Session } from './api.js';
import { Queue, TicketPage } from './dispatch.js';
import { RuleEditor } from './rules.js';
import { Fleet } from './fleet.js';
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

const HOME: Record<Session['role'], string> = { dispatcher: '/queue', engineer: '/rules', manager: '/fleet', admin: '/queue' };

function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    try {
      const s = await api<Session>('POST', '/api/v1/session', { username, password });
      saveSession(s);
      onSignedIn(s);
      location.hash = HOME[s.role];
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="card signin" onSubmit={(e) => void submit(e)}>
      <h1>forecare</h1>
      <label>
        User name
        <input name="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
      </label>
      <label>
        Password
        <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      {error !== null && <p role="alert" class="error">{error}</p>}
      <button type="submit">Sign in</button>
    </form>
  );
}

function App() {
  const [session, setSession] = useState<Session | null>(currentSession());
  const route = useRoute();
  if (session === null) return <SignIn onSignedIn={setSession} />;
  const signOut = async (): Promise<void> => {
    await api('DELETE', '/api/v1/session').catch(() => undefined);
    saveSession(null);
    setSession(null);
    location.hash = '/';
  };
  const page = route.startsWith('/ticket/') ? (
    <TicketPage id={decodeURIComponent(route.slice(8))} />
  ) : route === '/rules' ? (
    <RuleEditor />
  ) : route === '/fleet' ? (
    <Fleet />
  ) : (
    <Queue />
  );
  return (
    <>
      <header>
        <strong>forecare</strong>
        <nav aria-label="Main">
          <a href="#/queue">Queue</a>
          <a href="#/rules">Rules</a>
          <a href="#/fleet">Fleet</a>
        </nav>
        <span class="who">
          {session.username} ({session.role}) <button onClick={() => void signOut()}>Sign out</button>
        </span>
      </header>
      <main>{page}</main>
    </>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
