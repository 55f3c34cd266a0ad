import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { goldenFixtures, topics, type NoticePayload } from '@forecare/firmware-contracts';
import { api, connectHub, startTestGateway, tempDir, until } from '../support/gateway.js';

const HUB = 'hub-0001';

/** The contract's golden fixtures, sent over MQTT to a real gateway: valid ones are journaled, invalid ones answered with their reason. */
describe('golden fixtures through the gateway', () => {
  let gw: RunningGateway;
  let hub: MqttClient;
  const notices: NoticePayload[] = [];
  const fixtures = goldenFixtures().filter((f) => f.direction === 'uplink');
  const ours = fixtures.filter((f) => f.topic.startsWith(topics.hubPrefix(HUB)) && !/[+#]/.test(f.topic));

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    const creds = await api(gw).call<{ password: string }>('POST', '/api/v1/hubs', { hubId: HUB });
    hub = await connectHub(gw, HUB, creds.body.password);
    // Only refusals answer a fixture; ticket news (a fault fixture opens a ticket) is another story.
    hub.on('message', (_topic, payload) => {
      const notice = JSON.parse(payload.toString()) as NoticePayload;
      if (notice.kind === 'rejected') notices.push(notice);
    });
    await hub.subscribeAsync(topics.notices(HUB), { qos: 1 });
  });

  afterAll(async () => {
    hub?.end(true);
    await gw?.stop();
  });

  it('covers both outcomes', () => {
    expect(ours.filter((f) => f.valid).length).toBeGreaterThan(5);
    expect(ours.filter((f) => !f.valid).length).toBeGreaterThan(5);
  });

  it('every fixture under the hub prefix is journaled or refused with its labelled reason', async () => {
    const journal = () => (gw.ctx.store.journal.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n;
    for (const f of ours) {
      const before = { journal: journal(), notices: notices.length };
      await hub.publishAsync(f.topic, f.payload, { qos: 1 });
      if (f.valid) {
        // A valid message may still be a duplicate seq of an earlier fixture (dropped by dedupe); it is never refused.
        await new Promise((r) => setTimeout(r, 30));
        expect(notices.slice(before.notices), f.name).toEqual([]);
        expect(journal(), f.name).toBeGreaterThanOrEqual(before.journal);
      } else {
        const notice = await until(`notice for ${f.name}`, () => notices[before.notices]);
        expect(notice.code, f.name).toBe(`GW_REJECT_${(f.expect?.reason ?? '').toUpperCase().replace(/-/g, '_')}`);
        if (f.expect?.pointer !== undefined) expect(notice.errors?.map((e) => e.pointer), f.name).toContain(f.expect.pointer);
        expect(journal(), f.name).toBe(before.journal);
      }
    }
    expect(hub.connected).toBe(true);
    expect(journal()).toBeGreaterThan(0);
  });
});
