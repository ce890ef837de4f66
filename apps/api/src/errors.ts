import { ERROR_CODES, isErrorCode } from '@xdv/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

// RFC 9457 problem+json for every error, with a stable `code`, including malformed requests.

export const API_ERRORS = {
  HV_UNAUTHENTICATED: 401,
  HV_BAD_REQUEST: 400,
  HV_NOT_ACCEPTABLE: 406,
  HV_METHOD_NOT_ALLOWED: 405,
  HV_ROUTE_NOT_FOUND: 404,
  HV_PAYLOAD_TOO_LARGE: 413,
  HV_URI_TOO_LONG: 414,
  HV_UNSUPPORTED_MEDIA_TYPE: 415,
  HV_RATE_LIMITED: 429,
  HV_PRECONDITION_FAILED: 412,
  HV_IDEMPOTENCY_MISMATCH: 422,
  HV_TRACE_BROKEN: 503,
  HV_UNAVAILABLE: 503,
  HV_INTERNAL: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode | keyof typeof ERROR_CODES,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
  get status(): number {
    return statusOf(this.code);
  }
}

export function statusOf(code: string): number {
  if (isErrorCode(code)) return ERROR_CODES[code];
  return (API_ERRORS as Record<string, number>)[code] ?? 500;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  [k: string]: unknown;
}

export function problem(
  code: string,
  detail: string,
  instance?: string,
  extra: Record<string, unknown> = {},
): Problem {
  const status = statusOf(code);
  return {
    type: `https://xdv.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: code,
    status,
    code,
    detail,
    ...(instance ? { instance } : {}),
    ...extra,
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}

/** Map anything thrown into a problem: our errors keep their code; Fastify's get one by their kind. */
export function errorHandler(
  err: FastifyError | ApiError | Error,
  req: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const instance = req.url.split('?')[0];
  if (err instanceof ApiError) return sendProblem(reply, problem(err.code, err.message, instance, err.extra));
  const fe = err as FastifyError & { code?: unknown };
  if (typeof fe.code === 'string' && (isErrorCode(fe.code) || fe.code in API_ERRORS))
    return sendProblem(reply, problem(fe.code, fe.message, instance));
  if (fe.validation) {
    const where = fe.validationContext ?? 'request';
    return sendProblem(
      reply,
      problem('HV_BAD_REQUEST', `Invalid ${where}: ${fe.message}`, instance, {
        errors: fe.validation.map((v) => ({ path: v.instancePath, message: v.message })),
      }),
    );
  }
  const status = fe.statusCode ?? 500;
  if (status === 413)
    return sendProblem(
      reply,
      problem('HV_PAYLOAD_TOO_LARGE', 'The request body is larger than the limit.', instance),
    );
  if (status === 415)
    return sendProblem(reply, problem('HV_UNSUPPORTED_MEDIA_TYPE', 'Send application/json.', instance));
  if (status === 429)
    return sendProblem(
      reply,
      problem(
        'HV_RATE_LIMITED',
        'Too many requests for this token; slow down and retry after the Retry-After delay.',
        instance,
      ),
    );
  if (status === 406) return sendProblem(reply, problem('HV_NOT_ACCEPTABLE', fe.message, instance));
  if (status >= 400 && status < 500)
    return sendProblem(reply, problem('HV_BAD_REQUEST', fe.message, instance));
  req.log.error({ err }, 'unhandled error');
  return sendProblem(
    reply,
    problem('HV_INTERNAL', 'Internal error; the request id in the logs identifies it.', instance),
  );
}
