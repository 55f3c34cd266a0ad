import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@forecare/gateway';
import { ADMIN_TOKEN, api, startTestGateway, tempDir, type Api } from '../support/gateway.js';
import { concretePath, pathVariants } from './http-paths.js';
import { isProblem, rawRequest } from './raw-http.js';

/**
 * Every route of the served OpenAPI, under every form of its path an attacker tries, for every
 * kind of caller: the expected answer comes from the roles the route declares (`x-roles`), so a
 * new route is covered the moment it is served. Which routes may be public, and who may touch
 * accounts and credentials, is pinned here: widening either needs this file changed.
 */

type Role = 'dispatcher' | 'engineer' | 'manager' | 'admin';
const ROLES: readonly Role[] = ['dispatcher', 'engineer', 'manager', 'admin'];

/** The only routes that answer without a token. */
const PUBLIC_ROUTES = new Set(['GET /api/v1/health', 'GET /metrics', 'POST /api/v1/session', 'POST /api/v1/contact-center/outcomes']);

/** Accounts and credentials: admins only. */
const ADMIN_ONLY = [/^(GET|POST) \/api\/v1\/users$/, /^POST \/api\/v1\/hubs$/, /^(POST|DELETE) \/api\/v1\/hubs\/\{hubId\}/, /\/api\/v1\/mqtt-clients/];

/** Bodies that would succeed for an allowed caller: the denied must not get them through. */
const BODIES: Record<string, unknown> = {
  'POST /api/v1/users': { username: 'intruder', role: 'admin' },
  'POST /api/v1/hubs': { hubId: 'hub-intruder' },
  'POST /api/v1/mqtt-clients': { name: 'intruder', role: 'admin' },
  'POST /api/v1/customers': { customerId: 'cust-intruder', name: 'Intruder', phone: '+4912345' },
  'POST /api/v1/rules/rollback': { version: 1 },
};

interface Operation {
  security?: unknown[];
  'x-roles'?: Role[];
}

interface Caller {
  readonly name: string;
  readonly token: string | undefined;
  readonly role: Role | undefined;
}

