import { type ErrorCode, type ErrorParams, isErrorCode, renderMessage } from '@xdv/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

// RFC 9457 problem+json for every error, with a stable `code`, including malformed requests.
// Every code is declared once, in @xdv/core; this is the one place that gives each an HTTP status,
// and the compiler refuses a code without one.

const STATUS = {
  // rejections by the core
  HV_INVALID_COMMAND: 400,
  HV_FORBIDDEN: 403,
  HV_NOT_FOUND: 404,
  HV_LIFECYCLE_INVALID: 409,
  HV_DEPTH_EXCEEDED: 409,
  HV_QUOTA_EXCEEDED: 409,
  HV_CAPACITY_EXCEEDED: 409,
  HV_CAP_INVALID: 403,
  HV_CAP_REVOKED: 403,
  HV_CAP_FOREIGN: 403,
  HV_CAP_RIGHTS: 403,
  HV_CAP_ESCALATION: 403,
  HV_CONTRACT_FOREIGN: 409,
  HV_CONTRACT_INVALID: 409,
  HV_DOMAIN_MISMATCH: 409,
  HV_MEMORY_OVERLAP: 409,
  HV_IRQ_CONFLICT: 409,
  HV_WINDOW_OVERLAP: 409,
  HV_PROVIDER_UNATTESTED: 409,
  HV_SIGNATURE_INVALID: 401,
  HV_ATTESTATION_MISMATCH: 409,
  HV_FIRMWARE_UNTRUSTED: 409,
  HV_NO_CLONE: 409,
  HV_MIGRATION_UNSUPPORTED: 409,
  HV_IPC_INVALID: 409,
  HV_SCHED_QUOTA: 409,
  HV_CONFLICT: 409,
  Q_ERR_RESOURCE_UNAVAILABLE: 409,
  Q_ERR_CALIBRATION_INVALID: 409,
  Q_ERR_DECOHERENCE_EXCEEDED: 409,
  Q_ERR_GATE_UNSUPPORTED: 409,
  Q_ERR_HARDWARE_FAILURE: 503,
  Q_ERR_MEASUREMENT_FAILURE: 502,
  PHI_ERR_COHERENCE_TIMEOUT: 409,
  PHI_ERR_ENVELOPE_INVALID: 409,
  PHI_ERR_STABILITY_BREACH: 409,
  PHI_ERR_TRANSFORM_UNSUPPORTED: 409,
  PHI_ERR_HARDWARE_FAILURE: 503,
  // the API's own
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
  HV_UNAVAILABLE: 503,
  HV_INTERNAL: 500,
  // the trace store's: transient ones answer 503 (retry), only a misconfiguration 500
  HV_TRACE_BROKEN: 503,
  HV_LEDGER_CLOSED: 503,
  HV_DB_FLUSH_FAILED: 503,
  HV_CONFLICT_RETRIES: 503,
  HV_IDEMPOTENCY_LOST: 503,
  HV_DB_CONFIG: 500,
  HV_PROTOCOL_MISMATCH: 500,
} as const satisfies { readonly [C in ErrorCode]: number };

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
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
  return isErrorCode(code) ? STATUS[code] : 500;
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

/**
 * The problem for an error that carries structured params (a core rejection, a store failure): its
 * `detail` is rendered from them with the core's templates, and the params travel too, so a client
 * can act on them without parsing prose.
 */
export function paramsProblem(
  code: ErrorCode,
  params: ErrorParams,
  instance?: string,
  extra: Record<string, unknown> = {},
): Problem {
  return problem(code, renderMessage(code, params), instance, { params, ...extra });
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
  const fe = err as FastifyError & { code?: unknown; params?: unknown };
  // A store error (@xdv/db's DbError) or anything else carrying a declared code and params: its
  // text is rendered from the params (its own message, with driver internals, goes to the log).
  if (isErrorCode(fe.code) && typeof fe.params === 'object' && fe.params !== null) {
    if (statusOf(fe.code) >= 500) req.log.warn({ err }, 'store error');
    return sendProblem(reply, paramsProblem(fe.code, fe.params as ErrorParams, instance));
  }
  if (isErrorCode(fe.code)) return sendProblem(reply, problem(fe.code, fe.message, instance));
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
