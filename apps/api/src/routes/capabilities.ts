import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Capability, Id, PageQuery, page } from '../schemas.js';
import { errors, one, paginate, sec, VhmParams, view } from './read.js';

/** Capabilities: issue, derive, revoke (transitions/capabilities). */
export function capabilityRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
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
  registerCommand(app, deps, {
    command: 'cap.issue',
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
    command: 'cap.derive',
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
    command: 'cap.revoke',
    method: 'POST',
    url: '/vhms/:vhm/capabilities/:capability/revoke',
    summary: 'Revoke a capability and everything derived from it',
    operationId: 'revokeCapability',
    tags: ['capabilities'],
    params: Type.Object({ vhm: Id, capability: Id }),
    build: (p) => ({ type: 'cap.revoke', vhm: p.vhm, capability: p.capability }),
  });
}
