import { describe, expect, it } from 'vitest';
import { ContactCenterStandIn } from '../support/contact-center.js';
import { sleep, until } from '../support/gateway.js';
import { contactFor, fault, gatewaysAgainst, report, setup, SECRET, type Setup } from './harness.js';

const OLD_SECRET = SECRET;
const NEW_SECRET = 'whsec_' + Buffer.from('forecare-service-test-key-rotated-98765').toString('base64');
/** forecare in the middle of a rotation: the new secret first. */
const ROTATING = { FORECARE_CONTACT_CENTER_SECRET: `${NEW_SECRET},${OLD_SECRET}` };

interface Task {
  taskId: string;
  status: string;
  attempts: number;
  nextAttemptAt: number;
}

const contact = async (s: Setup, taskId: string): Promise<Task> => (await s.http.call<Task>('GET', `/api/v1/contacts/${taskId}`)).body;
const onlyTask = async (s: Setup, status: string): Promise<Task | undefined> => (await s.http.call<{ items: Task[] }>('GET', `/api/v1/contacts?status=${status}`)).body.items[0];

describe('delivery to the contact center', () => {
  // The contact center has moved to the new secret already; forecare holds both while the rotation lasts.
  const cc = new ContactCenterStandIn({ secret: [NEW_SECRET] });
  const open = gatewaysAgainst(cc, () => {
    cc.failNext = 0;
    cc.failStatus = 500;
    cc.retryAfter = undefined;
  });

  it('secret rotation: the first secret signs what is sent, callbacks signed with either secret are accepted, any other is refused', async () => {
    const s = await setup(cc, 'dlv-rotate', {}, ROTATING);
    open.push(s);
    const task = await contactFor(s, cc, 'dlv-rotate', 'E-CMP-01');
    expect(task.verified).toBe(true);
    expect(String(task.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(new ContactCenterStandIn({ secret: OLD_SECRET }).verify(task.headers, task.body)).toBe(false);
    const taskId = task.json.data.taskId;
    const signedOld = new ContactCenterStandIn({ secret: OLD_SECRET });
    const signedOther = new ContactCenterStandIn({ secret: 'whsec_' + Buffer.from('someone-else-entirely-000000000').toString('base64') });
    expect((await report(s, signedOld, 'rot-1', { taskId, outcome: 'reached' })).status).toBe(200);
    expect((await report(s, cc, 'rot-2', { taskId, outcome: 'reached' })).status).toBe(200);
    expect((await report(s, signedOther, 'rot-3', { taskId, outcome: 'reached' })).body).toMatchObject({ status: 401, code: 'GW_ERR_SIGNATURE_INVALID' });
  });

  it('honours Retry-After, in seconds and as an HTTP date, even beyond the backoff cap', async () => {
    const s = await setup(cc, 'dlv-later', {}, ROTATING);
    open.push(s);
    cc.failNext = 1;
    cc.failStatus = 503;
    cc.retryAfter = '3600';
    const t0 = Date.now();
    await fault(s, 'dlv-later', 'E-CMP-01');
    const first = await until('the refused attempt', async () => {
      const t = await onlyTask(s, 'pending');
      return t !== undefined && t.attempts === 1 ? t : undefined;
    });
    expect(first.nextAttemptAt).toBeGreaterThanOrEqual(t0 + 3_600_000);
    expect(first.nextAttemptAt).toBeLessThan(Date.now() + 3_600_000 + 5_000);

    cc.failNext = 1;
    cc.retryAfter = new Date(Date.now() + 30 * 60_000).toUTCString();
    const t1 = Date.now();
    await fault(s, 'dlv-later', 'E-DRN-01', 'washer');
    const second = await until('the second refused attempt', async () => {
      const items = (await s.http.call<{ items: Task[] }>('GET', '/api/v1/contacts?status=pending')).body.items;
      return items.find((t) => t.taskId !== first.taskId && t.attempts === 1);
    });
    // The HTTP date has a resolution of a second.
    expect(second.nextAttemptAt).toBeGreaterThanOrEqual(t1 + 30 * 60_000 - 1000);
    expect(second.nextAttemptAt).toBeLessThan(Date.now() + 30 * 60_000 + 5_000);
  });

  it('dead-letters a task after the retry budget; a replay from the API delivers it, once per idempotency key', async () => {
    const s = await setup(cc, 'dlv-dead', {}, { ...ROTATING, FORECARE_OUTBOX_MAX_ATTEMPTS: '3' });
    open.push(s);
    const before = cc.received.length;
    cc.failNext = 100;
    await fault(s, 'dlv-dead', 'E-CMP-01');
    const dead = await until('the dead letter', () => onlyTask(s, 'dead'));
    expect(dead.attempts).toBe(3);
    expect(cc.received.length - before).toBe(3);
    await sleep(500);
    expect(cc.received.length - before).toBe(3); // given up: no fourth attempt
    cc.failNext = 0;
    const pending = await s.http.call<{ status: string; code: string }>('POST', `/api/v1/contacts/${dead.taskId}/replay`);
    expect(pending.status).toBe(200);
    expect(pending.body.status).toBe('pending');
    await until('delivered after the replay', async () => ((await contact(s, dead.taskId)).status === 'delivered' ? true : undefined));
    const forKey = (): typeof cc.received => cc.received.slice(before).filter((r) => r.headers['idempotency-key'] === dead.taskId);
    expect(forKey().map((r) => r.status)).toEqual([500, 500, 500, 202]);
    // A delivered task replays under the same key (the contact center drops the repeat); an unknown one is refused.
    expect((await s.http.call('POST', `/api/v1/contacts/${dead.taskId}/replay`)).status).toBe(200);
    await until('delivered again', async () => ((await contact(s, dead.taskId)).status === 'delivered' ? true : undefined));
    expect(new Set(forKey().map((r) => r.headers['idempotency-key']))).toEqual(new Set([dead.taskId]));
    expect(cc.accepted.filter((r) => r.headers['idempotency-key'] === dead.taskId)).toHaveLength(1);
    expect((await s.http.call<{ code: string }>('POST', '/api/v1/contacts/no-such-task/replay')).body.code).toBe('GW_ERR_OUTBOX_TASK_UNKNOWN');
  });
});
