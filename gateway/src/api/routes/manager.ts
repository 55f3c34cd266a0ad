import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.js';
import { GatewayError } from '../../errors.js';
import { SLA_GROUPS, slaFigures, type SlaGroup } from '../../tickets/sla-figures.js';
import { allow } from '../auth.js';
import { errors } from '../schemas.js';

const DAY = 86_400_000;
const figures = {
  type: 'object',
  properties: {
    group: { type: 'string' }, tickets: { type: 'integer' }, onTimePct: { type: ['number', 'null'] }, medianAssignMs: { type: ['integer', 'null'] },
    medianRepairMs: { type: ['integer', 'null'] }, repeatRepairPct: { type: ['number', 'null'] }, day: { type: 'string' },
  },
} as const;

/** Service-level figures for managers: on time, time to assign, time to repair, repeat repairs, by team, region or model over a range. */
export function registerManagerRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.get<{ Querystring: { by?: SlaGroup; from?: number; to?: number } }>('/api/v1/sla', { config: allow('manager', 'admin'),
    schema: {
      tags: ['tickets'],
      summary: 'SLA figures over tickets opened in [from, to) (default the last 30 days), grouped by team, region or model, with a daily trend',
      querystring: { type: 'object', additionalProperties: false, properties: { by: { type: 'string', enum: [...SLA_GROUPS] }, from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 } } },
      response: {
        200: { type: 'object', properties: { by: { type: 'string' }, from: { type: 'integer' }, to: { type: 'integer' }, total: figures, groups: { type: 'array', items: figures }, trend: { type: 'array', items: figures } } },
        ...errors,
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
}
