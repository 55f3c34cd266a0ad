import { Type } from '@sinclair/typebox';
import { GatewayError } from '../../errors.js';
import { SLA_GROUPS, slaFigures } from '../../tickets/sla-figures.js';
import { allow } from '../auth.js';
import type { ApiPlugin } from '../plugin.js';
import { Nullable, signedInErrors, Strict, StringEnum } from '../schemas.js';

const DAY = 86_400_000;
const figureFields = {
  group: Type.String(),
  tickets: Type.Integer(),
  onTimePct: Nullable(Type.Number()),
  medianAssignMs: Nullable(Type.Integer()),
  medianRepairMs: Nullable(Type.Integer()),
  repeatRepairPct: Nullable(Type.Number()),
};
const Figures = Type.Object(figureFields);

/** /api/v1/sla: service-level figures for managers: on time, time to assign, time to repair, repeat repairs, by team, region or model over a range. */
export const slaRoutes: ApiPlugin = async (app, { ctx }) => {
  app.get('', {
    config: allow('manager', 'admin'),
    schema: {
      tags: ['tickets'],
      operationId: 'getSlaFigures',
      summary: 'SLA figures over tickets opened in [from, to), grouped by team, region or model, with a daily trend',
      description: 'The range defaults to the last 30 days and is at most 366 days.',
      querystring: Strict({ by: Type.Optional(StringEnum(SLA_GROUPS)), from: Type.Optional(Type.Integer({ minimum: 0 })), to: Type.Optional(Type.Integer({ minimum: 0 })) }),
      response: {
        200: Type.Object({ by: Type.String(), from: Type.Integer(), to: Type.Integer(), total: Figures, groups: Type.Array(Figures), trend: Type.Array(Type.Object({ ...figureFields, day: Type.String() })) }),
        ...signedInErrors,
      },
    },
  }, async (request) => {
    const now = ctx.clock.now();
    const to = request.query.to ?? now;
    const from = request.query.from ?? to - 30 * DAY;
    if (from >= to) throw new GatewayError('GW_ERR_VALIDATION', 'from must be before to');
    if (to - from > 366 * DAY) throw new GatewayError('GW_ERR_VALIDATION', 'a range is at most 366 days');
    const by = request.query.by ?? 'region';
    return { by, from, to, ...slaFigures(ctx.store, by, from, to, now, ctx.tickets.slaPolicy.assignWithinMs) };
  });
};
