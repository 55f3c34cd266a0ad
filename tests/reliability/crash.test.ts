import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { topics } from '@forecare/firmware-contracts';
import { ADMIN_TOKEN, tempDir, until } from '../support/gateway.js';
import { kill, spawnGateway, type GatewayProcess } from '../support/process.js';

const HUB = 'hub-crash';
const FRIDGE = 'hub-crash.fridge';

describe.each([
  ['on the event loop', 'off'],
  ['on their own thread', 'on'],
])('crash safety: SIGKILL mid-stream loses nothing that was acknowledged (rules %s)', (_where, rulesThread) => {
  const dataDir = tempDir();
  const env = { FORECARE_RULES_THREAD: rulesThread };
  const running: GatewayProcess[] = [];

  afterAll(async () => {
    for (const gw of running) await kill(gw, 'SIGTERM');
  });

  it('every PUBACKed message is in the journal after a kill and reaches the rules after restart', async () => {
    const first = await spawnGateway(dataDir, env);
    running.push(first);
    const res = await fetch(`http://127.0.0.1:${first.httpPort}/api/v1/hubs`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ hubId: HUB }) });
    const { password } = (await res.json()) as { password: string };
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${first.mqttPort}`, { username: HUB, password, protocolVersion: 4, reconnectPeriod: 0, clientId: 'crash-hub' });
    client.on('error', () => undefined);

    const acked = new Set<number>();
    let seq = 0;
    let killed = false;
    // The fault that must survive: acknowledged early, so the rules must see it after the restart.
    await client.publishAsync(topics.fault(HUB, FRIDGE), JSON.stringify({ ts: Date.now(), seq: ++seq, type: 'refrigerator', code: 'E-CMP-01', active: true }), { qos: 1 });
    acked.add(seq);
    const pump = async (): Promise<void> => {
      while (!killed) {
        const mySeq = ++seq;
        const payload = JSON.stringify({ ts: Date.now(), seq: mySeq, type: 'refrigerator', metrics: { fridge_temp_c: 4.2, compressor_duty: 0.4 } });
        const ok = await client.publishAsync(topics.telemetry(HUB, FRIDGE), payload, { qos: 1 }).then(
          () => true,
          () => false,
        );
        // A PUBACK that raced the kill still counts: it was sent, so the message must be durable.
        if (ok) acked.add(mySeq);
      }
    };
    const pumps = Array.from({ length: 16 }, pump);
    await until('a few thousand acknowledged', () => (acked.size >= 3000 ? true : undefined), 20_000);
    await kill(first, 'SIGKILL');
    killed = true;
    client.end(true);
    await Promise.allSettled(pumps);

    // The journal, read straight from the file the killed process left.
    const db = new Database(join(dataDir, 'journal.db'), { readonly: true });
    const rows = db.prepare("SELECT seq FROM journal WHERE hub_id = ? AND appliance_id = ?").all(HUB, FRIDGE) as { seq: number }[];
    db.close();
    const journaled = new Set(rows.map((r) => r.seq));
    const lost = [...acked].filter((s) => !journaled.has(s));
    expect(lost, `${lost.length} acknowledged messages missing`).toEqual([]);

    // Restart: the rules replay the journal; the compressor alarm and its ticket are there, once.
    const second = await spawnGateway(dataDir, env);
    running.push(second);
    const get = async <T>(path: string): Promise<T> => (await (await fetch(`http://127.0.0.1:${second.httpPort}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as T;
    const alarms = await until('the alarm after restart', async () => {
      const a = await get<{ items: { ruleId: string; applianceId: string | null }[] }>('/api/v1/alarms');
      return a.items.some((x) => x.ruleId === 'fault-code') ? a.items : undefined;
    });
    expect(alarms.filter((a) => a.ruleId === 'fault-code' && a.applianceId === FRIDGE)).toHaveLength(1);
    expect((await get<{ items: unknown[] }>('/api/v1/tickets')).items).toHaveLength(1);
    const check = new Database(join(dataDir, 'forecare.db'), { readonly: true });
    const cp = check.prepare("SELECT pos FROM checkpoints WHERE name = 'rules'").get() as { pos: number };
    check.close();
    const journal = new Database(join(dataDir, 'journal.db'), { readonly: true });
    const max = journal.prepare('SELECT max(pos) AS pos FROM journal').get() as { pos: number };
    journal.close();
    expect(cp.pos).toBe(max.pos);
  }, 60_000);
});
