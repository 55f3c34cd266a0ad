import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@forecare/gateway';
import { ADMIN_TOKEN, api, startTestGateway, tempDir, type Api } from '../support/gateway.js';
import { concretePath } from './http-paths.js';
import { isProblem, rawRequest, type RawResponse } from './raw-http.js';

/**
 * Every JSON body and query of the served OpenAPI, fuzzed against its own schema: values of the
 * wrong type, out of range, huge, encoded oddly. The answer is always a 4xx problem body (or the
 * route's success for a query that is merely odd), never a crash, and nothing is created by a
 * body the schema refuses.
 */

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: Schema;
  additionalProperties?: boolean | Schema;
}

interface Operation {
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  parameters?: { in: string; name: string; schema?: Schema }[];
}

/** One value the schema accepts (the base a mutation starts from). */
function validValue(s: Schema): fc.Arbitrary<unknown> {
  if (s.enum !== undefined) return fc.constantFrom(...s.enum);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      return s.pattern !== undefined ? fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length >= (s.minLength ?? 0) && x.length <= (s.maxLength ?? 64)) : fc.string({ minLength: Math.max(1, s.minLength ?? 1), maxLength: Math.min(s.maxLength ?? 20, 20) });
    case 'integer':
      return fc.integer({ min: s.minimum ?? 0, max: Math.min(s.maximum ?? 1_000, (s.minimum ?? 0) + 1_000) });
    case 'number':
      return fc.double({ min: s.minimum ?? 0, max: s.maximum ?? 1_000, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(s.items ?? {}), { maxLength: 2 });
    case 'object': {
      const req = s.required ?? [];
      return fc.record(Object.fromEntries(req.map((k) => [k, validValue(s.properties?.[k] ?? {})])));
    }
    case 'null':
    case undefined:
    default:
      return fc.constant('x');
  }
}

/** A value of the wrong kind for a property of this schema. */
function wrongValue(s: Schema): fc.Arbitrary<unknown> {
  const type = Array.isArray(s.type) ? s.type : [s.type ?? 'string'];
  const candidates: fc.Arbitrary<unknown>[] = [];
  if (!type.includes('boolean')) candidates.push(fc.boolean());
  if (!type.includes('integer') && !type.includes('number')) candidates.push(fc.integer(), fc.constant(1e308));
  if (!type.includes('string')) candidates.push(fc.constantFrom('1', 'true', '', '1e309', 'Infinity'));
  if (!type.includes('array')) candidates.push(fc.constant(['a']), fc.constant([true]));
  if (!type.includes('object')) candidates.push(fc.constant({ $gt: '' }), fc.constant({ __proto__: { admin: true } }));
  if (!type.includes('null')) candidates.push(fc.constant(null));
  if (s.maxLength !== undefined) candidates.push(fc.constant('x'.repeat(s.maxLength + 1)));
  if (s.maximum !== undefined) candidates.push(fc.constant(s.maximum + 1));
  if (s.minimum !== undefined) candidates.push(fc.constant(s.minimum - 1));
  if (s.enum !== undefined) candidates.push(fc.constant('not-one-of-them'));
  if (s.pattern !== undefined) candidates.push(fc.constantFrom('bad id\u0000', 'a/b', '../x', 'é'.repeat(3)));
  return fc.oneof(...candidates);
}

