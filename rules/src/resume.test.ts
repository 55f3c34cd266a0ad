import { describe, expect, it } from 'vitest';
import type { AlarmEvent, EngineInput } from './api.js';
import { Engine, type EngineOptions } from './engine.js';
import { HOUR, MIN, rules, T0, warmRule } from './test-kit.js';

// The gateway was down (stopped, crashed, being upgraded) for a while: no hub could reach it,
// so that time is no hub's silence. Found by outside testing: after a 30-minute outage the
// restart raised a hub-offline alarm, and a ticket, for every hub of the fleet.
const RULES = `
id: gone
kind: hub-offline
raises: [ticket]
params: { silentFor: 10m, graceFor: 5m }
---
id: quiet
kind: appliance-offline
appliesTo: [refrigerator]
raises: [ticket]
params: { silentFor: 20m }
---
id: stale-temp
kind: stale
appliesTo: [refrigerator]
raises: [ticket]
params: { metric: temp_c, after: 1h }
`;
const opts = (): EngineOptions => ({ rules: rules(RULES), trackChanges: true });
const heartbeat = (hubId: string, at: number, seq: number): EngineInput => ({ kind: 'heartbeat', hubId, seq, deviceTs: at, at });
const reading = (hubId: string, at: number, seq: number): EngineInput => ({ kind: 'telemetry', hubId, applianceId: 'fridge-1', applianceType: 'refrigerator', seq, deviceTs: at, at, metrics: { temp_c: 4 } });
const will = (hubId: string, at: number): EngineInput => ({ kind: 'status', hubId, state: 'offline', at });

/** The engine as a restarted gateway gets it back: from its checkpoint. */
function restarted(e: Engine): Engine {
  return Engine.restore(e.snapshot(), opts());
}

/** Heartbeats from `hubId` every 5 minutes in [from, to]. */
function keepAlive(e: Engine, hubId: string, from: number, to: number, seq: number): AlarmEvent[] {
  const out: AlarmEvent[] = [];
  for (let at = from; at <= to; at += 5 * MIN) out.push(...e.ingest(heartbeat(hubId, at, seq++)));
  return out;
}

