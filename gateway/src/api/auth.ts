import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { ROLES, type Role, type UserStore } from '../users/user-store.js';
import { problem, sendProblem } from './problem.js';

/**
 * Who may call a route, declared in the route's own `config.access`. Authorization is decided on
 * the route the router matched, never on the URL string: `/%61pi/v1/users` is `/api/v1/users`
 * to the router, so a check that reads the raw URL can be walked around by encoding it.
 * - `'public'`: answers without a token (health, metrics, docs, sign-in, signed callbacks).
 * - a list of roles: a valid admin token (role admin) or console session whose role is listed.
 * A route that declares nothing is refused at registration, and at run time anything without a
 * declaration (an unmatched path included) needs a valid token.
 */
export type Access = 'public' | readonly Role[];

export interface Caller {
  readonly role: Role;
  readonly username: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** EventSource cannot send headers: such a route also takes the token as `?access_token=`. */
    queryToken?: boolean;
  }
  interface FastifyRequest {
    /** The signed-in caller, set by the access check (undefined on public routes). */
    caller: Caller | undefined;
    /** The body's exact text, kept only where a signature is checked over it (the contact-center callback). */
    rawBody: string | undefined;
  }
}

export const EVERYONE: readonly Role[] = ROLES;
/** Route config fragments: `config: allow('admin')`, `config: PUBLIC`. */
export const PUBLIC = { access: 'public' } as const;
export const allow = (...roles: Role[]): { access: readonly Role[] } => ({ access: roles });
export const SIGNED_IN = { access: EVERYONE } as const;

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
  if (request.routeOptions.config.queryToken === true) {
    const q = request.query as Record<string, unknown> | undefined;
    const t = q?.access_token;
    return typeof t === 'string' ? t : undefined;
  }
  return undefined;
}

/** The declared access of every route, checked when the route is added: an undeclared route is a startup error, not an open door. */
export function requireDeclaredAccess(route: RouteOptions): void {
  const access = route.config?.access;
  if (access === 'public') return;
  if (!Array.isArray(access) || access.length === 0 || !access.every((r) => (ROLES as readonly string[]).includes(r))) {
    throw new Error(`route ${String(route.method)} ${route.url} declares no access (config.access: 'public' or a list of roles)`);
  }
}

/**
 * Every operation we write has an operationId (what generated clients name it) and a summary
 * (what the documentation lists): a route without them stops the start, as one without access does.
 * Routes hidden from the document (the documentation's own, the console's files) are not operations.
 */
export function requireDocumented(route: RouteOptions): void {
  const schema = (route.schema ?? {}) as { hide?: boolean; operationId?: unknown; summary?: unknown };
  if (schema.hide === true) return;
  if (typeof schema.operationId !== 'string' || typeof schema.summary !== 'string' || schema.summary === '') {
    throw new Error(`route ${String(route.method)} ${route.url} has no operationId or no summary in its schema`);
  }
}

/** Marks every route registered in this (encapsulated) context public: for plugins whose routes we do not write (docs, static console files). */
export function markRoutesPublic(instance: FastifyInstance): void {
  instance.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), access: 'public' };
  });
}

/** The OpenAPI view of a route's access (swagger's `transform`): no security on public routes, the roles as `x-roles` on the rest. */
export function documentAccess({ schema, url, route }: { schema: unknown; url: string; route: RouteOptions }): { schema: Record<string, unknown>; url: string } {
  const access = route.config?.access;
  const s = { ...((schema ?? {}) as Record<string, unknown>) };
  if (access === 'public') s.security = [];
  else if (access !== undefined) s['x-roles'] = [...access];
  return { schema: s, url };
}

/** Bearer admin token (role admin) or a console session token (the user's role); 401 without, 403 beyond the role. */
export function apiAuth(adminToken: string, users: UserStore) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const access = request.routeOptions.config.access;
    if (access === 'public') return;
    const token = bearerOf(request);
    let who: Caller | undefined;
    if (token !== undefined && tokenMatches(token, adminToken)) who = { role: 'admin', username: 'admin-token' };
    else if (token !== undefined && token.startsWith('fcs_')) {
      const u = users.session(token);
      if (u !== undefined) who = { role: u.role, username: u.username };
    }
    const route = request.routeOptions.url ?? '(no route)';
    if (who === undefined) {
      request.log.warn({ route, method: request.method }, 'api request without a valid token');
      await sendProblem(reply, problem('GW_ERR_UNAUTHORIZED', 'send Authorization: Bearer <admin token or session token> (sign in at POST /api/v1/session)', request.url));
      return;
    }
    // An unmatched path has no declared roles: a signed-in caller gets its 404, nobody else learns what exists.
    if (request.is404) {
      request.caller = who;
      return;
    }
    if (access === undefined || !access.includes(who.role)) {
      request.log.warn({ route, method: request.method, username: who.username, role: who.role }, 'api request beyond the role');
      await sendProblem(reply, problem('GW_ERR_FORBIDDEN', `a ${who.role} may not ${request.method} ${route}`, request.url));
      return;
    }
    request.caller = who;
  };
}
