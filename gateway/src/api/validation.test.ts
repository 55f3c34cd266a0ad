import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './test-gateway.js';

/** The route schemas as validators, through app.inject: wrong types are a 400 problem naming what is wrong, and nothing is written. */

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.stop();
});

function expectValidationProblem(r: { status: number; body: Record<string, unknown>; contentType: string }, pointer: string): void {
  expect(r.status).toBe(400);
  expect(r.contentType).toMatch(/^application\/problem\+json/);
  expect(r.body).toMatchObject({ status: 400, code: 'GW_ERR_VALIDATION', type: expect.stringMatching(/^https:\/\//), title: expect.any(String), detail: expect.any(String) });
  expect((r.body.errors as { pointer: string }[]).map((e) => e.pointer)).toContain(pointer);
}

describe('request validation from the route schemas', () => {
  it('a body property of the wrong type is a 400 problem and provisions nothing', async () => {
    for (const hubId of [true, 12, null, ['hub-a'], { id: 'hub-a' }]) expectValidationProblem(await t.call('POST', '/api/v1/hubs', { body: { hubId } }), '/hubId');
    expect((await t.call('GET', '/api/v1/hubs')).body.items).toEqual([]);
  });

  it('a body property the schema does not declare is refused, not dropped', async () => {
    const r = await t.call('POST', '/api/v1/customers', { body: { name: 'Ada', phone: '+44 20 7946 0000', isAdmin: true } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('GW_ERR_VALIDATION');
    expect((await t.call('GET', '/api/v1/customers')).body.items).toEqual([]);
  });

  it('a missing required property and a value outside its enum are 400s', async () => {
    // A missing property is reported at the object that lacks it, the message naming it.
    const missing = await t.call('POST', '/api/v1/customers', { body: { name: 'Ada' } });
    expectValidationProblem(missing, '/body');
    expect((missing.body.errors as { message: string }[]).some((e) => e.message.includes("'phone'"))).toBe(true);
    const r = await t.call('POST', '/api/v1/customers', { body: { name: 'Ada', phone: '+44 20 7946 0000', language: 'klingon' } });
    expect(r.status).toBe(400);
    expect((r.body.errors as { pointer: string }[]).some((e) => e.pointer === '/language')).toBe(true);
  });

  it('a body that is not JSON, or not an object, is a 400 problem', async () => {
    for (const body of ['{"name":', '"just a string"', '[1,2]']) {
      const r = await t.call('POST', '/api/v1/tickets', { body });
      expect(r.status, body).toBe(400);
      expect(r.contentType).toMatch(/^application\/problem\+json/);
    }
  });

  it('query values are coerced from text only when they can be: `limit=abc`, negative, non-finite and too large are 400s', async () => {
    for (const limit of ['abc', '-1', '0', '1e309', 'Infinity', '5001']) {
      const r = await t.call('GET', `/api/v1/alarms?limit=${limit}`);
      expect(r.status, limit).toBe(400);
      expect(r.body.code, limit).toBe('GW_ERR_VALIDATION');
    }
    expect((await t.call('GET', '/api/v1/alarms?limit=10')).status).toBe(200);
  });

  it('a query the route does not take is refused where its schema is strict', async () => {
    const r = await t.call('GET', '/api/v1/tickets/queue?drop=table');
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('GW_ERR_VALIDATION');
  });

  it('a path parameter of the wrong type or past its length is a 400 problem', async () => {
    expectValidationProblem(await t.call('GET', '/api/v1/rules/versions/abc/diff'), '/version');
    expectValidationProblem(await t.call('PATCH', `/api/v1/users/${'u'.repeat(65)}`, { body: { disabled: true } }), '/username');
  });

  it('a body for an action is checked against its nested schema (visit times are short strings)', async () => {
    const r = await t.call('POST', '/api/v1/tickets/T-1/actions/schedule', { body: { visit: { date: '2030-01-01', from: 9, to: '11:00' } } });
    expectValidationProblem(r, '/visit/from');
  });
});

describe('problem bodies', () => {
  it('an unknown resource is a 404 problem with our code', async () => {
    const r = await t.call('GET', '/api/v1/hubs/no-such-hub');
    expect(r.status).toBe(404);
    expect(r.contentType).toMatch(/^application\/problem\+json/);
    expect(r.body).toEqual({ type: 'https://forecare.dev/problems/gw-err-hub-unknown', title: expect.any(String), status: 404, detail: 'hub no-such-hub is not provisioned', code: 'GW_ERR_HUB_UNKNOWN', instance: '/api/v1/hubs/no-such-hub' });
  });

  it('a path no route has is a 404 problem', async () => {
    const r = await t.call('GET', '/api/v1/no-such-thing');
    expect(r.status).toBe(404);
    expect(r.contentType).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ status: 404, code: 'GW_ERR_NOT_FOUND' });
  });

  it('a rule of the route that refuses is a 400 problem too (an admin cannot demote themselves)', async () => {
    const me = await t.call('GET', '/api/v1/session', { token: t.tokens.admin });
    const r = await t.call('PATCH', `/api/v1/users/${String(me.body.username)}`, { token: t.tokens.admin, body: { role: 'dispatcher' } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'GW_ERR_VALIDATION', detail: 'change your own account from another admin account' });
  });

  it('a state conflict is a 409 problem', async () => {
    await t.call('POST', '/api/v1/hubs', { body: { hubId: 'hub-conflict' } });
    const again = await t.call('POST', '/api/v1/hubs', { body: { hubId: 'hub-conflict' } });
    expect(again.status).toBe(409);
    expect(again.contentType).toMatch(/^application\/problem\+json/);
    expect(again.body.status).toBe(409);
  });
});
