import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics, TELEMETRY_MEASUREMENT, type RunningGateway } from '@forecare/gateway';
import { api, connectHub, startTestGateway, tempDir, until } from '../support/gateway.js';

const dir = fileURLToPath(new URL('../../dashboards/grafana/dashboards/', import.meta.url));

interface Panel {
  title: string;
  datasource: { type: string; uid: string };
  targets: { expr?: string; query?: string; datasource?: { type: string; uid: string } }[];
}

interface Dashboard {
  __inputs?: { name: string; type: string; pluginId: string }[];
  templating?: { list: { name: string; type: string; query?: string }[] };
  panels: Panel[];
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

  const load = (file: string): Dashboard => JSON.parse(readFileSync(`${dir}${file}`, 'utf8')) as Dashboard;

  it('bind every datasource through an import input and a datasource variable of the same name (import and file provisioning both work)', () => {
    for (const file of dashboards) {
      const d = load(file);
      const inputs = new Map((d.__inputs ?? []).map((i) => [i.name, i]));
      const variables = new Map((d.templating?.list ?? []).filter((v) => v.type === 'datasource').map((v) => [v.name, v]));
      expect(inputs.size, file).toBeGreaterThan(0);
      for (const panel of d.panels) {
        for (const ds of [panel.datasource, ...panel.targets.flatMap((t) => (t.datasource === undefined ? [] : [t.datasource]))]) {
          const name = /^\$\{(\w+)\}$/.exec(ds.uid)?.[1];
          expect(name, `${file}: ${panel.title} uses a datasource input, not a fixed uid (${ds.uid})`).toBeDefined();
          expect(inputs.get(name ?? '')).toMatchObject({ type: 'datasource', pluginId: ds.type });
          expect(variables.get(name ?? '')?.query, `${file}: variable ${name}`).toBe(ds.type);
        }
      }
    }
  });

  it('every label a query selects on is one its metric declares', () => {
    const registry = new Metrics({ defaultMetrics: false }).registry;
    let checked = 0;
    for (const file of dashboards) {
      for (const panel of load(file).panels) {
        for (const t of panel.targets) {
          for (const [, metric, matchers] of (t.expr ?? '').matchAll(/\b(forecare_[a-z0-9_]+)\{([^}]*)\}/g)) {
            const declared = (registry.getSingleMetric((metric ?? '').replace(/_(bucket|sum|count)$/, '')) as { labelNames?: string[] } | undefined)?.labelNames ?? [];
            for (const [, label] of (matchers ?? '').matchAll(/(\w+)\s*(=|!=|=~|!~)\s*"/g)) {
              expect(declared, `${file}: ${panel.title}: ${metric} has label ${label}`).toContain(label);
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('Flux queries read the bucket the datasource is configured with, never a fixed name', () => {
    const flux = dashboards.flatMap((f) => load(f).panels.flatMap((p) => p.targets.flatMap((t) => (t.query === undefined ? [] : [t.query]))));
    expect(flux.length).toBeGreaterThan(0);
    for (const q of flux) {
      expect(q).toContain('from(bucket: v.defaultBucket)');
      expect(q).not.toMatch(/bucket:\s*"/);
    }
  });

  it('"Hubs connected" counts hubs only: a service account and an admin connected beside one hub leave it at 1', async () => {
    const panel = load('fleet.json').panels.find((p) => p.title === 'Hubs connected');
    expect(panel?.targets[0]?.expr).toBe('sum(forecare_mqtt_connections{role="hub"})');
    const http = api(gw);
    const hubPw = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-dash' })).body.password;
    const service = (await http.call<{ username: string; password: string }>('POST', '/api/v1/mqtt-clients', { name: 'dash-svc', role: 'service' })).body;
    const admin = (await http.call<{ username: string; password: string }>('POST', '/api/v1/mqtt-clients', { name: 'dash-admin', role: 'admin' })).body;
    const clients = [await connectHub(gw, 'hub-dash', hubPw), await connectHub(gw, service.username, service.password), await connectHub(gw, admin.username, admin.password)];
    try {
      const text = await until('three connections counted', async () => {
        const t = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
        return /^forecare_mqtt_connections\{role="admin"\} 1$/m.test(t) ? t : undefined;
      });
      expect(text).toMatch(/^forecare_mqtt_connections\{role="hub"\} 1$/m);
      expect(text).toMatch(/^forecare_mqtt_connections\{role="service"\} 1$/m);
    } finally {
      await Promise.all(clients.map((c) => c.endAsync()));
    }
  });
});
