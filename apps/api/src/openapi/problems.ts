import { type ErrorCode, type ErrorParams, renderMessage } from '@xdv/core';
import { problem, statusOf } from '../errors.js';
import { Problem } from '../schemas.js';
import type { OperationCodes } from './codes.js';
import type { OpenApiDocument, Operation, Response } from './types.js';

// Every error response of every operation, declared as the server sends it: application/problem+json
// with the one Problem schema, its `code` narrowed to the codes that operation can answer with at
// that status. Replaces whatever error responses the route schemas declared.

const PROBLEM_REF = '#/components/schemas/Problem';

/** The Problem schema as plain JSON (TypeBox's own markers are symbols, which JSON drops). */
const PROBLEM_SCHEMA: unknown = JSON.parse(JSON.stringify(Problem));

/** Params that make an example's detail read like a real one, for codes whose text needs them. */
const SAMPLE_PARAMS: Partial<Record<ErrorCode, ErrorParams>> = {
  HV_LIFECYCLE_INVALID: { id: 'vhm-1', kind: 'vhm', needed: ['active'], state: 'paused' },
  HV_CAP_RIGHTS: { capability: 'cap-1', right: 'ALLOC_Q', vhm: 'vhm-1' },
  HV_CAP_INVALID: { capability: 'cap-9', vhm: 'vhm-1' },
  HV_SIGNATURE_INVALID: { subject: 'registration' },
  HV_CONTRACT_INVALID: { contract: 'contract-1', needed: ['active'], state: 'issued' },
  HV_SCHED_QUOTA: { max: 8, queued: 8, vhm: 'vhm-1' },
  HV_IPC_INVALID: { vhm: 'vhm-1' },
  Q_ERR_CALIBRATION_INVALID: { calibration: 'cal-1', from: 0, l: 5000, until: 4000 },
};

function example(code: ErrorCode, instance: string): Record<string, unknown> {
  const params = SAMPLE_PARAMS[code];
  return params
    ? problem(code, renderMessage(code, params), instance, { params })
    : problem(code, renderMessage(code, {}), instance);
}

/** The code an example shows: one whose text reads cleanly, where the group has one. */
function exampleCode(codes: readonly ErrorCode[]): ErrorCode {
  return codes.find((c) => !renderMessage(c, SAMPLE_PARAMS[c] ?? {}).includes('undefined')) ?? codes[0]!;
}

const REASONS: Record<number, string> = {
  400: 'The request is malformed or the command is invalid',
  401: 'No valid token, or a signature that does not verify',
  403: 'The principal may not do this',
  404: 'No such resource (a foreign tenant’s id answers exactly like this)',
  406: 'The Accept header asks for a media type this operation does not produce',
  409: 'Refused by the hypervisor: the state does not allow it',
  412: 'If-Match did not match the resource’s current ETag',
  413: 'The body is larger than the limit',
  414: 'A path parameter is longer than any id',
  415: 'The body is not application/json',
  422: 'This Idempotency-Key was used with another request',
  429: 'Rate limited; retry after the Retry-After delay',
  500: 'A bug; the request id in the server log identifies it',
  502: 'The hardware reported a failure',
  503: 'Transient (the store is busy, closing or broken, or the hardware failed); retry',
};

function problemResponse(status: number, codes: ErrorCode[], instance: string): Response {
  const code = exampleCode(codes);
  return {
    description: `${REASONS[status] ?? 'Error'}: ${codes.join(', ')}.`,
    ...(status === 429
      ? {
          headers: {
            'retry-after': {
              description: 'seconds until the rate limit window resets',
              schema: { type: 'integer', minimum: 0 },
            },
          },
        }
      : {}),
    content: {
      'application/problem+json': {
        schema: {
          allOf: [
            { $ref: PROBLEM_REF },
            { type: 'object', required: ['code'], properties: { code: { type: 'string', enum: codes } } },
          ],
        },
        example: example(code, instance),
      },
    },
  };
}

/** Rewrite every operation's error responses, and add the Problem schema to the components. */
export function declareProblems(doc: OpenApiDocument, codesByOperation: OperationCodes): void {
  doc.components ??= {};
  doc.components.schemas = { ...doc.components.schemas, Problem: PROBLEM_SCHEMA };
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const op of Object.values(item) as Operation[]) {
      const codes = op.operationId ? codesByOperation.get(op.operationId) : undefined;
      if (!codes) continue;
      for (const status of Object.keys(op.responses)) if (!/^[23]/.test(status)) delete op.responses[status];
      const byStatus = new Map<number, ErrorCode[]>();
      for (const c of codes) byStatus.set(statusOf(c), [...(byStatus.get(statusOf(c)) ?? []), c]);
      for (const status of [...byStatus.keys()].sort((a, b) => a - b))
        op.responses[String(status)] = problemResponse(status, byStatus.get(status)!, path);
    }
  }
}
