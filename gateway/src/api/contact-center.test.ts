import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../contact-center/signing.js';
import { CONTACT_SECRET, startTestGateway, type TestGateway } from './test-gateway.js';

/**
 * The outcome callback is public but signed: the signature is checked over the body's exact
 * bytes (kept as a request decoration before parsing), before the body schema says anything.
 */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.stop();
});

function signed(id: string, body: string, headers: Record<string, string> = {}): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader([CONTACT_SECRET], id, ts, body), ...headers };
}

describe('POST /api/v1/contact-center/outcomes', () => {
  it('an unsigned or wrongly signed callback is a 401 problem, whatever its body', async () => {
    const body = JSON.stringify({ taskId: 'task_x', outcome: 'reached' });
    const unsigned = await t.call('POST', '/api/v1/contact-center/outcomes', { token: null, body });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.code).toBe('GW_ERR_SIGNATURE_INVALID');
    // Signed over other bytes than those sent (one space added): refused, though the JSON means the same.
    const other = await t.call('POST', '/api/v1/contact-center/outcomes', { token: null, body: body.replace(':', ': '), headers: signed('msg-1', body) });
    expect(other.status).toBe(401);
    // An invalid body without a signature learns nothing about the schema: still 401, not 400.
    expect((await t.call('POST', '/api/v1/contact-center/outcomes', { token: null, body: { outcome: 42 } })).status).toBe(401);
  });

  it('a signed callback reaches the schema: a wrong type is a 400, an unknown task a 404', async () => {
    const bad = JSON.stringify({ taskId: 'task_x', outcome: 42 });
    const r = await t.call('POST', '/api/v1/contact-center/outcomes', { token: null, body: bad, headers: signed('msg-2', bad) });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('GW_ERR_VALIDATION');
    const unknown = JSON.stringify({ taskId: 'task_unknown', outcome: 'reached' });
    const u = await t.call('POST', '/api/v1/contact-center/outcomes', { token: null, body: unknown, headers: signed('msg-3', unknown) });
    expect(u.status).toBe(404);
    expect(u.contentType).toMatch(/^application\/problem\+json/);
  });
});
