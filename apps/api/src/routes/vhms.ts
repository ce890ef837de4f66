import type { State } from '@xdv/core';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Id, PageQuery, page, Quota, Vhm } from '../schemas.js';
import { errors, paginate, sec, sendOne, VhmParams, view, visible } from './read.js';

/** VHMs: create, lifecycle, schedule settings (transitions/vhms). */
export function vhmRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
  app.get('/vhms', {
    schema: {
      summary: 'List VHMs (a tree: each has parent, depth and children)',
      operationId: 'listVhms',
      tags: ['vhms'],
      security: sec,
      querystring: Type.Intersect([
        PageQuery,
        Type.Object({
          tenant: Type.Optional(Id),
          state: Type.Optional(Type.String({ maxLength: 20 })),
          parent: Type.Optional(
            Type.String({ maxLength: 64, description: 'a VHM id, or "root" for top-level VHMs' }),
          ),
          q: Type.Optional(Type.String({ maxLength: 64, description: 'substring of the name or id' })),
        }),
      ]),
      response: { 200: page(Vhm), ...errors },
    },
    handler: async (req) => {
      const { state } = view(ledger, req);
      const q = req.query;
      const items = Object.values(state.vhms).filter(
        (v) =>
          (!q.tenant || v.tenant === q.tenant) &&
          (!q.state || v.state === q.state) &&
          (!q.parent || (q.parent === 'root' ? v.parent === null : v.parent === q.parent)) &&
          (!q.q || v.name.includes(q.q) || v.id.includes(q.q)),
      );
      return paginate(items, q);
    },
  });
  app.get('/vhms/:vhm', {
    schema: {
      summary: 'Get a VHM',
      operationId: 'getVhm',
      tags: ['vhms'],
      security: sec,
      params: VhmParams,
      response: { 200: Vhm, ...errors },
    },
    handler: (req, reply) =>
      sendOne(req, reply, visible(ledger, req, 'vhms', req.params.vhm, 'VHM'), ledger.state.seq),
  });
  registerCommand(app, deps, {
    command: 'vhm.create',
    method: 'POST',
    url: '/vhms',
    summary: 'Create a VHM (root, or nested with the parent’s SPAWN_NESTED capability)',
    operationId: 'createVhm',
    tags: ['vhms'],
    status: 201,
    body: bodyOf('vhm.create', { optional: ['tenant', 'parent', 'capability'], with: { quota: Quota } }),
    build: (_p, b, actor) => ({
      type: 'vhm.create',
      tenant: b.tenant ?? (actor.kind === 'tenant' ? actor.tenant : parentTenant(ledger.state, b.parent)),
      name: b.name,
      quota: { vhms: 0, memory: 0, cpu: 0, qubits: 0, envelopes: 0, ...b.quota },
      parent: b.parent ?? null,
      capability: b.capability ?? null,
    }),
  });
  for (const action of ['validate', 'activate', 'pause', 'resume', 'terminate', 'release'] as const) {
    registerCommand(app, deps, {
      command: `vhm.${action}` as const,
      method: 'POST',
      url: `/vhms/:vhm/${action}`,
      summary: `${action[0]!.toUpperCase()}${action.slice(1)} a VHM`,
      description:
        action === 'terminate'
          ? 'Terminates the VHM and every nested VHM (children first, in id order), releasing all bindings, contracts, containers and envelopes.'
          : undefined,
      operationId: `${action}Vhm`,
      tags: ['vhms'],
      params: VhmParams,
      etag: (p, d) => d.ledger.state.vhms[p.vhm],
      build: (p) => ({ type: `vhm.${action}` as const, vhm: p.vhm }),
    });
  }
  registerCommand(app, deps, {
    command: 'vhm.setSchedule',
    method: 'PUT',
    url: '/vhms/:vhm/schedule',
    summary: 'Set the VHM’s scheduler weight and queue quota',
    operationId: 'setVhmSchedule',
    tags: ['scheduler'],
    params: VhmParams,
    body: bodyOf('vhm.setSchedule', { omit: ['vhm'] }),
    build: (p, b) => ({ type: 'vhm.setSchedule', vhm: p.vhm, weight: b.weight, maxQueued: b.maxQueued }),
  });
}

/**
 * The tenant an operator's nested create omits: the parent's (the core refuses any other). A tenant
 * actor never gets here (its own tenant is used), so an operator alone learns that a parent is unknown.
 * An operator's root create without a tenant keeps `''`, which the core refuses as a missing tenant.
 */
function parentTenant(state: State, parent: string | null | undefined): string {
  if (parent === undefined || parent === null) return '';
  const v = state.vhms[parent];
  if (!v) throw new ApiError('HV_NOT_FOUND', `VHM ${parent} does not exist.`);
  return v.tenant;
}
