import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { Binding, bodyOf, Contract, Domain, Generic, Id, PageQuery, Problem, page } from '../schemas.js';
import { one, ownerVhm, paginate, sendOne, view } from './read.js';

const sec = [{ bearer: [] }];
const errors = { 401: Problem, 404: Problem };
const CapBody = bodyOf('contract.activate', { omit: ['vhm', 'contract'] });

export function resourceRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
  app.get('/contracts', {
    schema: {
      summary: 'List resource contracts',
      operationId: 'listContracts',
      tags: ['contracts'],
      security: sec,
      querystring: Type.Intersect([
        PageQuery,
        Type.Object({
          vhm: Type.Optional(Id),
          domain: Type.Optional(Domain),
          status: Type.Optional(Type.String({ maxLength: 16 })),
          provider: Type.Optional(Id),
        }),
      ]),
      response: { 200: page(Contract), 401: Problem },
    },
    handler: async (req) => {
      const q = req.query;
      const items = Object.values(view(ledger, req).state.contracts).filter(
        (c) =>
          (!q.vhm || c.vhm === q.vhm) &&
          (!q.domain || c.domain === q.domain) &&
          (!q.status || c.status === q.status) &&
          (!q.provider || c.provider === q.provider),
      );
      return paginate(items, req.query);
    },
  });
  app.get('/contracts/:contract', {
    schema: {
      summary: 'Get a contract',
      operationId: 'getContract',
      tags: ['contracts'],
      security: sec,
      params: Type.Object({ contract: Id }),
      response: { 200: Contract, ...errors },
    },
    handler: async (req, reply) =>
      sendOne(req, reply, one(view(ledger, req).state.contracts, req.params.contract, 'Contract')),
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/vhms/:vhm/contracts',
    summary: 'Allocate a K, Q or Φ resource contract',
    description:
      'K needs BIND_K and { base, size, cpu, irqs }; Q needs ALLOC_Q and { qubits, budget, calibration }; Φ needs ALLOC_PHI and { start, duration, tolerance }.',
    operationId: 'allocateContract',
    tags: ['contracts'],
    status: 201,
    params: Type.Object({ vhm: Id }),
    body: bodyOf('contract.allocate', { omit: ['vhm'] }),
    build: (p, b) => ({
      type: 'contract.allocate',
      vhm: p.vhm,
      capability: b.capability,
      domain: b.domain,
      provider: b.provider,
      ...(b.k ? { k: b.k } : {}),
      ...(b.q ? { q: b.q } : {}),
      ...(b.phi ? { phi: b.phi } : {}),
    }),
  });
  for (const action of ['activate', 'release'] as const)
    registerCommand(app, deps, {
      method: 'POST',
      url: `/contracts/:contract/${action}`,
      summary:
        action === 'activate'
          ? 'Activate an issued contract'
          : 'Release a contract (an issued one is withdrawn, recorded as revoked)',
      operationId: `${action}Contract`,
      tags: ['contracts'],
      params: Type.Object({ contract: Id }),
      body: CapBody,
      etag: (p, d) => d.ledger.state.contracts[p.contract],
      build: (p, b, actor) =>
        ({
          type: `contract.${action}`,
          vhm: ownerVhm(ledger.state, actor, ledger.state.contracts, p.contract, 'Contract'),
          capability: b.capability,
          contract: p.contract,
        }) as never,
    });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/contracts/:contract/revoke',
    summary: 'Revoke a contract (operator): its binding is released and a fault recorded',
    operationId: 'revokeContract',
    tags: ['contracts'],
    params: Type.Object({ contract: Id }),
    body: bodyOf('contract.revoke', { omit: ['contract'] }),
    build: (p, b) => ({ type: 'contract.revoke', contract: p.contract, reason: b.reason }),
  });

  app.get('/bindings', {
    schema: {
      summary: 'List domain bindings',
      operationId: 'listBindings',
      tags: ['bindings'],
      security: sec,
      querystring: Type.Intersect([
        PageQuery,
        Type.Object({ vhm: Type.Optional(Id), state: Type.Optional(Type.String({ maxLength: 16 })) }),
      ]),
      response: { 200: page(Binding), 401: Problem },
    },
    handler: async (req) => {
      const q = req.query;
      return paginate(
        Object.values(view(ledger, req).state.bindings).filter(
          (b) => (!q.vhm || b.vhm === q.vhm) && (!q.state || b.state === q.state),
        ),
        req.query,
      );
    },
  });
  app.get('/bindings/:binding', {
    schema: {
      summary: 'Get a binding',
      operationId: 'getBinding',
      tags: ['bindings'],
      security: sec,
      params: Type.Object({ binding: Id }),
      response: { 200: Binding, ...errors },
    },
    handler: async (req, reply) =>
      sendOne(req, reply, one(view(ledger, req).state.bindings, req.params.binding, 'Binding')),
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/vhms/:vhm/bindings',
    summary: 'Request a domain binding for one of the VHM’s contracts',
    operationId: 'requestBinding',
    tags: ['bindings'],
    status: 201,
    params: Type.Object({ vhm: Id }),
    body: bodyOf('binding.request', { omit: ['vhm'] }),
    build: (p, b) => ({
      type: 'binding.request',
      vhm: p.vhm,
      capability: b.capability,
      contract: b.contract,
    }),
  });
  for (const action of ['validate', 'activate', 'release'] as const)
    registerCommand(app, deps, {
      method: 'POST',
      url: `/bindings/:binding/${action}`,
      summary: `${action[0]!.toUpperCase()}${action.slice(1)} a binding`,
      operationId: `${action}Binding`,
      tags: ['bindings'],
      params: Type.Object({ binding: Id }),
      body: CapBody,
      etag: (p, d) => d.ledger.state.bindings[p.binding],
      build: (p, b, actor) =>
        ({
          type: `binding.${action}`,
          vhm: ownerVhm(ledger.state, actor, ledger.state.bindings, p.binding, 'Binding'),
          capability: b.capability,
          binding: p.binding,
        }) as never,
    });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/bindings/:binding/jobs',
    summary: 'Run a Q job on an active Q binding (EXECUTE_Q); its cost is charged to the decoherence budget',
    operationId: 'runQJob',
    tags: ['execution'],
    status: 201,
    params: Type.Object({ binding: Id }),
    body: bodyOf('q.job', { omit: ['vhm', 'binding'], optional: ['operations'] }),
    build: (p, b, actor) => ({
      type: 'q.job',
      vhm: ownerVhm(ledger.state, actor, ledger.state.bindings, p.binding, 'Binding'),
      capability: b.capability,
      binding: p.binding,
      cost: b.cost,
      operations: b.operations ?? [],
    }),
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/bindings/:binding/transforms',
    summary: 'Apply a Φ transform inside the coherence window (EXECUTE_PHI)',
    operationId: 'applyPhiTransform',
    tags: ['execution'],
    status: 201,
    params: Type.Object({ binding: Id }),
    body: bodyOf('phi.transform', { omit: ['vhm', 'binding'], optional: ['impact'] }),
    build: (p, b, actor) => ({
      type: 'phi.transform',
      vhm: ownerVhm(ledger.state, actor, ledger.state.bindings, p.binding, 'Binding'),
      capability: b.capability,
      binding: p.binding,
      transform: b.transform,
      impact: b.impact ?? 0,
    }),
  });

  app.get('/ipc', {
    schema: {
      summary: 'List IPC contracts',
      operationId: 'listIpc',
      tags: ['ipc'],
      security: sec,
      querystring: PageQuery,
      response: { 200: page(Generic), 401: Problem },
    },
    handler: async (req) => paginate(Object.values(view(ledger, req).state.ipcs), req.query),
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/ipc',
    summary: 'Open an IPC contract between two VHMs (IPC capability of each)',
    operationId: 'openIpc',
    tags: ['ipc'],
    status: 201,
    body: bodyOf('ipc.open'),
    build: (_p, b) => ({
      type: 'ipc.open',
      a: b.a,
      capabilityA: b.capabilityA,
      b: b.b,
      capabilityB: b.capabilityB,
      rights: b.rights,
    }),
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/ipc/:ipc/close',
    summary: 'Close an IPC contract',
    operationId: 'closeIpc',
    tags: ['ipc'],
    params: Type.Object({ ipc: Id }),
    build: (p) => ({ type: 'ipc.close', ipc: p.ipc }),
  });
}
