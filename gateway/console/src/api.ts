/** The console's access to the gateway API: one session for every tab, problem bodies as errors, 401 back to sign-in. */
export type Role = 'dispatcher' | 'engineer' | 'manager' | 'admin';
export interface Session {
  readonly token: string;
  readonly role: Role;
  readonly username: string;
  readonly expiresAt?: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// localStorage, not sessionStorage: a second tab and a reload keep the session; the 'storage' event tells the other tabs.
const KEY = 'forecare.session';
const WANTED = 'forecare.wanted';
const listeners = new Set<(s: Session | null) => void>();

export function currentSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    const s = raw === null ? null : (JSON.parse(raw) as Session);
    return s !== null && typeof s.token === 'string' && (s.expiresAt === undefined || s.expiresAt > Date.now()) ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  if (s === null) localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, JSON.stringify(s));
  for (const l of listeners) l(s);
}

/** Called when this or another tab signs in or out (or a session expires). */
export function onSession(l: (s: Session | null) => void): () => void {
  listeners.add(l);
  const storage = (e: StorageEvent): void => {
    if (e.key === KEY || e.key === null) l(currentSession());
  };
  addEventListener('storage', storage);
  return () => {
    listeners.delete(l);
    removeEventListener('storage', storage);
  };
}

/** The page to return to after sign-in (a deep link, or where the session expired). */
export function rememberWanted(hash: string): void {
  if (hash !== '' && hash !== '#/' && hash !== '#') sessionStorage.setItem(WANTED, hash);
}
export function takeWanted(): string | null {
  const w = sessionStorage.getItem(WANTED);
  sessionStorage.removeItem(WANTED);
  return w;
}

/** A JSON request with the session token; a problem body becomes an ApiError with its detail. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const s = currentSession();
  const headers: Record<string, string> = {};
  if (s !== null) headers.authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
  } catch {
    json = { detail: res.statusText };
  }
  if (res.status === 401 && s !== null) {
    // The session ended (expired, signed out elsewhere, revoked): back to sign-in, then back here.
    rememberWanted(location.hash);
    saveSession(null);
  }
  if (!res.ok) throw new ApiError(res.status, String(json.code ?? res.status), String(json.detail ?? json.title ?? res.statusText));
  return json as T;
}

type Listener = (type: string, data: Record<string, unknown>) => void;
const live = new Set<Listener>();
let source: EventSource | null = null;
let sourceToken = '';

/**
 * Live changes as they commit (server-sent events), one stream per tab shared by every view;
 * returns a function that stops listening. Views apply each event as a delta.
 */
export function liveEvents(onEvent: Listener): () => void {
  const s = currentSession();
  if (s === null) return () => undefined;
  live.add(onEvent);
  if (source === null || sourceToken !== s.token) {
    source?.close();
    sourceToken = s.token;
    source = new EventSource(`/api/v1/events?access_token=${encodeURIComponent(s.token)}`);
    // EventSource resumes by itself after a drop (Last-Event-ID); 'reset' says the gap was too long: views load again.
    for (const type of ['alarm', 'ticket', 'contact', 'rules', 'reset']) {
      source.addEventListener(type, (e) => {
        const data = JSON.parse((e as MessageEvent<string>).data) as Record<string, unknown>;
        for (const l of live) l(type, data);
      });
    }
  }
  return () => {
    live.delete(onEvent);
    if (live.size === 0) {
      source?.close();
      source = null;
    }
  };
}
