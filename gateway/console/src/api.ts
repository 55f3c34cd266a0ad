/** The console's access to the gateway API: the session token from sign-in, problem bodies as errors. */
export interface Session {
  readonly token: string;
  readonly role: 'dispatcher' | 'engineer' | 'manager' | 'admin';
  readonly username: string;
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

const KEY = 'forecare.session';

export function currentSession(): Session | null {
  const raw = sessionStorage.getItem(KEY);
  return raw === null ? null : (JSON.parse(raw) as Session);
}

export function saveSession(s: Session | null): void {
  if (s === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify(s));
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const s = currentSession();
  const headers: Record<string, string> = {};
  if (s !== null) headers.authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  const json = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
  if (!res.ok) throw new ApiError(res.status, String(json.code ?? res.status), String(json.detail ?? json.title ?? res.statusText));
  return json as T;
}

/** Live changes as they commit (server-sent events); returns a function that stops listening. */
export function liveEvents(onEvent: (type: string, data: Record<string, unknown>) => void): () => void {
  const s = currentSession();
  if (s === null) return () => undefined;
  const source = new EventSource(`/api/v1/events?access_token=${encodeURIComponent(s.token)}`);
  // EventSource resumes by itself after a drop (Last-Event-ID); 'reset' says the gap was too long: load everything again.
  for (const type of ['alarm', 'ticket', 'contact', 'reset']) {
    source.addEventListener(type, (e) => onEvent(type, JSON.parse((e as MessageEvent<string>).data) as Record<string, unknown>));
  }
  return () => source.close();
}
