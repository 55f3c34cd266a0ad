import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
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
  if (h === undefined) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

/** Paths that answer without a token: health for probes, metrics for Prometheus, docs, the contact center's signed callbacks. */
const PUBLIC = [/^\/api\/v1\/health$/, /^\/metrics$/, /^\/docs(\/|$)/, /^\/api\/v1\/contact-center\/outcomes$/];

export function isPublicPath(url: string): boolean {
  const path = url.split('?')[0] ?? url;
  return !path.startsWith('/api/') && path !== '/metrics' ? true : PUBLIC.some((re) => re.test(path));
}

export function adminAuth(adminToken: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (isPublicPath(request.url)) return;
    const token = bearerOf(request);
    if (token === undefined || !tokenMatches(token, adminToken)) {
      request.log.warn({ path: request.url.split('?')[0] }, 'api request without a valid token');
      await sendProblem(reply, problem('GW_ERR_UNAUTHORIZED', 'send Authorization: Bearer <admin token> (FORECARE_ADMIN_TOKEN, or the token printed at first start)', request.url));
    }
  };
}