describe('fuzzing every body and query against its schema', () => {
  let gw: RunningGateway;
  let http: Api;
  let ops: { method: string; template: string; op: Operation }[] = [];

  async function snapshot(): Promise<string> {
    const parts = await Promise.all(['/api/v1/users', '/api/v1/hubs', '/api/v1/mqtt-clients', '/api/v1/customers', '/api/v1/appliances', '/api/v1/rules/versions', '/api/v1/tickets', '/api/v1/contacts'].map((p) => http.call('GET', p)));
    for (const p of parts) expect(p.status).toBe(200);
    return JSON.stringify(parts.map((p) => p.body));
  }

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    http = api(gw);
    const doc = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/docs/json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    ops = Object.entries(doc.paths).flatMap(([template, methods]) => Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), template, op })));
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('a body with one property of the wrong kind is a 400 problem, and changes nothing', async () => {
    const before = await snapshot();
    const bodies = ops.filter((o) => o.op.requestBody?.content?.['application/json']?.schema !== undefined && o.template !== '/api/v1/contact-center/outcomes' && o.template !== '/api/v1/session');
    expect(bodies.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const o of bodies) {
      const schema = o.op.requestBody?.content?.['application/json']?.schema as Schema;
      const props = Object.keys(schema.properties ?? {});
      if (props.length === 0) continue;
      const mutated = fc.tuple(validValue(schema), fc.constantFrom(...props)).chain(([base, prop]) => wrongValue(schema.properties?.[prop] ?? {}).map((bad) => ({ ...(base as object), [prop]: bad })));
      await fc.assert(
        fc.asyncProperty(mutated, async (body) => {
          const r = await rawRequest(gw.httpPort, o.method, concretePath(o.template), { token: ADMIN_TOKEN, body });
          if (r.status !== 400 || !isProblem(r)) failures.push(`${o.method} ${o.template} ${JSON.stringify(body).slice(0, 200)} → ${r.status} ${r.text.slice(0, 150)}`);
        }),
        { numRuns: 25, seed: 20261204 },
      );
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it('bodies that are not the declared JSON at all get 4xx problems', async () => {
    const failures: string[] = [];
    const raw: [string, Record<string, string>][] = [
      ['not json {', { 'content-type': 'application/json' }],
      ['[]', { 'content-type': 'application/json' }],
      ['"a string"', { 'content-type': 'application/json' }],
      ['null', { 'content-type': 'application/json' }],
      ['{"__proto__":{"role":"admin"}}', { 'content-type': 'application/json' }],
      ['{"a":1}', { 'content-type': 'text/plain' }],
      ['{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}', { 'content-type': 'application/json' }],
      ['x'.repeat(2_000_000), { 'content-type': 'application/json' }],
    ];
    for (const o of ops.filter((x) => x.op.requestBody !== undefined)) {
      for (const [body, headers] of raw) {
        const r: RawResponse = await rawRequest(gw.httpPort, o.method, concretePath(o.template), { token: ADMIN_TOKEN, body, headers });
        if (r.status < 400 || r.status >= 500 || !isProblem(r)) failures.push(`${o.method} ${o.template} ${body.slice(0, 30)} (${headers['content-type']}) → ${r.status} ${r.text.slice(0, 150)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('odd query values never make a 5xx or a non-problem error', async () => {
    const values = ['1e309', 'Infinity', '-Infinity', 'NaN', '-1', '0', '1.5', '99999999999999999999', '0x10', '', '%00', '%ff%fe', 'a'.repeat(5_000), '["a"]', 'true'];
    const failures: string[] = [];
    for (const o of ops.filter((x) => x.method === 'GET' && x.template.startsWith('/api/') && x.template !== '/api/v1/events')) {
      for (const p of (o.op.parameters ?? []).filter((x) => x.in === 'query')) {
        for (const v of values) {
          const r = await rawRequest(gw.httpPort, 'GET', `${concretePath(o.template)}?${p.name}=${v}`, { token: ADMIN_TOKEN });
          if (r.status >= 500 || (r.status >= 400 && !isProblem(r))) failures.push(`GET ${o.template}?${p.name}=${v.slice(0, 20)} → ${r.status} ${r.text.slice(0, 150)}`);
        }
        const twice = await rawRequest(gw.httpPort, 'GET', `${concretePath(o.template)}?${p.name}=1&${p.name}=2`, { token: ADMIN_TOKEN });
        if (twice.status >= 500 || (twice.status >= 400 && !isProblem(twice))) failures.push(`GET ${o.template} with ${p.name} twice → ${twice.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('broken URLs and oversized requests get problem bodies from the gateway, not the framework default', async () => {
    const cases: [string, string, Record<string, string>?][] = [
      ['GET', '/api/v1/hubs/%ff%fe'],
      ['GET', '/api/v1/%ff'],
      ['GET', `/api/v1/hubs/${'h'.repeat(5_000)}`],
      ['GET', `/api/v1/tickets/${'t'.repeat(200)}`],
      ['GET', '/api/v1/tickets?limit=%'],
      ['GET', '/api/v1/hubs', { 'x-big': 'b'.repeat(20_000) }],
      ['POST', '/api/v1/hubs', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['PUT', '/api/v1/hubs'],
      ['GET', '/api/v1/hubs/..%2f..%2fetc%2fpasswd'],
    ];
    const failures: string[] = [];
    for (const [method, path, headers] of cases) {
      const r = await rawRequest(gw.httpPort, method, path, { token: ADMIN_TOKEN, ...(headers !== undefined ? { headers } : {}), ...(method === 'POST' ? { body: 'a=b' } : {}) });
      if (r.status < 400 || r.status >= 500 || !isProblem(r)) failures.push(`${method} ${path.slice(0, 60)} → ${r.status} ${r.contentType} ${r.text.slice(0, 150)}`);
    }
    expect(failures).toEqual([]);
    expect((await http.call('GET', '/api/v1/health', undefined, null)).status).toBe(200);
  });
});
