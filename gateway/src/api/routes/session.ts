import { Type } from '@sinclair/typebox';
import type { LoginLimiter } from '../../broker/login-limiter.js';
import type { UserStore } from '../../users/user-store.js';
import { PUBLIC, SIGNED_IN, bearerOf } from '../auth.js';
import type { ApiPlugin } from '../plugin.js';
import { problem, sendProblem } from '../problem.js';
import { NoContent, Strict, problems, signedInErrors } from '../schemas.js';

const Session = Type.Object({ token: Type.String(), role: Type.String(), username: Type.String(), expiresAt: Type.Integer({ description: 'epoch milliseconds' }) });
const Caller = Type.Object({ username: Type.String(), role: Type.String() });

/** /api/v1/session: console sign-in and sign-out. */
export const sessionRoutes: ApiPlugin<{ users: UserStore; limiter: LoginLimiter }> = async (app, { ctx, users, limiter }) => {
  app.post('', {
    config: PUBLIC,
    schema: {
      tags: ['session'],
      operationId: 'signIn',
      summary: 'Sign in to the console: a session token for the user, with their role',
      body: Strict({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }) }),
      response: { 201: Session, ...problems(400, 401, 429) },
    },
  }, async (request, reply) => {
    const { username, password } = request.body;
    // Guessing is refused per (user, address) and per address before any password work; guesses
    // from elsewhere only slow a user down, so they cannot lock the real user out.
    const verdict = limiter.begin(username, request.ip, ctx.clock.now());
    if (verdict.kind === 'refuse') {
      ctx.metrics.loginFailures.inc({ reason: `console-rate-limited-${verdict.limit}` });
      request.log.warn({ username, address: request.ip, limit: verdict.limit }, 'console sign-in refused: too many failures');
      void reply.header('retry-after', String(Math.ceil(verdict.retryAfterMs / 1000)));
      return sendProblem(reply, problem('GW_ERR_TOO_MANY_LOGINS', `too many failed sign-ins for ${verdict.limit === 'pair' ? 'this user from this address' : 'this address'}; try again in ${Math.ceil(verdict.retryAfterMs / 1000)} s`, request.url));
    }
    if (verdict.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, verdict.delayMs));
    const s = await users.signIn(username, password);
    if (s === undefined) {
      ctx.metrics.loginFailures.inc({ reason: 'console' });
      return sendProblem(reply, problem('GW_ERR_UNAUTHORIZED', 'wrong user name or password', request.url));
    }
    limiter.succeeded(username, request.ip, ctx.clock.now());
    return reply.code(201).send({ ...s, username });
  });

  app.get('', {
    config: SIGNED_IN,
    schema: { tags: ['session'], operationId: 'getSession', summary: 'Who is signed in, with their role', response: { 200: Caller, ...signedInErrors } },
  }, async (request) => {
    // The access check sets the caller on every route that is not public.
    const who = request.caller;
    if (who === undefined) throw new Error('a signed-in route ran without a caller');
    return who;
  });

  app.delete('', {
    config: SIGNED_IN,
    schema: { tags: ['session'], operationId: 'signOut', summary: 'Sign out: the session token stops working', response: { 204: NoContent, ...signedInErrors } },
  }, async (request, reply) => {
    const token = bearerOf(request);
    if (token !== undefined) users.signOut(token);
    return reply.code(204).send(null);
  });
};
