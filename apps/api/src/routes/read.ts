import { type Actor, byId, type State, scopeState, tenantOf } from '@xdv/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import { principalOf, representationOf } from '../mutation.js';
import type { LedgerPort } from '../ports.js';
import { bodyOf, Id, Problem } from '../schemas.js';

// Shared by the route plugins: the security requirement, the usual errors of a single-object read,
// the `:vhm` path parameter, and the body of an action that names only its capability.
export const sec = [{ bearer: [] }];
export const errors = { 401: Problem, 404: Problem };
export const VhmParams = Type.Object({ vhm: Id });
export const CapBody = bodyOf('contract.activate', { omit: ['vhm', 'contract'] });

// Read helpers: everything read goes through the principal's scoped view of the state, so a
// tenant's 404 for another tenant's id is indistinguishable from a missing id.

export function view(ledger: LedgerPort, req: FastifyRequest): { state: State; actor: Actor } {
  const p = principalOf(req);
  return { state: scoped(ledger.state, p.actor), actor: p.actor };
}

// A tenant's view filters every collection of the state: O(fleet) per request. Every command moves
// `seq`, so one view per (state, seq, tenant) serves every read until the next command.
const views = new WeakMap<State, { seq: number; byTenant: Map<string, State> }>();

function scoped(state: State, actor: Actor): State {
  if (actor.kind !== 'tenant') return scopeState(state, actor);
  let c = views.get(state);
  if (!c || c.seq !== state.seq) {
    c = { seq: state.seq, byTenant: new Map() };
    views.set(state, c);
  }
  let v = c.byTenant.get(actor.tenant);
  if (!v) {
    v = scopeState(state, actor);
    c.byTenant.set(actor.tenant, v);
  }
  return v;
}

/**
 * One VHM, contract or binding exactly as the caller's scoped view holds it (what
 * `one(view(ledger, req).state[collection], id, kind)` returns), without building the view. A
 * tenant's view is O(fleet) to build and the cached one lasts only until the next command, so under
 * writes every tenant read would rebuild it; scopeState keeps these very objects, and keeps one
 * exactly when its tenant (a binding's: its VHM's) is the caller's.
 */
export function visible<C extends 'vhms' | 'contracts' | 'bindings'>(
  ledger: LedgerPort,
  req: FastifyRequest,
  collection: C,
  id: string,
  kind: string,
): State[C][string] {
  const { actor } = principalOf(req);
  const state = ledger.state;
  const rec = state[collection] as Record<string, State[C][string]>;
  const v = Object.hasOwn(rec, id) ? rec[id] : undefined;
  if (v !== undefined) {
    if (actor.kind === 'operator') return v;
    const owner =
      collection === 'bindings'
        ? state.vhms[(v as State['bindings'][string]).vhm]?.tenant
        : (v as State['vhms' | 'contracts'][string]).tenant;
    if (owner === tenantOf(actor)) return v;
  }
  throw new ApiError('HV_NOT_FOUND', `${kind} ${id} does not exist.`);
}

export function one<T>(rec: Record<string, T>, id: string, kind: string): T {
  const v = Object.hasOwn(rec, id) ? rec[id] : undefined;
  if (v === undefined) throw new ApiError('HV_NOT_FOUND', `${kind} ${id} does not exist.`);
  return v;
}

/**
 * One object with its ETag (`seq`: the state it was read from), or 304 when If-None-Match names it.
 * The body is serialised by the route's response schema once per object and seq, and kept beside
 * the ETag: every read until the next command sends the same text. Each object is served by one
 * route (one response schema), so the text is the one this route's serialiser writes. It sends at
 * once and returns nothing: a handler that calls it can be a plain function (no promise to settle).
 */
export function sendOne(req: FastifyRequest, reply: FastifyReply, obj: object, seq: number): void {
  const r = representationOf(obj, seq);
  reply.header('etag', r.tag);
  if (req.headers['if-none-match'] === r.tag) {
    reply.code(304).send();
    return;
  }
  r.body ??= reply.serialize(obj) as string;
  reply.type(JSON_TYPE).send(r.body);
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Cursor pagination over a record in id order. The cursor is the last id returned, opaque to clients. */
export function paginate<T extends { id: string }>(
  items: T[],
  q: { cursor?: string; limit?: number },
): { items: T[]; nextCursor: string | null } {
  const sorted = items.sort((a, b) => byId(a.id, b.id));
  let start = 0;
  if (q.cursor) {
    let after: string;
    try {
      after = Buffer.from(q.cursor, 'base64url').toString('utf8');
    } catch {
      throw new ApiError('HV_BAD_REQUEST', 'cursor is not valid; use nextCursor from the previous page.');
    }
    if (!/^[a-z]+-[0-9]+$/.test(after))
      throw new ApiError('HV_BAD_REQUEST', 'cursor is not valid; use nextCursor from the previous page.');
    start = sorted.findIndex((x) => byId(x.id, after) > 0);
    if (start < 0) start = sorted.length;
  }
  const limit = q.limit ?? 100;
  const page = sorted.slice(start, start + limit);
  const more = start + limit < sorted.length;
  return {
    items: page,
    nextCursor: more && page.length > 0 ? Buffer.from(page.at(-1)!.id).toString('base64url') : null,
  };
}

/** The VHM that owns a contract or binding, to address the command. Unknown or invisible ids are a 404. */
export function ownerVhm(
  state: State,
  actor: Actor,
  rec: Record<string, { vhm: string }>,
  id: string,
  kind: string,
): string {
  const v = Object.hasOwn(rec, id) ? rec[id] : undefined;
  const tenant = v ? state.vhms[v.vhm]?.tenant : undefined;
  if (!v || (actor.kind === 'tenant' && tenant !== actor.tenant))
    throw new ApiError('HV_NOT_FOUND', `${kind} ${id} does not exist.`);
  return v.vhm;
}
