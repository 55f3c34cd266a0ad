import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role, UserStore } from '../users/user-store.js';
import { problem, sendProblem } from './problem.js';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison of a presented bearer token with the expected one. */
export function tokenMatches(presented: string, expected: string): boolean {
  return expected !== '' && timingSafeEqual(digest(presented), digest(expected));
}

export function bearerOf(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (h !== undefined) return /^Bearer\s+(\S+)$/i.exec(h)?.[1];
  // EventSource cannot send headers: the event stream also takes the token as a query parameter.
  if ((request.url.split('?')[0] ?? '') === '/api/v1/events') {
    const t = new URL(request.url, 'http://x').searchParams.get('access_token');
    return t ?? undefined;
  }
  return undefined;
}

/** Paths that answer without a token: health for probes, metrics for Prometheus, docs, sign-in, the contact center's signed callbacks. */
const PUBLIC = [/^\/api\/v1\/health$/, /^\/metrics$/, /^\/docs(\/|$)/, /^\/api\/v1\/contact-center\/outcomes$/, /^\/api\/v1\/session$/];

export function isPublicPath(url: string): boolean {
  const path = url.split('?')[0] ?? url;
  return !path.startsWith('/api/') && path !== '/metrics' ? true : PUBLIC.some((re) => re.test(path));
}

const ALL: readonly Role[] = ['dispatcher', 'engineer', 'manager', 'admin'];

/** Who may do what; the first matching rule decides, reads default to every signed-in role. */
const POLICY: readonly { method: string; path: RegExp; roles: readonly Role[] }[] = [
  { method: 'POST', path: /^\/api\/v1\/rules\/(deploy|rollback)$/, roles: ['engineer', 'admin'] },
  { method: 'POST', path: /^\/api\/v1\/rules\//, roles: ['engineer', 'manager', 'admin'] },
  { method: '*', path: /^\/api\/v1\/users/, roles: ['admin'] },
  { method: 'POST', path: /^\/api\/v1\/hubs/, roles: ['admin'] },
  { method: 'DELETE', path: /^\/api\/v1\/hubs/, roles: ['admin'] },
  { method: '*', path: /^\/api\/v1\/mqtt-clients/, roles: ['admin'] },
  { method: '*', path: /^\/api\/v1\/(customers|appliances)/, roles: ['dispatcher', 'manager', 'admin'] },
  { method: 'POST', path: /^\/api\/v1\/(tickets|notifications|contacts)/, roles: ['dispatcher', 'manager', 'admin'] },
  { method: 'POST', path: /^\/api\/v1\/alarms/, roles: ['dispatcher', 'engineer', 'admin'] },
  { method: 'POST', path: /^\/api\/v1\/fleet/, roles: ['manager', 'admin'] },
  { method: '*', path: /^\/api\/v1\/context/, roles: ['dispatcher', 'manager', 'admin'] },
  { method: '*', path: /^\/api\/v1\//, roles: ALL },
];

export function allowed(role: Role, method: string, path: string): boolean {
  const rule = POLICY.find((p) => (p.method === '*' || p.method === method) && p.path.test(path));
  return rule === undefined ? role === 'admin' : rule.roles.includes(role);
}

const roles = new WeakMap<FastifyRequest, { role: Role; username: string }>();

export function whoIs(request: FastifyRequest): { role: Role; username: string } | undefined {
  return roles.get(request);
}

/** Bearer admin token (role admin) or a console session token (the user's role); 401 without, 403 beyond the role. */
export function apiAuth(adminToken: string, users: UserStore) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (isPublicPath(request.url)) return;
    const token = bearerOf(request);
    const path = request.url.split('?')[0] ?? request.url;
    let who: { role: Role; username: string } | undefined;
    if (token !== undefined && tokenMatches(token, adminToken)) who = { role: 'admin', username: 'admin-token' };
    else if (token !== undefined && token.startsWith('fcs_')) {
      const u = users.session(token);
      if (u !== undefined) who = { role: u.role, username: u.username };
    }
    if (who === undefined) {
      request.log.warn({ path }, 'api request without a valid token');
      await sendProblem(reply, problem('GW_ERR_UNAUTHORIZED', 'send Authorization: Bearer <admin token or session token> (sign in at POST /api/v1/session)', request.url));
      return;
    }
    if (!allowed(who.role, request.method, path)) {
      request.log.warn({ path, username: who.username, role: who.role }, 'api request beyond the role');
      await sendProblem(reply, problem('GW_ERR_FORBIDDEN', `a ${who.role} may not ${request.method} ${path}`, request.url));
      return;
    }
    roles.set(request, who);
  };
}
