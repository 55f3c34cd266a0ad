import { Type } from '@sinclair/typebox';
import { GatewayError } from '../../errors.js';
import { ROLES, type UserStore } from '../../users/user-store.js';
import { allow } from '../auth.js';
import { UserModel } from '../models.js';
import type { ApiPlugin } from '../plugin.js';
import { changeErrors, errors, ItemsOf, signedInErrors, Strict, StringEnum } from '../schemas.js';

const Role = StringEnum(ROLES);
const ADMIN = allow('admin');

/** /api/v1/users: console users, for admins. */
export const userRoutes: ApiPlugin<{ users: UserStore }> = async (app, { users }) => {
  app.get('', {
    config: ADMIN,
    schema: { tags: ['session'], operationId: 'listUsers', summary: 'Console users (admin)', response: { 200: ItemsOf(UserModel), ...signedInErrors } },
  }, async () => ({ items: users.list() }));

  app.post('', {
    config: ADMIN,
    schema: {
      tags: ['session'],
      operationId: 'addUser',
      summary: 'Add a console user (admin); the password is returned once when generated',
      body: Strict({ username: Type.String({ minLength: 2, maxLength: 64 }), role: Role, password: Type.Optional(Type.String({ minLength: 12, maxLength: 200 })) }),
      response: { 201: Type.Object({ username: Type.String(), role: Type.String(), password: Type.String({ description: 'shown once' }) }), ...changeErrors },
    },
  }, async (request, reply) => reply.code(201).send(await users.add(request.body.username, request.body.role, request.body.password)));

  app.patch('/:username', {
    config: ADMIN,
    schema: {
      tags: ['session'],
      operationId: 'updateUser',
      summary: "Change a user's role or disable them (admin); disabling ends their sessions",
      params: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) }),
      body: Strict({ role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()) }, { minProperties: 1 }),
      response: { 200: UserModel, ...errors },
    },
  }, async (request) => {
    // An admin cannot demote or disable the account they are using: the console would lock them out mid-change.
    if (request.caller?.username === request.params.username) throw new GatewayError('GW_ERR_VALIDATION', 'change your own account from another admin account');
    return users.update(request.params.username, request.body);
  });
};
