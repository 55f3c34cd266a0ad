import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isGatewayError, type ErrorCode, ERRORS } from '../errors.js';

/** RFC 9457 problem body; `code` is our stable error code. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance?: string;
  readonly errors?: readonly { pointer: string; message: string }[];
}

export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    instance: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { pointer: { type: 'string' }, message: { type: 'string' } } } },
  },
} as const;

export function problem(code: ErrorCode, detail: string, instance?: string, errors?: Problem['errors']): Problem {
  const spec = ERRORS[code];
  return {
    type: `https://forecare.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: spec.title,
    status: spec.status,
    detail,
    code,
    ...(instance !== undefined ? { instance } : {}),
    ...(errors !== undefined ? { errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}

/** Every error leaves the API as a problem body: ours with their code, schema failures as 400, the rest as 500 without internals. */
export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isGatewayError(err)) return sendProblem(reply, problem(err.code, err.message, request.url));
  if (err.validation !== undefined) {
    const errors = err.validation.map((v) => ({ pointer: v.instancePath === '' ? `/${err.validationContext ?? ''}` : v.instancePath, message: v.message ?? 'invalid' }));
    return sendProblem(reply, problem('GW_ERR_VALIDATION', err.message, request.url, errors));
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return sendProblem(reply, { type: 'about:blank', title: err.code ?? 'Bad request', status, detail: err.message, code: err.code ?? 'GW_ERR_REQUEST' });
  }
  request.log.error({ err }, 'request failed');
  return sendProblem(reply, problem('GW_ERR_INTERNAL', 'internal error; see the gateway log', request.url));
}
