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
    const attempt = { at: clock.now(), status: 500, error: 'HTTP 500', durationMs: 3 };
    expect(outbox.recordOutcomes([{ taskId: id, attempt, result: 'retry', at: clock.now(), nextAttemptAt: clock.now() + 1000 }])).toEqual([undefined]);
    expect(outbox.get(id)).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: clock.now() + 1000, lastError: 'HTTP 500' });
    outbox.recordOutcomes([{ taskId: id, attempt, result: 'dead', at: clock.now() }]);
    expect(outbox.get(id)).toMatchObject({ status: 'dead', attempts: 2 });
    expect(outbox.replay(id)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: clock.now() });
    expect(outbox.attempts(id)).toHaveLength(2);
  });

  it('commits a batch of outcomes together; one that cannot be written does not take the others down', () => {
    const { clock, outbox, store } = setup();
    for (const c of ['a', 'b', 'c']) outbox.enqueue(task(c));
    store.sqlite.exec(`CREATE TRIGGER refuse BEFORE INSERT ON delivery_attempts WHEN NEW.task_id = '${taskIdOf('b')}' BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    const attempt = { at: clock.now(), status: 202, error: null, durationMs: 1 };
    const errors = outbox.recordOutcomes(['a', 'b', 'c'].map((c) => ({ taskId: taskIdOf(c), attempt, result: 'delivered' as const, at: clock.now() })));
    expect(errors.map((e) => e?.message)).toEqual([undefined, 'disk says no', undefined]);
    expect(['a', 'b', 'c'].map((c) => outbox.get(taskIdOf(c))?.status)).toEqual(['delivered', 'pending', 'delivered']);
  });

  it('replays dead and delivered tasks only', () => {
    const { clock, outbox } = setup();
    outbox.enqueue(task('p'));
    expect(() => outbox.replay(taskIdOf('p'))).toThrow(expect.objectContaining({ code: 'GW_ERR_OUTBOX_TASK_STATE' }));
    outbox.suppress(task('s'), 'no consent');
    expect(() => outbox.replay(taskIdOf('s'))).toThrow(expect.objectContaining({ code: 'GW_ERR_OUTBOX_TASK_STATE' }));
    outbox.recordOutcomes([{ taskId: taskIdOf('p'), attempt: { at: clock.now(), status: 202, error: null, durationMs: 1 }, result: 'delivered', at: clock.now() }]);
    expect(outbox.replay(taskIdOf('p'))).toMatchObject({ status: 'pending', deliveredAt: null });
    expect(() => outbox.replay('nope')).toThrow(expect.objectContaining({ code: 'GW_ERR_OUTBOX_TASK_UNKNOWN' }));
  });
});
