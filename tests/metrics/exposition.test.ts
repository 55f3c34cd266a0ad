import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@forecare/gateway';
import { api, connectHub, refusedCode, startTestGateway, tempDir, until } from '../support/gateway.js';

// promtool comes with Debian's `prometheus` package; the pretest step installs it when missing.
const PROMTOOL = '/usr/bin/promtool';

describe('/metrics under Prometheus tooling', () => {
  let gw: RunningGateway;
  let text: string;

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    // Traffic first, so labelled counters and histograms have series to check, not only HELP lines.
    const http = api(gw);
    const { body } = await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-prom' });
    const hub = await connectHub(gw, 'hub-prom', body.password);
    await hub.publishAsync('forecare/v1/hub-prom/appliances/fridge-1/telemetry', JSON.stringify({ ts: Date.now(), seq: 1, type: 'refrigerator', metrics: { fridge_temp_c: 4 } }), { qos: 1 });
    await hub.publishAsync('forecare/v1/hub-prom/appliances/fridge-1/telemetry', '{"not":"valid"}', { qos: 1 });
    await hub.endAsync();
    expect(await refusedCode(connectHub(gw, 'hub-prom', 'wrong-password'))).toBe(4);
    text = await until('metrics with traffic', async () => {
      const t = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
      return /^forecare_puback_seconds_count \d*[1-9]/m.test(t) && /^forecare_dead_letters_total\{/m.test(t) ? t : undefined;
    });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('passes promtool check metrics with no finding', () => {
    const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });

  it('promtool does find a gauge named *_total (the check can fail)', () => {
    const bad = '# HELP nodejs_active_handles_total Number of active handles.\n# TYPE nodejs_active_handles_total gauge\nnodejs_active_handles_total 3\n';
    const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: bad, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/should not have "_total" suffix/);
  });

  it('exports the Node.js process metrics by the names standard dashboards query', () => {
    const families = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds', 'nodejs_version_info', 'nodejs_active_handles']) {
      expect(families, name).toContain(name);
    }
    expect([...families].filter((n) => n?.startsWith('forecare_process_'))).toEqual([]);
  });
});
