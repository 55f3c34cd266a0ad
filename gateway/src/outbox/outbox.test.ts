import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { Metrics } from '../metrics/metrics.js';
import { openStore } from '../store/db.js';
import { Outbox, taskIdOf, type NewTask } from './outbox.js';

function setup() {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'outbox-')), 'db.sqlite'));
  const clock = new ManualClock(1_700_000_000_000);
  return { store, clock, outbox: new Outbox(store, clock, new Metrics({ defaultMetrics: false })) };
}

const task = (cause: string, patch: Partial<NewTask> = {}): NewTask => ({ cause, purpose: 'repair', hubId: 'h1', customerId: 'c1', channel: 'sms', urgency: 'normal', payload: { message: 'hi' }, ...patch });

describe('outbox', () => {
  it('writes one task per cause: a replay of the same cause writes nothing', () => {
    const { outbox } = setup();
    expect(outbox.enqueue(task('ticket:T1:opened:0'))).toBe(true);
    expect(outbox.enqueue(task('ticket:T1:opened:0'))).toBe(false);
    expect(outbox.list()).toHaveLength(1);
    expect(outbox.get(taskIdOf('ticket:T1:opened:0'))?.status).toBe('pending');
  });

  it('rolls back with the transaction that wrote it', () => {
    const { store, outbox } = setup();
    expect(() =>
      store.transaction(() => {
        outbox.enqueue(task('c1'));
        throw new Error('ticket write failed');
      }),
    ).toThrow('ticket write failed');
    expect(outbox.list()).toHaveLength(0);
  });

  it('hands out due tasks only, honouring notBefore', () => {
    const { clock, outbox } = setup();
    outbox.enqueue(task('now'));
    outbox.enqueue(task('later', { notBefore: clock.now() + 60_000 }));
    expect(outbox.due(10)).toEqual([taskIdOf('now')]);
    expect(outbox.pendingTask(taskIdOf('now'))?.taskId).toBe(taskIdOf('now'));
    clock.advance(60_000);
    expect(outbox.due(10)).toHaveLength(2);
    expect(outbox.nextDueAt()).toBe(clock.now() - 60_000);
  });

  it('keeps suppressed decisions visible and out of the queue and the cap', () => {
    const { clock, outbox } = setup();
    outbox.suppress(task('s1'), 'no consent');
    expect(outbox.get(taskIdOf('s1'))).toMatchObject({ status: 'suppressed', lastError: 'no consent' });
    expect(outbox.due(10)).toHaveLength(0);
    expect(outbox.countForCustomerSince('c1', clock.now() - 1000)).toBe(0);
  });

  it('records attempts, retries and dead letters', () => {
    const { clock, outbox } = setup();
    outbox.enqueue(task('x'));
    const id = taskIdOf('x');
    outbox.recordAttempt(id, { at: clock.now(), status: 500, error: 'HTTP 500', durationMs: 3 });
    outbox.markRetry(id, 500, 'HTTP 500', clock.now() + 1000);
    outbox.markDead(id, 500, 'HTTP 500');
    expect(outbox.get(id)).toMatchObject({ status: 'dead', attempts: 2 });
    expect(outbox.replay(id)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: clock.now() });
    expect(outbox.attempts(id)).toHaveLength(1);
  });

  it('replays dead and delivered tasks only', () => {
    const { clock, outbox } = setup();
    outbox.enqueue(task('p'));
    expect(() => outbox.replay(taskIdOf('p'))).toThrow(expect.objectContaining({ code: 'GW_ERR_OUTBOX_TASK_STATE' }));
    outbox.suppress(task('s'), 'no consent');
    expect(() => outbox.replay(taskIdOf('s'))).toThrow(expect.objectContaining({ code: 'GW_ERR_OUTBOX_TASK_STATE' }));
    outbox.delivered(taskIdOf('p'), { at: clock.now(), status: 202, error: null, durationMs: 1 }, clock.now());
    expect(outbox.replay(taskIdOf('p'))).toMatchObject({ status: 'pending', deliveredAt: null });
    expect(() => outbox.replay('nope')).toThrow(expect.objectContaining({ code: 'GW_ERR_OUTBOX_TASK_UNKNOWN' }));
  });
});
