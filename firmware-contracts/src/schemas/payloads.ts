import { Type, type Static } from '@sinclair/typebox';
import { APPLIANCE_TYPES } from '../catalog/types.js';
import { FOOD_CATEGORIES } from '../catalog/food.js';
import { ID_PATTERN_SOURCE } from '../ids.js';
import { DeviceTime, Seq, ShortText } from './common.js';

// Unknown extra fields are allowed everywhere (additionalProperties defaults to true):
// a v1 payload stays valid forever and firmware may add fields before the gateway knows them.

export const ApplianceTypeSchema = Type.Union(APPLIANCE_TYPES.map((t) => Type.Literal(t)), { description: 'Appliance type' });
export const FoodCategorySchema = Type.Union(FOOD_CATEGORIES.map((c) => Type.Literal(c)), { description: 'Food category' });

export const StatusPayload = Type.Object(
  {
    state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    ts: DeviceTime,
    seq: Type.Optional(Seq),
    firmware: Type.Optional(ShortText('Hub firmware version', 64)),
  },
  { $id: 'StatusPayload', description: 'Hub presence; also the last will (state offline).' },
);
export type StatusPayload = Static<typeof StatusPayload>;

export const HeartbeatPayload = Type.Object(
  {
    ts: DeviceTime,
    seq: Seq,
    uptimeS: Type.Optional(Type.Integer({ minimum: 0 })),
    appliances: Type.Optional(Type.Array(Type.String({ pattern: ID_PATTERN_SOURCE }), { maxItems: 256 })),
    firmware: Type.Optional(ShortText('Hub firmware version', 64)),
  },
  { $id: 'HeartbeatPayload' },
);
export type HeartbeatPayload = Static<typeof HeartbeatPayload>;

/** Metric and state names: lower snake case, as in the catalogs, safe as InfluxDB field keys and JSON pointer tokens. */
export const NAME_PATTERN_SOURCE = '^[a-z][a-z0-9_]{0,63}$';

export const MAX_METRICS = 64;
export const MAX_STATES = 32;
export const MAX_STATE_VALUE_LENGTH = 64;
export const MAX_SAMPLES = 500;

export const MetricValues = Type.Record(Type.String({ pattern: NAME_PATTERN_SOURCE }), Type.Union([Type.Number(), Type.Boolean()]), {
  maxProperties: MAX_METRICS,
  additionalProperties: false,
  description: 'Metric name to value, names and units from the appliance type catalog; unknown names are kept',
});
export const StateValues = Type.Record(Type.String({ pattern: NAME_PATTERN_SOURCE }), Type.Union([Type.String({ maxLength: MAX_STATE_VALUE_LENGTH }), Type.Boolean()]), {
  maxProperties: MAX_STATES,
  additionalProperties: false,
  description: 'State name to value (cycle phase, mode, door lock...), from the appliance type catalog; unknown names are kept',
});

export const TelemetrySample = Type.Object({ ts: DeviceTime, seq: Seq, metrics: MetricValues, state: Type.Optional(StateValues) });
export type TelemetrySample = Static<typeof TelemetrySample>;

export const TelemetryPayload = Type.Object(
  {
    ts: DeviceTime,
    seq: Seq,
    type: ApplianceTypeSchema,
    model: Type.Optional(ShortText('Appliance model', 64)),
    metrics: MetricValues,
    state: Type.Optional(StateValues),
    samples: Type.Optional(
      Type.Array(TelemetrySample, { maxItems: MAX_SAMPLES, description: 'Earlier samples batched into this message, oldest first' }),
    ),
  },
  { $id: 'TelemetryPayload' },
);
export type TelemetryPayload = Static<typeof TelemetryPayload>;

export const FaultPayload = Type.Object(
  {
    ts: DeviceTime,
    seq: Seq,
    type: ApplianceTypeSchema,
    code: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$', description: 'Fault code from the appliance type catalog; codes the catalog does not know yet are accepted' }),
    active: Type.Boolean({ description: 'true when raised, false when cleared' }),
    detail: Type.Optional(ShortText('Free text from firmware', 512)),
  },
  { $id: 'FaultPayload' },
);
export type FaultPayload = Static<typeof FaultPayload>;

export const FoodItem = Type.Object({
  itemId: Type.String({ pattern: ID_PATTERN_SOURCE }),
  name: ShortText('Item name as shown to the customer', 128),
  category: FoodCategorySchema,
  storedAt: DeviceTime,
  storage: Type.Optional(Type.Union([Type.Literal('fridge'), Type.Literal('freezer')])),
  expiresAt: Type.Optional(DeviceTime),
  quantity: Type.Optional(Type.Number({ minimum: 0 })),
});
export type FoodItem = Static<typeof FoodItem>;

export const InventoryPayload = Type.Object(
  {
    ts: DeviceTime,
    seq: Seq,
    type: ApplianceTypeSchema,
    items: Type.Array(FoodItem, { maxItems: 500, description: 'Full snapshot of the stored items' }),
  },
  { $id: 'InventoryPayload' },
);
export type InventoryPayload = Static<typeof InventoryPayload>;

export const NoticePayload = Type.Object(
  {
    ts: DeviceTime,
    kind: Type.Union([Type.Literal('rejected'), Type.Literal('ticket')]),
    code: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    topic: Type.Optional(Type.String()),
    seq: Type.Optional(Seq),
    errors: Type.Optional(Type.Array(Type.Object({ pointer: Type.String(), message: Type.String() }))),
    ticketId: Type.Optional(Type.String()),
    applianceId: Type.Optional(Type.String()),
    status: Type.Optional(Type.String({ description: 'Ticket status: open, assigned, scheduled, in_progress, resolved, closed, cancelled' })),
    title: Type.Optional(ShortText('What the ticket is about, for the hub screen', 256)),
    visitFrom: Type.Optional(Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description: 'Booked technician visit: start, epoch milliseconds (UTC)' })),
    visitTo: Type.Optional(Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description: 'Booked technician visit: end, epoch milliseconds (UTC)' })),
  },
  { $id: 'NoticePayload', description: 'Gateway to hub' },
);
export type NoticePayload = Static<typeof NoticePayload>;
