import { Type } from '@sinclair/typebox';
import { FleetAlertStore } from '../../store/fleet-alert-store.js';
import { SIGNED_IN, allow } from '../auth.js';
import { FleetAlertWithAppliancesModel } from '../models.js';
import type { ApiPlugin } from '../plugin.js';
import { problem, sendProblem } from '../problem.js';
import { errors, ItemsOf, signedInErrors, StringEnum } from '../schemas.js';

/** /api/v1/fleet/alerts: fleet red lights, one fault code on one model far above its baseline. */
export const fleetAlertRoutes: ApiPlugin = async (app, { ctx }) => {
  const alerts = new FleetAlertStore(ctx.store);

  app.get('', {
    config: SIGNED_IN,
    schema: {
      tags: ['fleet'],
      operationId: 'listFleetAlerts',
      summary: 'Fleet red lights: one fault code on one model far above its baseline',
      querystring: Type.Object({ status: Type.Optional(StringEnum(['open', 'closed'])) }),
      response: { 200: ItemsOf(FleetAlertWithAppliancesModel), ...signedInErrors },
    },
  }, async (request) => ({ items: ctx.fleet.list(request.query.status) }));

  app.post('/:alertId/close', {
    config: allow('manager', 'admin'),
    schema: {
      tags: ['fleet'],
      operationId: 'closeFleetAlert',
      summary: 'Close a fleet alert (it has been looked into)',
      params: Type.Object({ alertId: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: { 200: Type.Object({ alertId: Type.String(), status: Type.Literal('closed') }), ...errors },
    },
  }, async (request, reply) => {
    if (!(await alerts.close(request.params.alertId, ctx.clock.now()))) return sendProblem(reply, problem('GW_ERR_NOT_FOUND', `no fleet alert ${request.params.alertId}`, request.url));
    return { alertId: request.params.alertId, status: 'closed' as const };
  });
};
