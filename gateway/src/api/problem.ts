import type { Socket } from 'node:net';
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
  if (status >= 400 && status < 500) return sendProblem(reply, problem(codeOfStatus(status), err.message, request.url));
  request.log.error({ err }, 'request failed');
  return sendProblem(reply, problem('GW_ERR_INTERNAL', 'internal error; see the gateway log', request.url));
}

/** Our code for a framework's 4xx (an unparsable body, a body too large, a content type we do not take…). */
function codeOfStatus(status: number): ErrorCode {
  switch (status) {
    case 408:
      return 'GW_ERR_TIMEOUT';
    case 413:
      return 'GW_ERR_BODY_TOO_LARGE';
    case 414:
      return 'GW_ERR_URI_TOO_LONG';
    case 415:
      return 'GW_ERR_MEDIA_TYPE';
    case 431:
      return 'GW_ERR_HEADERS_TOO_LARGE';
    default:
      return 'GW_ERR_BAD_REQUEST';
  }
}

/** What the router refuses before any route runs (an undecodable path, a parameter past its length): problem bodies too. */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.raw.url ?? '';
  if (err.code === 'FST_ERR_BAD_URL') return sendProblem(reply, problem('GW_ERR_BAD_URL', 'the path is not valid percent-encoded UTF-8', path.slice(0, 200)));
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendProblem(reply, problem('GW_ERR_URI_TOO_LONG', 'a path parameter is longer than any id', path.slice(0, 200)));
  return sendProblem(reply, problem(codeOfStatus(err.statusCode ?? 400), err.message, path.slice(0, 200)));
}

/**
 * Errors Node's HTTP parser meets before there is a request (headers too large, bytes that are
 * not HTTP): answered on the socket with a problem body, then closed, like Node's own answer.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode = err.code === 'HPE_HEADER_OVERFLOW' ? 'GW_ERR_HEADERS_TOO_LARGE' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'GW_ERR_TIMEOUT' : 'GW_ERR_BAD_REQUEST';
  const p = problem(code, code === 'GW_ERR_BAD_REQUEST' ? 'the request is not valid HTTP/1.1' : ERRORS[code].title);
  const body = JSON.stringify(p);
  if (socket.writable) socket.write(`HTTP/1.1 ${p.status} ${p.title}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/problem+json\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy();
}
