import { Type } from '@sinclair/typebox';
import { APPLIANCE_TYPES, ID_PATTERN_SOURCE } from '@forecare/firmware-contracts';
import { GatewayError } from '../../errors.js';
import { allow } from '../auth.js';
import { ApplianceModel } from '../models.js';
import type { ApiPlugin } from '../plugin.js';
import { errors, ItemsOf, signedInErrors, Strict, StringEnum } from '../schemas.js';

const DESK = allow('dispatcher', 'manager', 'admin');

/** /api/v1/appliances: the appliance registry; an appliance is (hubId, applianceId). */
export const applianceRoutes: ApiPlugin = async (app, { ctx }) => {
  app.post('', {
    config: DESK,
    schema: {
      tags: ['customers'],
      operationId: 'registerAppliance',
      summary: 'Register an appliance behind a hub (or update it) and link it to a customer; an appliance is (hubId, applianceId)',
      body: Strict({
        applianceId: Type.String({ pattern: ID_PATTERN_SOURCE }),
        hubId: Type.String({ pattern: ID_PATTERN_SOURCE }),
        customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
        type: StringEnum(APPLIANCE_TYPES),
        model: Type.Optional(Type.String({ maxLength: 64 })),
        serial: Type.Optional(Type.String({ maxLength: 64 })),
        installedAt: Type.Optional(Type.Integer({ minimum: 0 })),
        warrantyUntil: Type.Optional(Type.Integer({ minimum: 0 })),
      }),
      response: { 201: ApplianceModel, ...errors },
    },
  }, async (request, reply) => {
    if (ctx.hubs.get(request.body.hubId) === undefined) throw new GatewayError('GW_ERR_HUB_UNKNOWN', `hub ${request.body.hubId} is not provisioned`);
    // (hub, appliance) is the identity: another home's `fridge-1` is another appliance; the same one again updates it.
    return reply.code(201).send(ctx.customers.registerAppliance(request.body));
  });

  app.get('', {
    config: DESK,
    schema: {
      tags: ['customers'],
      operationId: 'listAppliances',
      summary: "Registered appliances: a hub's, a customer's, or all",
      querystring: Type.Object({ hubId: Type.Optional(Type.String({ maxLength: 128 })), customerId: Type.Optional(Type.String({ maxLength: 128 })) }),
      response: { 200: ItemsOf(ApplianceModel), ...signedInErrors },
    },
  }, async (request) => {
    const { hubId, customerId } = request.query;
    if (hubId !== undefined) return { items: ctx.customers.appliancesOfHub(hubId) };
    if (customerId !== undefined) return { items: ctx.customers.appliancesOfCustomer(customerId) };
    return { items: ctx.customers.allAppliances() };
  });
};
