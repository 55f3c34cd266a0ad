import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELEMETRY_MEASUREMENT, type RunningGateway } from '@forecare/gateway';
import { startTestGateway, tempDir } from '../support/gateway.js';

const dir = fileURLToPath(new URL('../../dashboards/grafana/dashboards/', import.meta.url));

interface Panel {
  title: string;
  datasource: { type: string };
  targets: { expr?: string; query?: string }[];
}

describe('Grafana dashboards', () => {
  let gw: RunningGateway;
  let families: Set<string>;

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    const text = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    families = new Set([...text.matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap((m) => (m[2] === 'histogram' ? [m[1] ?? '', `${m[1] ?? ''}_bucket`, `${m[1] ?? ''}_sum`, `${m[1] ?? ''}_count`] : [m[1] ?? ''])));
  });
  afterAll(async () => {
    await gw?.stop();
  });

  const dashboards = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('ship fleet health, ingest and service', () => {
    expect(dashboards.sort()).toEqual(['fleet.json', 'ingest.json', 'service.json']);
  });

  it('every panel query names a metric the gateway really emits, or the telemetry measurement it writes', () => {
    let checked = 0;
    for (const file of dashboards) {
      const d = JSON.parse(readFileSync(`${dir}${file}`, 'utf8')) as { panels: Panel[] };
      for (const panel of d.panels) {
        expect(panel.targets.length, `${file}: ${panel.title}`).toBeGreaterThan(0);
        for (const t of panel.targets) {
          if (panel.datasource.type === 'prometheus') {
            const names = [...(t.expr ?? '').matchAll(/\bforecare_[a-z0-9_]+/g)].map((m) => m[0]);
            expect(names.length, `${file}: ${panel.title} names a forecare metric`).toBeGreaterThan(0);
            for (const n of names) expect(families.has(n), `${file}: ${panel.title}: ${n} is emitted by the gateway`).toBe(true);
          } else {
            expect(t.query, `${file}: ${panel.title}`).toContain(`r._measurement == "${TELEMETRY_MEASUREMENT}"`);
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(15);
  });
});
