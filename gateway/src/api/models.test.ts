import type { Static } from '@sinclair/typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AlarmRow } from '../alarms/alarm-store.js';
import type { ApplianceRow, CustomerRow } from '../customers/customer-registry.js';
import type { FleetAlertRow } from '../fleet/fleet-monitor.js';
import type { HubRecord } from '../hubs/hub-registry.js';
import type { DeliveryAttemptRow, OutboxRow } from '../outbox/outbox.js';
import type { Ticket, TicketEventRow } from '../tickets/ticket-service.js';
import type { QueueItem } from '../tickets/ticket-queue.js';
import type { UserRecord } from '../users/user-store.js';
import type { AlarmModel, ApplianceModel, DeliveryAttemptModel, FleetAlertModel, HubModel, TaskModel, UserModel } from './models.js';
import { CustomerModel } from './models.js';
import type { QueueItemModel, TicketEventModel, TicketModel } from './ticket-models.js';
import { startTestGateway } from './test-gateway.js';

/**
 * A response schema is also its serializer: a field it does not list is silently not sent. So
 * each model lists exactly its record's fields — checked here by the type checker (`tsc -b`
 * fails on a field added to a table and not to its model) and once at run time through a route.
 */
describe('response models list every field of their records', () => {
  it('by type: the keys of each model are the keys of its record', () => {
    expectTypeOf<keyof Static<typeof CustomerModel>>().toEqualTypeOf<keyof CustomerRow>();
    expectTypeOf<keyof Static<typeof ApplianceModel>>().toEqualTypeOf<keyof ApplianceRow>();
    expectTypeOf<keyof Static<typeof HubModel>>().toEqualTypeOf<keyof HubRecord>();
    expectTypeOf<keyof Static<typeof AlarmModel>>().toEqualTypeOf<keyof AlarmRow>();
    expectTypeOf<keyof Static<typeof TaskModel>>().toEqualTypeOf<keyof OutboxRow>();
    expectTypeOf<keyof Static<typeof DeliveryAttemptModel>>().toEqualTypeOf<keyof DeliveryAttemptRow>();
    expectTypeOf<keyof Static<typeof UserModel>>().toEqualTypeOf<keyof UserRecord>();
    expectTypeOf<keyof Static<typeof FleetAlertModel>>().toEqualTypeOf<keyof FleetAlertRow>();
    expectTypeOf<keyof Static<typeof TicketModel>>().toEqualTypeOf<keyof Ticket>();
    expectTypeOf<keyof Static<typeof TicketEventModel>>().toEqualTypeOf<keyof TicketEventRow>();
    expectTypeOf<keyof Static<typeof QueueItemModel>>().toEqualTypeOf<keyof QueueItem>();
  });

  it('at run time: a customer comes back through its route with every field it was stored with', async () => {
    const t = await startTestGateway();
    try {
      const made = await t.call('POST', '/api/v1/customers', { body: { name: 'Ada Lovelace', phone: '+44 20 7946 0000', quietStart: '22:00', quietEnd: '07:00', dailyCap: 2 } });
      expect(made.status).toBe(201);
      const got = await t.call('GET', `/api/v1/customers/${String(made.body.customerId)}`, { token: t.tokens.dispatcher });
      expect(Object.keys(got.body).sort()).toEqual([...Object.keys(CustomerModel.properties), 'appliances'].sort());
      expect(got.body).toMatchObject({ name: 'Ada Lovelace', phoneTail: '9460000', quietStart: '22:00', dailyCap: 2, email: null, consentFood: true, appliances: [] });
    } finally {
      await t.stop();
    }
  });
});