describe('a gateway outage is nobody’s silence', () => {
  it('without resume (the old behaviour) every hub alarms at the first tick after a long outage: the failure this guards', () => {
    const e = new Engine(opts());
    for (const hub of ['h1', 'h2', 'h3']) e.ingest(heartbeat(hub, T0, 1));
    const back = restarted(e);
    expect(back.tick(T0 + 30 * MIN).filter((x) => x.ruleId === 'gone')).toHaveLength(3);
  });

  it('after resume, hubs that reconnect soon raise nothing; one that stays away raises when its silence, outage left out, reaches silentFor, with its real last-heard time', () => {
    const e = new Engine(opts());
    for (const hub of ['h1', 'h2', 'h3']) e.ingest(reading(hub, T0, 1));
    e.tick(T0 + 2 * MIN); // the gateway's last tick before it went down: 2 minutes of real silence
    const back = restarted(e);
    const restart = T0 + 30 * MIN;
    expect(back.resume(restart)).toEqual({ outageMs: 28 * MIN, events: [] });
    back.ingest(reading('h1', restart + 20_000, 2));
    back.ingest(reading('h2', restart + 40_000, 2));
    // h3 never comes back: 2 minutes before the outage and 8 after it make its 10.
    expect(back.tick(restart + 8 * MIN - 1_000)).toEqual([]);
    const raised = back.tick(restart + 9 * MIN);
    expect(raised.map((x) => [x.ruleId, x.hubId, x.transition, x.at])).toEqual([['gone', 'h3', 'raised', restart + 8 * MIN]]);
    expect(raised[0]?.facts).toMatchObject({ silentSinceMs: T0 });
    keepAlive(back, 'h1', restart + 5 * MIN, restart + 20 * MIN, 3);
    keepAlive(back, 'h2', restart + 5 * MIN, restart + 20 * MIN, 3);
    // h3's fridge is not called silent behind an offline hub; h1's and h2's fridges spoke after the restart.
    expect(back.tick(restart + 20 * MIN)).toEqual([]);
  });

  it('appliance silence and stale readings are measured without the outage too; a fridge quiet behind a live hub still alarms', () => {
    const e = new Engine(opts());
    e.ingest(reading('h1', T0, 1));
    e.tick(T0 + MIN);
    const back = restarted(e);
    const restart = T0 + 45 * MIN;
    back.resume(restart);
    // The hub is back, its fridge says nothing: 1 minute of silence before the outage, 19 after it.
    expect(keepAlive(back, 'h1', restart + 5_000, restart + 19 * MIN - 1_000, 2)).toEqual([]);
    expect(back.tick(restart + 19 * MIN - 1_000)).toEqual([]);
    expect(back.tick(restart + 20 * MIN).map((x) => [x.ruleId, x.transition])).toEqual([['quiet', 'raised']]);
    expect(keepAlive(back, 'h1', restart + 20 * MIN + 5_000, restart + HOUR - 2 * MIN, 6)).toEqual([]);
    expect(back.tick(restart + HOUR - 2 * MIN)).toEqual([]);
    expect(back.tick(restart + HOUR).map((x) => [x.ruleId, x.transition])).toEqual([['stale-temp', 'raised']]);
  });

  it('a hub whose last will was in its grace period when the gateway stopped gets the rest of its grace from the restart', () => {
    const e = new Engine(opts());
    e.ingest(heartbeat('h1', T0, 1));
    e.ingest(will('h1', T0 + MIN));
    e.tick(T0 + 2 * MIN);
    const back = restarted(e);
    const restart = T0 + HOUR;
    back.resume(restart);
    expect(back.tick(restart + 3 * MIN)).toEqual([]);
    const raised = back.tick(restart + 5 * MIN);
    expect(raised.map((x) => [x.ruleId, x.at])).toEqual([['gone', T0 + MIN]]); // dated the moment it left
  });

  it('timers that are not about silence (a threshold held, a food digest) fire at resume as a tick would', () => {
    const warm = { rules: rules(warmRule()) };
    const e = new Engine(warm);
    e.ingest({ kind: 'telemetry', hubId: 'h1', applianceId: 'fridge-1', applianceType: 'refrigerator', seq: 1, deviceTs: T0, at: T0, metrics: { fridge_temp_c: 12 } });
    e.tick(T0 + MIN);
    const back = Engine.restore(e.snapshot(), warm);
    expect(back.resume(T0 + HOUR).events.map((x) => [x.ruleId, x.transition])).toEqual([['warm', 'raised']]);
  });

  it('a short restart moves nothing, and the shift is kept in the checkpoint: a second restart does not count the first outage again', () => {
    const e = new Engine(opts());
    e.ingest(heartbeat('h1', T0, 1));
    e.tick(T0 + MIN);
    expect(restarted(e).resume(T0 + MIN + 5_000).outageMs).toBe(0);
    const back = restarted(e);
    expect(back.resume(T0 + 31 * MIN).outageMs).toBe(30 * MIN);
    const again = restarted(back); // it crashed right after the restart: the next start reads what resume left
    expect(again.resume(T0 + 31 * MIN + 2_000).outageMs).toBe(0);
    expect(again.tick(T0 + 39 * MIN)).toEqual([]);
    expect(again.tick(T0 + 41 * MIN).map((x) => x.ruleId)).toEqual(['gone']);
  });

  it('the shifted timers are in the next checkpoint’s changes', () => {
    const e = new Engine(opts());
    for (const hub of ['h1', 'h2']) e.ingest(reading(hub, T0, 1));
    e.tick(T0 + MIN);
    const back = restarted(e);
    back.takeChanges();
    back.resume(T0 + HOUR);
    const changes = back.takeChanges();
    expect(changes.hubs.map(([id, h]) => [id, h.due])).toEqual([
      ['h1', T0 + 10 * MIN + 59 * MIN],
      ['h2', T0 + 10 * MIN + 59 * MIN],
    ]);
    expect(changes.appliances).toHaveLength(2);
    expect(changes.wheel).toBe(T0 + HOUR);
  });
});
