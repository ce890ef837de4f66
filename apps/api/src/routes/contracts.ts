import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Contract, Domain, Id, PageQuery, Problem, page } from '../schemas.js';
import { CapBody, errors, ownerVhm, paginate, sec, sendOne, view, visible } from './read.js';

/** Resource contracts: allocate, activate, release, revoke (transitions/contracts). */
export function contractRoutes(base: FastifyInstance, deps: Deps): void {
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
    handler: (req, reply) =>
      sendOne(
        req,
        reply,
        visible(ledger, req, 'contracts', req.params.contract, 'Contract'),
        ledger.state.seq,
      ),
  });
  registerCommand(app, deps, {
    command: 'contract.allocate',
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
      command: `contract.${action}` as const,
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
    command: 'contract.revoke',
    method: 'POST',
    url: '/contracts/:contract/revoke',
    summary: 'Revoke a contract (operator): its binding is released and a fault recorded',
    operationId: 'revokeContract',
    tags: ['contracts'],
    params: Type.Object({ contract: Id }),
    body: bodyOf('contract.revoke', { omit: ['contract'] }),
    build: (p, b) => ({ type: 'contract.revoke', contract: p.contract, reason: b.reason }),
  });
}
