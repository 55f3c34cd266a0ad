import { Type } from '@sinclair/typebox';
import { ID_PATTERN_SOURCE } from '@forecare/firmware-contracts';
import { GatewayError } from '../../errors.js';
import { allow } from '../auth.js';
import { ApplianceModel, CustomerModel } from '../models.js';
import type { ApiPlugin } from '../plugin.js';
import { changeErrors, errors, IdParam, ItemsOf, Nullable, signedInErrors, Strict, StringEnum } from '../schemas.js';

const hhmm = () => Nullable(Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' }));
const customerFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  phone: Type.String({ minLength: 3, maxLength: 32, pattern: '^\\+?[0-9 ()./-]+$' }),
  email: Type.String({ maxLength: 200 }),
  address: Type.String({ maxLength: 500 }),
  region: Type.String({ maxLength: 100 }),
  language: StringEnum(['en', 'zh']),
  channel: StringEnum(['voice', 'sms', 'push']),
  timezone: Type.String({ maxLength: 64, description: 'an IANA time zone' }),
  quietStart: hhmm(),
  quietEnd: hhmm(),
  /** The household's food digest hour, HH:MM in its time zone (null: the food rule's own, 08:00). */
  digestAt: hhmm(),
  consentRepair: Type.Boolean(),
  consentFood: Type.Boolean(),
  consentMarketing: Type.Boolean(),
  dailyCap: Type.Integer({ minimum: 0, maximum: 100 }),
};
const { name, phone, ...optionalFields } = customerFields;
const optional = Type.Partial(Type.Object(optionalFields)).properties;
const NewCustomer = Strict({ customerId: Type.Optional(Type.String({ pattern: ID_PATTERN_SOURCE })), name, phone, ...optional });
const CustomerChange = Strict({ name: Type.Optional(name), phone: Type.Optional(phone), ...optional });
const DESK = allow('dispatcher', 'manager', 'admin');

function validTimeZone(tz: string | undefined): void {
  if (tz === undefined) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new GatewayError('GW_ERR_VALIDATION', `timezone "${tz}" is not an IANA time zone`);
  }
}

/** /api/v1/customers: customers and their contact preferences. */
export const customerRoutes: ApiPlugin = async (app, { ctx }) => {
  app.post('', {
    config: DESK,
    schema: { tags: ['customers'], operationId: 'createCustomer', summary: 'Register a customer with contact preferences', body: NewCustomer, response: { 201: CustomerModel, ...changeErrors } },
  }, async (request, reply) => {
    validTimeZone(request.body.timezone);
    return reply.code(201).send(ctx.customers.create(request.body));
  });

  app.get('', {
    config: DESK,
    schema: { tags: ['customers'], operationId: 'listCustomers', summary: 'Customers', response: { 200: ItemsOf(CustomerModel), ...signedInErrors } },
  }, async () => ({ items: ctx.customers.list() }));

  app.get('/:customerId', {
    config: DESK,
    schema: {
      tags: ['customers'],
      operationId: 'getCustomer',
      summary: 'One customer with their appliances',
      params: IdParam('customerId'),
      response: { 200: Type.Object({ ...CustomerModel.properties, appliances: Type.Array(ApplianceModel) }), ...errors },
    },
  }, async (request) => {
    const c = ctx.customers.require(request.params.customerId);
    return { ...c, appliances: ctx.customers.appliancesOfCustomer(c.customerId) };
  });

  app.patch('/:customerId', {
    config: DESK,
    schema: { tags: ['customers'], operationId: 'updateCustomer', summary: 'Change contact details or preferences', params: IdParam('customerId'), body: CustomerChange, response: { 200: CustomerModel, ...errors } },
  }, async (request) => {
    validTimeZone(request.body.timezone);
    return ctx.customers.update(request.params.customerId, request.body);
  });
};
