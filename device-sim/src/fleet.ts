import { SimHub, type SimOptions } from './hub.js';
import type { ScoredAlarm } from './score.js';

export interface ProvisionedHub {
  readonly hubId: string;
  readonly password: string;
}

/** Provisions hubs through the gateway API (POST /api/v1/hubs); an existing id is rotated to get fresh credentials. */
export async function provisionHubs(api: string, token: string, hubIds: readonly string[]): Promise<ProvisionedHub[]> {
  const out: ProvisionedHub[] = [];
  for (const hubId of hubIds) {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    let res = await fetch(new URL('/api/v1/hubs', api), { method: 'POST', headers, body: JSON.stringify({ hubId }) });
    if (res.status === 409) res = await fetch(new URL(`/api/v1/hubs/${encodeURIComponent(hubId)}/rotate`, api), { method: 'POST', headers, body: '{}' });
    if (!res.ok) throw new Error(`provisioning ${hubId} failed: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { hubId: string; password: string };
    out.push({ hubId: body.hubId, password: body.password });
  }
  return out;
}

export function hubIds(prefix: string, count: number): string[] {
  const width = String(count).length;
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(width, '0')}`);
}

/** Starts a fleet of simulated hubs. */
export async function startFleet(hubs: readonly ProvisionedHub[], base: Omit<SimOptions, 'hubId' | 'password'>): Promise<SimHub[]> {
  const fleet = hubs.map((h, i) => new SimHub({ ...base, hubId: h.hubId, password: h.password, seed: (base.seed ?? 1) + i }));
  for (const hub of fleet) await hub.connect();
  for (const hub of fleet) hub.start();
  return fleet;
}

/** Every alarm the gateway raised (GET /api/v1/alarms?all=true), each with when it was first raised and how often (from its history). */
export async function fetchScoredAlarms(api: string, token: string): Promise<ScoredAlarm[]> {
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(new URL(path, api), { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${path} failed: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const listed = (await get<{ items: { alarmKey: string; ruleId: string; hubId: string; applianceId: string | null; key: string }[] }>('/api/v1/alarms?all=true&limit=5000')).items;
  const alarms: ScoredAlarm[] = [];
  for (const a of listed) {
    const raised = (await get<{ history: { transition: string; at: number }[] }>(`/api/v1/alarms/${encodeURIComponent(a.alarmKey)}`)).history.filter((h) => h.transition === 'raised');
    alarms.push({ alarmKey: a.alarmKey, ruleId: a.ruleId, hubId: a.hubId, applianceId: a.applianceId, key: a.key, raisedAt: Math.min(...raised.map((h) => h.at)), raisedCount: raised.length });
  }
  return alarms;
}
