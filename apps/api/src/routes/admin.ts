import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireOperator } from '../auth.js';
import { ApiError } from '../errors.js';
import { type Deps, principalOf, registerCommand } from '../mutation.js';
import type { TokenStore } from '../ports.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Generic, Id, PageQuery, Problem, page, Quota, Tenant } from '../schemas.js';
import { one, paginate, sendOne, view } from './read.js';

const sec = [{ bearer: [] }];

const Token = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('operator'), Type.Literal('tenant'), Type.Literal('provider')]),
  tenant: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.Literal('admin'), Type.Literal('viewer'), Type.Null()]),
  provider: Type.Union([Type.String(), Type.Null()]),
  label: Type.String(),
  revoked: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'when the token last authenticated a request (recorded at most about once a minute)',
  }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'after this instant the token authenticates nothing; null = it does not expire',
  }),
});

/** The longest lifetime a minted token may be given (expiresInSeconds): ten years. */
const MAX_EXPIRY_S = 10 * 366 * 86_400;

export function adminRoutes(base: FastifyInstance, deps: Deps & { tokens: TokenStore }): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger, tokens } = deps;
  app.get('/me', {
    schema: {
      summary: 'Who am I: the principal behind this token',
      operationId: 'whoAmI',
      tags: ['tokens'],
      security: sec,
      response: {
        200: Type.Object({ token: Token, tenantName: Type.Union([Type.String(), Type.Null()]) }),
        401: Problem,
      },
    },
    handler: async (req) => {
      const p = principalOf(req);
      return {
        token: p.token,
        tenantName: p.token.tenant ? (ledger.state.tenants[p.token.tenant]?.name ?? null) : null,
      };
    },
  });
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
    handler: async (req, reply) =>
      sendOne(req, reply, one(view(ledger, req).state.tenants, req.params.tenant, 'Tenant')),
  });
  registerCommand(app, deps, {
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

  app.get('/tokens', {
    schema: {
      summary: 'List API tokens (operator; secrets are never shown again)',
      operationId: 'listTokens',
      tags: ['tokens'],
      security: sec,
      response: { 200: Type.Object({ items: Type.Array(Token) }), 401: Problem, 403: Problem },
    },
    handler: async (req) => {
      requireOperator(principalOf(req));
      return { items: await tokens.list() };
    },
  });
  app.post('/tokens', {
    schema: {
      summary: 'Mint an API token (operator); the secret is returned once',
      operationId: 'createToken',
      tags: ['tokens'],
      security: sec,
      body: Type.Object(
        {
          kind: Type.Union([Type.Literal('operator'), Type.Literal('tenant'), Type.Literal('provider')]),
          tenant: Type.Optional(Id),
          role: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('viewer')])),
          provider: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 64,
              description: 'the provider name this token may register and report as',
            }),
          ),
          label: Type.String({ minLength: 1, maxLength: 100 }),
          expiresInSeconds: Type.Optional(
            Type.Integer({
              minimum: 60,
              maximum: MAX_EXPIRY_S,
              description:
                'the token stops authenticating this many seconds after it is minted (60 s to ten years); absent = it does not expire',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      response: {
        201: Type.Object({ token: Token, secret: Type.String() }),
        400: Problem,
        401: Problem,
        403: Problem,
        404: Problem,
      },
    },
    handler: async (req, reply) => {
      requireOperator(principalOf(req));
      const b = req.body as {
        kind: 'operator' | 'tenant' | 'provider';
        tenant?: string;
        role?: 'admin' | 'viewer';
        provider?: string;
        label: string;
        expiresInSeconds?: number;
      };
      if (b.kind === 'tenant' && (!b.tenant || !ledger.state.tenants[b.tenant]))
        throw new ApiError('HV_NOT_FOUND', `Tenant ${b.tenant ?? '(missing)'} does not exist.`);
      if (b.kind === 'provider' && !b.provider)
        throw new ApiError('HV_BAD_REQUEST', 'A provider token needs the provider name.');
      const created = await tokens.create({
        kind: b.kind,
        tenant: b.kind === 'tenant' ? b.tenant! : null,
        role: b.kind === 'tenant' ? (b.role ?? 'admin') : null,
        provider: b.kind === 'provider' ? b.provider! : null,
        label: b.label,
        expiresAt:
          b.expiresInSeconds === undefined
            ? null
            : new Date(Date.now() + b.expiresInSeconds * 1000).toISOString(),
      });
      return reply.code(201).send({ token: created.record, secret: created.secret });
    },
  });
  app.post('/tokens/:token/revoke', {
    schema: {
      summary: 'Revoke an API token (operator)',
      operationId: 'revokeToken',
      tags: ['tokens'],
      security: sec,
      params: Type.Object({ token: Type.String({ maxLength: 64 }) }),
      response: { 200: Type.Object({ revoked: Type.Boolean() }), 401: Problem, 403: Problem, 404: Problem },
    },
    handler: async (req) => {
      requireOperator(principalOf(req));
      const id = req.params.token;
      if (id === principalOf(req).token.id)
        throw new ApiError('HV_CONFLICT', 'You cannot revoke the token you are using.');
      if (!(await tokens.revoke(id))) throw new ApiError('HV_NOT_FOUND', `Token ${id} does not exist.`);
      return { revoked: true };
    },
  });

  registerCommand(app, deps, {
    method: 'POST',
    url: '/clock/advance',
    summary: 'Advance the logical clock L (operator)',
    operationId: 'advanceClock',
    tags: ['clock'],
    body: bodyOf('clock.advance'),
    build: (_p, b) => ({ type: 'clock.advance', ticks: b.ticks }),
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/firmware/trusted',
    summary: 'Trust a firmware measurement (operator); once any is trusted, only trusted firmware attests',
    operationId: 'trustFirmware',
    tags: ['providers'],
    status: 201,
    body: bodyOf('firmware.trust'),
    build: (_p, b) => ({ type: 'firmware.trust', measurement: b.measurement }),
  });

  app.get('/faults', {
    schema: {
      summary: 'List faults and escalations',
      operationId: 'listFaults',
      tags: ['faults'],
      security: sec,
      querystring: PageQuery,
      response: { 200: page(Generic), 401: Problem },
    },
    handler: async (req) => paginate(Object.values(view(ledger, req).state.faults), req.query),
  });
  app.get('/alerts', {
    schema: {
      summary: 'List threshold alerts from provider reports',
      operationId: 'listAlerts',
      tags: ['faults'],
      security: sec,
      querystring: PageQuery,
      response: { 200: page(Generic), 401: Problem },
    },
    handler: async (req) => paginate(Object.values(view(ledger, req).state.alerts), req.query),
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/faults/inject',
    summary:
      'Inject a fault (operator): decoherence spike, instability, capability revocation, contract invalidation',
    operationId: 'injectFault',
    tags: ['faults'],
    status: 201,
    body: bodyOf('fault.inject', { optional: ['amount'] }),
    build: (_p, b) => ({ type: 'fault.inject', kind: b.kind, target: b.target, amount: b.amount ?? 0 }),
  });

  // Scheduler
  app.get('/scheduler', {
    schema: {
      summary: 'Scheduler view: per-VHM weights and quotas, queued units, recent decisions are in the trace',
      operationId: 'getScheduler',
      tags: ['scheduler'],
      security: sec,
      response: {
        200: Type.Object({
          l: Type.Integer(),
          config: Type.Object({
            agingThreshold: Type.Integer(),
            agingStep: Type.Integer(),
            domainPriority: Type.Object({}, { additionalProperties: true }),
          }),
          vhms: Type.Array(
            Type.Object({
              vhm: Type.String(),
              weight: Type.Integer(),
              maxQueued: Type.Integer(),
              vtime: Type.Integer(),
              queued: Type.Integer(),
            }),
          ),
          units: Type.Array(Type.Object({}, { additionalProperties: true })),
        }),
        401: Problem,
      },
    },
    handler: async (req) => {
      const { state } = view(ledger, req);
      const queued: Record<string, number> = {};
      const units = state.runQueue.map((id) => state.units[id]!).filter(Boolean);
      for (const u of units) queued[u.vhm] = (queued[u.vhm] ?? 0) + 1;
      return {
        l: state.l,
        config: {
          agingThreshold: state.config.agingThreshold,
          agingStep: state.config.agingStep,
          domainPriority: state.config.domainPriority,
        },
        vhms: Object.values(state.vhms)
          .filter((v) => v.state !== 'released' && v.state !== 'terminated')
          .map((v) => ({
            vhm: v.id,
            weight: v.sched.weight,
            maxQueued: v.sched.maxQueued,
            vtime: v.sched.vtime,
            queued: queued[v.id] ?? 0,
          })),
        units: units.map((u) => ({ ...u, waited: state.l - u.submittedL })),
      };
    },
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/scheduler/units',
    summary: 'Submit a scheduling unit for a process (SCHEDULE right)',
    operationId: 'submitUnit',
    tags: ['scheduler'],
    status: 201,
    body: bodyOf('sched.submit', { optional: ['contract', 'priority', 'quanta'] }),
    build: (_p, b) => ({
      type: 'sched.submit',
      vhm: b.vhm,
      capability: b.capability,
      process: b.process,
      domain: b.domain,
      contract: b.contract ?? null,
      priority: b.priority ?? 0,
      quanta: b.quanta ?? 1,
    }),
  });
  registerCommand(app, deps, {
    method: 'POST',
    url: '/scheduler/tick',
    summary: 'Run one scheduler tick (operator): the arbitration decision is a trace entry',
    operationId: 'schedulerTick',
    tags: ['scheduler'],
    build: () => ({ type: 'sched.tick' }),
  });
}
