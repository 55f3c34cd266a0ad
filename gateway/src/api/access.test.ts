import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../users/user-store.js';
import { startTestGateway, type TestGateway } from './test-gateway.js';

/**
 * Who may call what, decided by each route's own `config.access` and checked through
 * app.inject: every operation of the served document, every role it does not declare.
 */

interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  url: string;
  roles: Role[] | 'public';
}

let t: TestGateway;
let operations: Operation[];

beforeAll(async () => {
  t = await startTestGateway();
  const doc = (await t.call('GET', '/docs/json', { token: null })).body as { paths: Record<string, Record<string, { security?: unknown[]; 'x-roles'?: Role[] }>> };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase() as Operation['method'],
      path,
      // Any value for a path parameter: the access check runs before the route's own lookups.
      url: path.replace(/\{[^}]+\}/g, 'x1'),
      roles: op['x-roles'] ?? (Array.isArray(op.security) && op.security.length === 0 ? 'public' : []),
    })),
  );
});

afterAll(async () => {
  await t?.stop();
});

describe('access declared in each route config', () => {
  it('every operation declares either public access or a non-empty list of known roles', () => {
    expect(operations.length).toBeGreaterThan(50);
    for (const op of operations) {
      if (op.roles === 'public') continue;
      expect(op.roles.length, `${op.method} ${op.path}`).toBeGreaterThan(0);
      for (const r of op.roles) expect(ROLES, `${op.method} ${op.path}`).toContain(r);
    }
    const publicOps = operations.filter((o) => o.roles === 'public').map((o) => `${o.method} ${o.path}`).sort();
    expect(publicOps).toEqual(['GET /api/v1/health', 'GET /metrics', 'POST /api/v1/contact-center/outcomes', 'POST /api/v1/session']);
  });

  it('refuses every role a route does not declare with a 403 problem, before the route reads anything', async () => {
    let refused = 0;
    for (const op of operations) {
      if (op.roles === 'public') continue;
      for (const role of ROLES.filter((r) => !(op.roles as Role[]).includes(r))) {
        const r = await t.call(op.method, op.url, { token: t.tokens[role], body: op.method === 'GET' || op.method === 'DELETE' ? undefined : {} });
        expect(r.status, `${role} ${op.method} ${op.path}`).toBe(403);
        expect(r.contentType).toMatch(/^application\/problem\+json/);
        expect(r.body).toMatchObject({ status: 403, code: 'GW_ERR_FORBIDDEN', title: expect.any(String), detail: expect.stringContaining(`a ${role} may not`) });
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(40);
  });

  it('answers 401 without a token, with a wrong one and with an unknown session, on every route that is not public', async () => {
    for (const op of operations.filter((o) => o.roles !== 'public')) {
      for (const token of [null, 'not-a-token', 'fcs_not-a-session']) {
        const r = await t.call(op.method, op.url, { token, body: op.method === 'GET' || op.method === 'DELETE' ? undefined : {} });
        expect(r.status, `${String(token)} ${op.method} ${op.path}`).toBe(401);
        expect(r.body).toMatchObject({ status: 401, code: 'GW_ERR_UNAUTHORIZED' });
      }
    }
  });

  it('lets each declared role past the access check on read routes (the route answers, not the check)', async () => {
    for (const op of operations.filter((o) => o.method === 'GET' && o.roles !== 'public' && o.path !== '/api/v1/events')) {
      for (const role of op.roles as Role[]) {
        const r = await t.call('GET', op.url, { token: t.tokens[role] });
        expect([401, 403], `${role} GET ${op.path} -> ${r.status}`).not.toContain(r.status);
      }
    }
  });

  it('a signed-out session is refused from then on', async () => {
    const password = 'signout-password-0123';
    expect((await t.call('POST', '/api/v1/users', { body: { username: 'leaver', role: 'dispatcher', password } })).status).toBe(201);
    const token = String((await t.call('POST', '/api/v1/session', { token: null, body: { username: 'leaver', password } })).body.token);
    expect((await t.call('GET', '/api/v1/session', { token })).body).toEqual({ username: 'leaver', role: 'dispatcher' });
    expect((await t.call('DELETE', '/api/v1/session', { token })).status).toBe(204);
    expect((await t.call('GET', '/api/v1/session', { token })).status).toBe(401);
  });

  it('public routes answer without a token', async () => {
    expect((await t.call('GET', '/api/v1/health', { token: null })).status).toBe(200);
    const metrics = await t.call('GET', '/metrics', { token: null });
    expect(metrics.status).toBe(200);
    expect(metrics.contentType).toMatch(/^text\/plain/);
    expect(String(metrics.body.text)).toMatch(/^# HELP /m);
  });
});
