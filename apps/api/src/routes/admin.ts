import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Id, PageQuery, Problem, page, Quota, Tenant } from '../schemas.js';
import { one, paginate, sec, sendOne, view } from './read.js';

/** The longest lifetime a minted token may be given (expiresInSeconds): ten years. */

/** Tenants, the clock and firmware trust (transitions/admin). */
export function adminRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
  app.get('/tenants', {
    schema: {
      summary: 'List tenants (a tenant sees itself)',
      operationId: 'listTenants',
      tags: ['tenants'],
      security: sec,
      querystring: PageQuery,
      response: { 200: page(Tenant), 401: Problem },
    },
    handler: async (req) => paginate(Object.values(view(ledger, req).state.tenants), req.query),
  });
  app.get('/tenants/:tenant', {
    schema: {
      summary: 'Get a tenant with its quota use',
      operationId: 'getTenant',
      tags: ['tenants'],
      security: sec,
      params: Type.Object({ tenant: Id }),
      response: { 200: Tenant, 401: Problem, 404: Problem },
    },
    handler: (req, reply) =>
      sendOne(
        req,
        reply,
        one(view(ledger, req).state.tenants, req.params.tenant, 'Tenant'),
        ledger.state.seq,
      ),
  });
  registerCommand(app, deps, {
    command: 'tenant.create',
    method: 'POST',
    url: '/tenants',
    summary: 'Create a tenant with quotas (operator)',
    operationId: 'createTenant',
    tags: ['tenants'],
    status: 201,
    body: bodyOf('tenant.create', { with: { quota: Quota } }),
    build: (_p, b) => ({
      type: 'tenant.create',
      name: b.name,
      quota: { vhms: 0, memory: 0, cpu: 0, qubits: 0, envelopes: 0, ...b.quota },
    }),
  });
  registerCommand(app, deps, {
    command: 'tenant.setQuota',
    method: 'PUT',
    url: '/tenants/:tenant/quota',
    summary: 'Set a tenant’s quota (operator)',
    operationId: 'setTenantQuota',
    tags: ['tenants'],
    params: Type.Object({ tenant: Id }),
    body: bodyOf('tenant.setQuota', { omit: ['tenant'], with: { quota: Quota } }),
    etag: (p, d) => d.ledger.state.tenants[p.tenant],
    build: (p, b) => ({
      type: 'tenant.setQuota',
      tenant: p.tenant,
      quota: { vhms: 0, memory: 0, cpu: 0, qubits: 0, envelopes: 0, ...b.quota },
    }),
  });

  registerCommand(app, deps, {
    command: 'clock.advance',
    method: 'POST',
    url: '/clock/advance',
    summary: 'Advance the logical clock L (operator)',
    operationId: 'advanceClock',
    tags: ['clock'],
    body: bodyOf('clock.advance'),
    build: (_p, b) => ({ type: 'clock.advance', ticks: b.ticks }),
  });
  registerCommand(app, deps, {
    command: 'firmware.trust',
    method: 'POST',
    url: '/firmware/trusted',
    summary: 'Trust a firmware measurement (operator); once any is trusted, only trusted firmware attests',
    operationId: 'trustFirmware',
    tags: ['providers'],
    status: 201,
    body: bodyOf('firmware.trust'),
    build: (_p, b) => ({ type: 'firmware.trust', measurement: b.measurement }),
  });
}
