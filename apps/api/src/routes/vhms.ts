import type { CommandBody } from '@xdv/core';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import {
  bodyOf,
  Capability,
  Generic,
  Id,
  PageQuery,
  Problem,
  page,
  Quota,
  Right as RightSchema,
  Vhm,
} from '../schemas.js';
import { one, paginate, sendOne, view } from './read.js';

const VhmParams = Type.Object({ vhm: Id });
const errors = { 401: Problem, 404: Problem };
const sec = [{ bearer: [] }];

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
    handler: async (req, reply) => {
      const { state } = view(ledger, req);
      return sendOne(req, reply, one(state.vhms, req.params.vhm, 'VHM'));
    },
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/vhms',
    summary: 'Create a VHM (root, or nested with the parent’s SPAWN_NESTED capability)',
    operationId: 'createVhm',
    tags: ['vhms'],
    status: 201,
    body: bodyOf('vhm.create', { optional: ['tenant', 'parent', 'capability'], with: { quota: Quota } }),
    build: (_p, b, actor) => ({
      type: 'vhm.create',
      tenant: b.tenant ?? (actor.kind === 'tenant' ? actor.tenant : ''),
      name: b.name,
      quota: { vhms: 0, memory: 0, cpu: 0, qubits: 0, envelopes: 0, ...b.quota },
      parent: b.parent ?? null,
      capability: b.capability ?? null,
    }),
  });
  for (const action of ['validate', 'activate', 'pause', 'resume', 'terminate', 'release'] as const) {
    registerCommand(app, deps, {
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
      build: (p) => ({ type: `vhm.${action}`, vhm: p.vhm }) as CommandBody,
    });
  }
  registerCommand(app, deps, {
    method: 'PUT',
    url: '/vhms/:vhm/schedule',
    summary: 'Set the VHM’s scheduler weight and queue quota',
    operationId: 'setVhmSchedule',
    tags: ['scheduler'],
    params: VhmParams,
    body: bodyOf('vhm.setSchedule', { omit: ['vhm'] }),
    build: (p, b) => ({ type: 'vhm.setSchedule', vhm: p.vhm, weight: b.weight, maxQueued: b.maxQueued }),
  });

  // Processes
  app.get('/vhms/:vhm/processes', {
    schema: {
      summary: 'List a VHM’s processes',
      operationId: 'listProcesses',
      tags: ['processes'],
      security: sec,
      params: VhmParams,
      querystring: PageQuery,
      response: { 200: page(Generic), ...errors },
    },
    handler: async (req) => {
      const { state } = view(ledger, req);
      const v = one(state.vhms, req.params.vhm, 'VHM');
      return paginate(
        v.processes.map((id) => state.processes[id]!),
        req.query,
      );
    },
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/vhms/:vhm/processes',
    summary: 'Spawn a process (PROCESS right)',
    operationId: 'spawnProcess',
    tags: ['processes'],
    status: 201,
    params: VhmParams,
    body: bodyOf('process.spawn', { omit: ['vhm'] }),
    build: (p, b) => ({ type: 'process.spawn', vhm: p.vhm, capability: b.capability, name: b.name }),
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/vhms/:vhm/processes/:process/exit',
    summary: 'Exit a process (PROCESS right)',
    operationId: 'exitProcess',
    tags: ['processes'],
    params: Type.Object({ vhm: Id, process: Id }),
    body: bodyOf('process.exit', { omit: ['vhm', 'process'] }),
    build: (p, b) => ({ type: 'process.exit', vhm: p.vhm, capability: b.capability, process: p.process }),
  });

  // Capabilities
  app.get('/vhms/:vhm/capabilities', {
    schema: {
      summary: 'List a VHM’s capabilities (the derivation forest)',
      operationId: 'listCapabilities',
      tags: ['capabilities'],
      security: sec,
      params: VhmParams,
      querystring: PageQuery,
      response: { 200: page(Capability), ...errors },
    },
    handler: async (req) => {
      const { state } = view(ledger, req);
      const v = one(state.vhms, req.params.vhm, 'VHM');
      return paginate(
        v.capabilities.map((id) => state.capabilities[id]!),
        req.query,
      );
    },
  });
  const _Rights = Type.Array(RightSchema, { minItems: 1, maxItems: 11, uniqueItems: true });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/vhms/:vhm/capabilities',
    summary: 'Issue a new root capability in the VHM’s namespace',
    operationId: 'issueCapability',
    tags: ['capabilities'],
    status: 201,
    params: VhmParams,
    body: bodyOf('cap.issue', { omit: ['vhm'] }),
    build: (p, b) => ({ type: 'cap.issue', vhm: p.vhm, rights: b.rights }),
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/vhms/:vhm/capabilities/:capability/derive',
    summary: 'Derive a capability with a subset of the rights',
    operationId: 'deriveCapability',
    tags: ['capabilities'],
    status: 201,
    params: Type.Object({ vhm: Id, capability: Id }),
    body: bodyOf('cap.derive', { omit: ['vhm', 'capability'] }),
    build: (p, b) => ({ type: 'cap.derive', vhm: p.vhm, capability: p.capability, rights: b.rights }),
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/vhms/:vhm/capabilities/:capability/revoke',
    summary: 'Revoke a capability and everything derived from it',
    operationId: 'revokeCapability',
    tags: ['capabilities'],
    params: Type.Object({ vhm: Id, capability: Id }),
    build: (p) => ({ type: 'cap.revoke', vhm: p.vhm, capability: p.capability }),
  });

  // Snapshots and migrations
  app.get('/vhms/:vhm/snapshots', {
    schema: {
      summary: 'List a VHM’s K snapshots',
      operationId: 'listSnapshots',
      tags: ['snapshots'],
      security: sec,
      params: VhmParams,
      querystring: PageQuery,
      response: { 200: page(Generic), ...errors },
    },
    handler: async (req) => {
      const { state } = view(ledger, req);
      const id = req.params.vhm;
      one(state.vhms, id, 'VHM');
      return paginate(
        Object.values(state.snapshots).filter((s) => s.vhm === id),
        req.query,
      );
    },
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/vhms/:vhm/snapshots',
    summary: 'Take a K-only snapshot (asking for Q or Φ state is refused: HV_NO_CLONE)',
    operationId: 'takeSnapshot',
    tags: ['snapshots'],
    status: 201,
    params: VhmParams,
    body: bodyOf('snapshot.take', { omit: ['vhm'], optional: ['include'] }),
    build: (p, b) => ({
      type: 'snapshot.take',
      vhm: p.vhm,
      capability: b.capability,
      include: b.include ?? ['K'],
    }),
  });
  app.get('/migrations', {
    schema: {
      summary: 'List migrations',
      operationId: 'listMigrations',
      tags: ['migrations'],
      security: sec,
      querystring: PageQuery,
      response: { 200: page(Generic), 401: Problem },
    },
    handler: async (req) => paginate(Object.values(view(ledger, req).state.migrations), req.query),
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/vhms/:vhm/migrations',
    summary: 'Migrate a VHM to another K host (Q reinitialised by default, Φ terminated and reinitialised)',
    description:
      'K contracts move. A Q container moves live only with qPolicy live, a provider that supports coherence-preserving transfer and its contract named in transferContracts; a Φ envelope only with phiPolicy live, a provider that supports it, its contract named, a last stability reading at or above its tolerance, and its coherence window renegotiated to [L, end). A contract named that cannot be moved live refuses the whole migration.',
    operationId: 'migrateVhm',
    tags: ['migrations'],
    status: 201,
    params: VhmParams,
    body: bodyOf('vhm.migrate', { omit: ['vhm'], optional: ['qPolicy', 'phiPolicy', 'transferContracts'] }),
    build: (p, b) => ({
      type: 'vhm.migrate',
      vhm: p.vhm,
      capability: b.capability,
      target: b.target,
      qPolicy: b.qPolicy ?? 'reinit',
      phiPolicy: b.phiPolicy ?? 'reinit',
      transferContracts: b.transferContracts ?? [],
    }),
  });
}
