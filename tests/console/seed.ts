import type { AlarmEvent } from '@forecare/rules';
import type { RunningGateway } from '@forecare/gateway';
import { api } from '../support/gateway.js';

export const PASSWORD = (user: string): string => `${user}-password-123`;
export const USERS = { dana: 'dispatcher', erik: 'engineer', mia: 'manager', ada: 'admin' } as const;

export interface Seeded {
  hubPassword: string;
  safetyId: string;
  breachedId: string;
  oldestNewId: string;
}

/** A ticket as an alarm opens it, through the ticket service (the path the rules take), many per second. */
function open(gw: RunningGateway, hubId: string, applianceId: string | undefined, faultClass: string, title: string, severity: AlarmEvent['severity'] = 'warning'): string {
  const now = gw.ctx.clock.now();
  const event: AlarmEvent = {
    transition: 'raised', alarmKey: `${hubId}/${applianceId ?? ''}|seed|${faultClass}`, ruleId: faultClass, ruleVersion: 0, hubId, applianceId,
    key: faultClass, severity, raises: ['ticket'], title, at: now, count: 1, firstSeen: now, lastSeen: now, level: 0,
  };
  return gw.ctx.store.transaction(() => gw.ctx.tickets.openOrAttach(event)).ticket.ticketId;
}

/**
 * The fleet the console tests run on: four users (one per role), a customer in Shanghai with a
 * fridge, a safety ticket and an SLA-breached one opened early, then 520 newer tickets — more
 * than the first console's 500-row list held.
 */
export async function seedFleet(gw: RunningGateway, newer = 520): Promise<Seeded> {
  const http = api(gw);
  for (const [username, role] of Object.entries(USERS)) {
    const r = await http.call('POST', '/api/v1/users', { username, role, password: PASSWORD(username) });
    if (r.status !== 201) throw new Error(`seed user ${username}: ${r.status}`);
  }
  const hubPassword = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-ui' })).body.password;
  await http.call('POST', '/api/v1/hubs', { hubId: 'hub-bulk' });
  await http.call('POST', '/api/v1/customers', { customerId: 'cus-wang', name: 'Wang Fang', phone: '+86 21 5555 0101', address: '88 Nanjing Rd, Shanghai', region: 'East', language: 'zh', timezone: 'Asia/Shanghai' });
  await http.call('POST', '/api/v1/appliances', { applianceId: 'fridge-1', hubId: 'hub-ui', customerId: 'cus-wang', type: 'refrigerator', model: 'RF-500' });
  await http.call('POST', '/api/v1/appliances', { applianceId: 'washer-1', hubId: 'hub-ui', type: 'washer' });
  const safetyId = open(gw, 'hub-ui', 'washer-1', 'leak', 'Water leak under the washer', 'safety');
  const breachedId = open(gw, 'hub-ui', 'fridge-1', 'cooling', 'Fridge too warm for hours', 'warning');
  // Opened a day ago and nobody assigned it: past the assignment deadline.
  gw.ctx.store.sqlite.prepare('UPDATE tickets SET opened_at = opened_at - 86400000, updated_at = updated_at - 86400000 WHERE ticket_id IN (?, ?)').run(safetyId, breachedId);
  let oldestNewId = '';
  for (let i = 0; i < newer; i++) {
    const id = open(gw, 'hub-bulk', `dev-${i}`, `bulk-${i % 7}`, `Routine check ${i}`, 'info');
    if (i === 0) oldestNewId = id;
  }
  return { hubPassword, safetyId, breachedId, oldestNewId };
}
