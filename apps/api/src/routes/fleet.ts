import { fleetOf, usageOf } from '@xdv/core';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import type { Deps } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { Domain, Id, Problem } from '../schemas.js';
import { sec, view } from './read.js';

// The provider fleet table and a provider's users (core views/fleet), over the principal's scoped
// state: a tenant counts and sees only its own contracts and VHMs on a shared provider.

const Capacity = Type.Object({
  memory: Type.Integer(),
  cpu: Type.Integer(),
  qubits: Type.Integer(),
  envelopes: Type.Integer(),
});

const FleetRow = Type.Object({
  id: Id,
  name: Type.String(),
  domain: Domain,
  health: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  attestation: Type.Union([Type.Literal('attested'), Type.Literal('failed')]),
  lastReportL: Type.Union([Type.Integer(), Type.Null()]),
  calibration: Type.Union([
    Type.Object({ id: Id, from: Type.Integer(), until: Type.Integer(), valid: Type.Boolean() }),
    Type.Null(),
  ]),
  capacity: Capacity,
  allocated: Capacity,
  activeContracts: Type.Integer(),
});

const Usage = Type.Object({
  provider: Id,
  vhms: Type.Array(
    Type.Object({ id: Id, name: Type.String(), tenant: Id, state: Type.String(), contracts: Type.Array(Id) }),
  ),
  contracts: Type.Array(
    Type.Object({
      id: Id,
      vhm: Id,
      tenant: Id,
      domain: Domain,
      status: Type.String(),
      qubits: Type.Union([Type.Integer(), Type.Null()]),
      envelope: Type.Union([Id, Type.Null()]),
      tolerance: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
});

export function fleetRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
  app.get('/fleet', {
    schema: {
      summary:
        'The provider fleet as a table: domain, health, attestation, calibration, capacity in use, active contracts',
      operationId: 'listFleet',
      tags: ['providers'],
      security: sec,
      response: { 200: Type.Object({ l: Type.Integer(), items: Type.Array(FleetRow) }), 401: Problem },
    },
    handler: async (req) => {
      const { state } = view(ledger, req);
      return { l: state.l, items: fleetOf(state) };
    },
  });
  app.get('/providers/:provider/usage', {
    schema: {
      summary: 'The live contracts on a provider and the VHMs that hold them (a tenant: only its own)',
      operationId: 'providerUsage',
      tags: ['providers'],
      security: sec,
      params: Type.Object({ provider: Id }),
      response: { 200: Usage, 401: Problem, 404: Problem },
    },
    handler: async (req) => {
      const u = usageOf(view(ledger, req).state, req.params.provider);
      if (!u) throw new ApiError('HV_NOT_FOUND', `Provider ${req.params.provider} does not exist.`);
      return u;
    },
  });
}