describe('API access: decided on the matched route, under every encoding of its path', () => {
  let gw: RunningGateway;
  let http: Api;
  let operations: { method: string; template: string; key: string; op: Operation }[] = [];
  const callers: Caller[] = [];

  async function signIn(username: string, role: Role): Promise<string> {
    const added = await http.call<{ password: string }>('POST', '/api/v1/users', { username, role });
    expect(added.status).toBe(201);
    const s = await http.call<{ token: string }>('POST', '/api/v1/session', { username, password: added.body.password }, null);
    expect(s.status).toBe(201);
    return s.body.token;
  }

  async function snapshot(): Promise<string> {
    const parts = await Promise.all(['/api/v1/users', '/api/v1/hubs', '/api/v1/mqtt-clients', '/api/v1/customers', '/api/v1/rules/versions'].map((p) => http.call('GET', p)));
    for (const p of parts) expect(p.status).toBe(200);
    return JSON.stringify(parts.map((p) => p.body));
  }

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    http = api(gw);
    const doc = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/docs/json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    operations = Object.entries(doc.paths).flatMap(([template, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), template, key: `${method.toUpperCase()} ${template}`, op })),
    );
    callers.push({ name: 'no token', token: undefined, role: undefined }, { name: 'garbage token', token: 'fcs_not-a-session', role: undefined });
    for (const role of ROLES) callers.push({ name: role, token: await signIn(`sec-${role}`, role), role });
    callers.push({ name: 'admin token', token: ADMIN_TOKEN, role: 'admin' });
    const revoked = await signIn('sec-revoked', 'admin');
    expect((await http.call('DELETE', '/api/v1/session', undefined, revoked)).status).toBe(204);
    callers.push({ name: 'revoked admin session', token: revoked, role: undefined });
  });

  afterAll(async () => {
    await gw?.stop();
  });

  it('serves every operation with declared access, and only the pinned ones public', () => {
    const api = operations.filter((o) => o.template.startsWith('/api/') || o.template === '/metrics');
    expect(api.length).toBeGreaterThan(40);
    for (const o of api) {
      const isPublic = Array.isArray(o.op.security) && o.op.security.length === 0;
      expect(isPublic, `${o.key} public?`).toBe(PUBLIC_ROUTES.has(o.key));
      if (!isPublic) expect(o.op['x-roles']?.length, `${o.key} declares its roles`).toBeGreaterThan(0);
      if (ADMIN_ONLY.some((re) => re.test(o.key))) expect(o.op['x-roles'], `${o.key} is for admins only`).toEqual(['admin']);
    }
  });

  it('refuses every caller a route does not declare, under every path form, and changes nothing', async () => {
    const before = await snapshot();
    const failures: string[] = [];
    let sent = 0;
    for (const o of operations.filter((x) => x.template.startsWith('/api/') && !PUBLIC_ROUTES.has(x.key))) {
      const roles = o.op['x-roles'] ?? [];
      const denied = callers.filter((c) => c.role === undefined || !roles.includes(c.role));
      const path = concretePath(o.template);
      const body = BODIES[o.key] ?? (['POST', 'PATCH', 'PUT'].includes(o.method) ? {} : undefined);
      for (const v of pathVariants(path)) {
        for (const c of denied) {
          const r = await rawRequest(gw.httpPort, o.method, v.path, { token: c.token, body });
          sent++;
          // A refusal, or a path that routes nowhere; never the handler's answer (2xx, 400 from its schema, 409…) nor a crash.
          if (![401, 403, 404, 405].includes(r.status) || !isProblem(r)) failures.push(`${c.name}: ${o.method} ${v.path} (${v.form}) → ${r.status} ${r.text.slice(0, 120)}`);
          // The route itself matched (raw form): the answer is exactly "who are you" or "not for you".
          if (v.form === 'raw' && r.status !== (c.token === undefined || c.role === undefined ? 401 : 403)) failures.push(`${c.name}: raw ${o.method} ${v.path} → ${r.status}, expected ${c.role === undefined ? 401 : 403}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
    expect(await snapshot()).toBe(before);
    const users = await http.call<{ items: { username: string }[] }>('GET', '/api/v1/users');
    expect(users.body.items.map((u) => u.username)).not.toContain('intruder');
  });

  it('outside testing\'s cases: an encoded path is the route it decodes to', async () => {
    const dispatcher = callers.find((c) => c.name === 'dispatcher')?.token;
    for (const [method, path, body] of [
      ['POST', '/%61pi/v1/users', { username: 'intruder', role: 'admin' }],
      ['POST', '/%61pi/v1/hubs', { hubId: 'hub-intruder' }],
      ['GET', '/%61pi/v1/customers', undefined],
      ['POST', '/%61pi/v1/mqtt-clients', { name: 'intruder', role: 'admin' }],
    ] as const) {
      const r = await rawRequest(gw.httpPort, method, path, { body });
      expect(r.status, `${method} ${path} without a token`).toBe(401);
    }
    const hubs = await rawRequest(gw.httpPort, 'POST', '/api/v1/%68ubs', { token: dispatcher, body: { hubId: 'hub-intruder' } });
    expect(hubs.status, "a dispatcher's POST /api/v1/%68ubs").toBe(403);
    expect((await http.call('GET', '/api/v1/hubs/hub-intruder')).status).toBe(404);
  });

  it('lets every declared role through on the raw path (the handler answers, not the access check)', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const o of operations.filter((x) => x.template.startsWith('/api/') && !PUBLIC_ROUTES.has(x.key) && x.key !== 'DELETE /api/v1/session')) {
      const roles = o.op['x-roles'] ?? [];
      for (const c of callers.filter((x) => x.role !== undefined && roles.includes(x.role))) {
        const body = ['POST', 'PATCH', 'PUT'].includes(o.method) ? {} : undefined;
        const r = o.template === '/api/v1/events' ? { status: 200, text: '' } : await rawRequest(gw.httpPort, o.method, concretePath(o.template), { token: c.token, body });
        checked++;
        if (r.status === 401 || r.status === 403 || r.status >= 500) failures.push(`${c.name}: ${o.key} → ${r.status} ${r.text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it('takes a token in the query only on the event stream', async () => {
    const users = await rawRequest(gw.httpPort, 'GET', `/api/v1/users?access_token=${ADMIN_TOKEN}`);
    expect(users.status).toBe(401);
    const encoded = await rawRequest(gw.httpPort, 'GET', `/%61pi/v1/users?access_token=${ADMIN_TOKEN}`);
    expect(encoded.status).toBe(401);
    const ctrl = new AbortController();
    const events = await fetch(`http://127.0.0.1:${gw.httpPort}/api/v1/events?access_token=${ADMIN_TOKEN}`, { signal: ctrl.signal });
    expect(events.status).toBe(200);
    ctrl.abort();
    const revoked = callers.find((c) => c.name === 'revoked admin session');
    const stream = await fetch(`http://127.0.0.1:${gw.httpPort}/api/v1/events?access_token=${revoked?.token ?? ''}`);
    expect(stream.status).toBe(401);
  });
});
