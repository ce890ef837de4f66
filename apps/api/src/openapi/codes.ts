import { type CommandType, type ErrorCode, REJECTIONS_BY_COMMAND } from '@xdv/core';
import type { RouteOptions } from 'fastify';
import { Problem } from '../schemas.js';

// The error codes each operation can answer with, for the OpenAPI document's per-operation `code`
// enums. A command route's come from the core (the codes its transition can reject with, derived
// from the transitions' source) plus what the API does around every command; any other route's
// from the error statuses it declares. The tests check every code a route really answers with is
// in its set.

/** What a route tells the document about itself, in its Fastify `config`. */
export interface RouteDoc {
  /** The core command a command route submits. */
  command?: CommandType;
  /** Whether the route honours If-Match (412 when the resource changed). */
  etag?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteDoc {}
}

/** Codes every /v1 request can meet: the token check, request validation, the rate limit, a bug. */
const V1: readonly ErrorCode[] = ['HV_UNAUTHENTICATED', 'HV_BAD_REQUEST', 'HV_RATE_LIMITED', 'HV_INTERNAL'];
/** Outside /v1 (health, metrics): only a malformed URL or a bug. */
const OPS: readonly ErrorCode[] = ['HV_BAD_REQUEST', 'HV_INTERNAL'];
/** A request with a body: too large, or not JSON. */
const BODY: readonly ErrorCode[] = ['HV_PAYLOAD_TOO_LARGE', 'HV_UNSUPPORTED_MEDIA_TYPE'];
/** Around every committed command: the idempotency record, and the trace store's transient failures. */
const COMMAND: readonly ErrorCode[] = [
  'HV_IDEMPOTENCY_MISMATCH',
  'HV_TRACE_BROKEN',
  'HV_LEDGER_CLOSED',
  'HV_DB_FLUSH_FAILED',
  'HV_CONFLICT_RETRIES',
  'HV_IDEMPOTENCY_LOST',
];
/**
 * The code a hand-written route means by each error status it declares with the Problem schema (a
 * command route's come from the core instead).
 */
const BY_STATUS: Record<string, ErrorCode> = {
  '400': 'HV_BAD_REQUEST',
  '401': 'HV_UNAUTHENTICATED',
  '403': 'HV_FORBIDDEN',
  '404': 'HV_NOT_FOUND',
  '406': 'HV_NOT_ACCEPTABLE',
  '409': 'HV_CONFLICT',
  '412': 'HV_PRECONDITION_FAILED',
  '503': 'HV_UNAVAILABLE',
};

export function codesOf(route: RouteOptions): ErrorCode[] {
  const doc: RouteDoc = route.config ?? {};
  const schema = (route.schema ?? {}) as {
    params?: unknown;
    body?: unknown;
    response?: Record<string, unknown>;
  };
  const codes = new Set<ErrorCode>(route.url.startsWith('/v1/') ? V1 : OPS);
  if (route.url.includes(':')) codes.add('HV_URI_TOO_LONG');
  if (schema.body) for (const c of BODY) codes.add(c);
  if (doc.command) {
    for (const c of REJECTIONS_BY_COMMAND[doc.command]) codes.add(c);
    for (const c of COMMAND) codes.add(c);
    if (doc.etag) codes.add('HV_PRECONDITION_FAILED');
    return [...codes];
  }
  for (const [status, s] of Object.entries(schema.response ?? {})) {
    const code = BY_STATUS[status];
    if (code && s === Problem) codes.add(code);
  }
  return [...codes];
}

/** The operations of a server and the codes each can answer with, collected as routes are added. */
export class OperationCodes {
  readonly #byOperation = new Map<string, ErrorCode[]>();

  add(route: RouteOptions): void {
    const id = (route.schema as { operationId?: string } | undefined)?.operationId;
    if (id) this.#byOperation.set(id, codesOf(route));
  }

  get(operationId: string): readonly ErrorCode[] | undefined {
    return this.#byOperation.get(operationId);
  }
}
