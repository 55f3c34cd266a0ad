import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';
import { PartList, type Part } from './part.js';

const logger = createLogger({ level: 'silent' });

/** A part that writes what happens to it into `log`; `fail` makes its start throw. */
function recorded(name: string, log: string[], opts: { fail?: boolean; hang?: boolean; stopWithinMs?: number } = {}): Part {
  return {
    name,
    start: () => {
      log.push(`start ${name}`);
      return opts.fail === true ? Promise.reject(new Error(`${name} failed`)) : Promise.resolve();
    },
    stop: () => {
      log.push(`stop ${name}`);
      return opts.hang === true ? new Promise(() => undefined) : Promise.resolve();
    },
    ...(opts.stopWithinMs !== undefined ? { stopWithinMs: opts.stopWithinMs } : {}),
  };
}

describe('the list of parts', () => {
  it('starts parts in order and stops them in reverse', async () => {
    const log: string[] = [];
    const parts = new PartList(logger);
    await parts.startAll(['store', 'journal', 'broker'].map((n) => recorded(n, log)));
    await parts.stopAll();
    expect(log).toEqual(['start store', 'start journal', 'start broker', 'stop broker', 'stop journal', 'stop store']);
  });

  it('a part that fails to start stops what was started, itself included, and the error comes out', async () => {
    const log: string[] = [];
    const parts = new PartList(logger);
    await expect(parts.startAll([recorded('store', log), recorded('broker', log, { fail: true }), recorded('api', log)])).rejects.toThrow('broker failed');
    expect(log).toEqual(['start store', 'start broker', 'stop broker', 'stop store']);
  });

  it('a part that does not stop within its bound does not hold the shutdown; one that throws does not either', async () => {
    const log: string[] = [];
    const parts = new PartList(logger);
    const throwing: Part = { name: 'worker', start: () => Promise.resolve(), stop: () => Promise.reject(new Error('peer gone')) };
    await parts.startAll([recorded('store', log), throwing, recorded('push', log, { hang: true, stopWithinMs: 20 })]);
    await parts.stopAll();
    expect(log).toEqual(['start store', 'start push', 'stop push', 'stop store']);
    expect(parts.current).toBeUndefined();
  });
});
