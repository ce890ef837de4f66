import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import { type Deps, principalOf, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Domain, Generic, Id, PageQuery, Problem, Provider, page, Signature } from '../schemas.js';
import { one, paginate, sec, sendOne, view } from './read.js';

/** Where the signing scheme is specified (README "Provider signing", with its published test vector). */
const SIGNED = (prefix: string) =>
  `The signature is ML-DSA-65 over "${prefix}\\n" followed by the RFC 8785 canonical JSON of the signed object, in lowercase hex; the scheme, the report sequence rule and a test vector are in the README section "Provider signing" (packages/client/test-vectors/signing.json).`;

function sameProvider(param: string, report: { provider: string }): void {
  if (report.provider !== param)
    throw new ApiError('HV_BAD_REQUEST', `report.provider must be ${param}, the provider in the path.`);
}

export function providerRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
  app.get('/providers', {
    schema: {
      summary: 'List providers (K hosts, Q and Φ hardware)',
      operationId: 'listProviders',
      tags: ['providers'],
      security: sec,
      querystring: PageQuery,
      response: { 200: page(Provider), 401: Problem },
    },
    handler: async (req) => paginate(Object.values(view(ledger, req).state.providers), req.query),
  });
  app.get('/providers/:provider', {
    schema: {
      summary: 'Get a provider',
      operationId: 'getProvider',
      tags: ['providers'],
      security: sec,
      params: Type.Object({ provider: Id }),
      response: { 200: Provider, 401: Problem, 404: Problem },
    },
    handler: (req, reply) =>
      sendOne(
        req,
        reply,
        one(view(ledger, req).state.providers, req.params.provider, 'Provider'),
        ledger.state.seq,
      ),
  });
  registerCommand(app, deps, {
    command: 'provider.register',
    method: 'POST',
    url: '/providers',
    summary: 'Register (or re-attest) a provider with an ML-DSA-65 signed attestation',
    description: SIGNED('xdv/provider-registration/v1'),
    operationId: 'registerProvider',
    tags: ['providers'],
    status: 201,
    body: bodyOf('provider.register', { omit: ['auth'], with: { signature: Signature } }),
    named: (b, state) => {
      const named: Record<string, string> = {};
      const p = Object.values(state.providers).find((x) => x.name === b.registration.name);
      if (p) named.provider = p.id;
      return named;
    },
    build: (_p, b) => ({
      type: 'provider.register',
      registration: b.registration,
      auth: { signature: b.signature, verified: false },
    }),
  });
  app.get('/providers/:provider/workload', {
    schema: {
      summary:
        'What a provider hosts now: its calibrations, live Q contracts and live Φ envelopes (that provider or an operator)',
      operationId: 'providerWorkload',
      tags: ['providers'],
      security: sec,
      params: Type.Object({ provider: Id }),
      response: {
        200: Type.Object({
          provider: Provider,
          l: Type.Integer(),
          calibrations: Type.Array(Generic),
          contracts: Type.Array(
            Type.Object({
              id: Type.String(),
              domain: Domain,
              status: Type.String(),
              qubits: Type.Union([Type.Integer(), Type.Null()]),
            }),
          ),
          envelopes: Type.Array(
            Type.Object({
              id: Type.String(),
              contract: Type.String(),
              start: Type.Integer(),
              end: Type.Integer(),
              tolerance: Type.Integer(),
            }),
          ),
        }),
        401: Problem,
        403: Problem,
        404: Problem,
      },
    },
    handler: async (req) => {
      const actor = principalOf(req).actor;
      const s = ledger.state;
      const p = one(s.providers, req.params.provider, 'Provider');
      if (!(actor.kind === 'operator' || (actor.kind === 'provider' && actor.name === p.name)))
        throw new ApiError('HV_FORBIDDEN', `Only ${p.name} itself or an operator may read its workload.`);
      const live = Object.values(s.contracts).filter(
        (c) => c.provider === p.id && (c.status === 'issued' || c.status === 'active'),
      );
      return {
        provider: p,
        l: s.l,
        calibrations: Object.values(s.calibrations).filter((c) => c.provider === p.id),
        contracts: live.map((c) => ({
          id: c.id,
          domain: c.domain,
          status: c.status,
          qubits: c.q?.qubits ?? null,
        })),
        envelopes: Object.values(s.envelopes)
          .filter((e) => e.provider === p.id && e.live)
          .map((e) => ({
            id: e.id,
            contract: e.contract,
            start: e.start,
            end: e.end,
            tolerance: s.contracts[e.contract]?.phi?.tolerance ?? 0,
          })),
      };
    },
  });
  app.get('/calibrations', {
    schema: {
      summary: 'List Q calibration contracts',
      operationId: 'listCalibrations',
      tags: ['providers'],
      security: sec,
      querystring: PageQuery,
      response: { 200: page(Generic), 401: Problem },
    },
    handler: async (req) => paginate(Object.values(view(ledger, req).state.calibrations), req.query),
  });
  registerCommand(app, deps, {
    command: 'calibration.issue',
    method: 'POST',
    url: '/providers/:provider/calibrations',
    summary: 'Issue a Q calibration contract valid over [from, until) in logical time',
    operationId: 'issueCalibration',
    tags: ['providers'],
    status: 201,
    params: Type.Object({ provider: Id }),
    body: bodyOf('calibration.issue', { omit: ['provider'] }),
    build: (p, b) => ({ type: 'calibration.issue', provider: p.provider, from: b.from, until: b.until }),
  });
  registerCommand(app, deps, {
    command: 'report.q',
    method: 'POST',
    url: '/providers/:provider/reports/q',
    summary: 'Post a signed Q metrics report (T1, T2, gate fidelity, readout error per qubit)',
    description: SIGNED('xdv/provider-report/v1'),
    operationId: 'postQReport',
    tags: ['reports'],
    status: 201,
    params: Type.Object({ provider: Id }),
    body: bodyOf('report.q', { omit: ['auth'], with: { signature: Signature } }),
    build: (p, b) => {
      sameProvider(p.provider, b.report);
      return { type: 'report.q', report: b.report, auth: { signature: b.signature, verified: false } };
    },
  });
  registerCommand(app, deps, {
    command: 'report.phi',
    method: 'POST',
    url: '/providers/:provider/reports/phi',
    summary:
      'Post a signed Φ stability report (stability index, noise, drift, transform impact per envelope)',
    description: SIGNED('xdv/provider-report/v1'),
    operationId: 'postPhiReport',
    tags: ['reports'],
    status: 201,
    params: Type.Object({ provider: Id }),
    body: bodyOf('report.phi', { omit: ['auth'], with: { signature: Signature } }),
    build: (p, b) => {
      sameProvider(p.provider, b.report);
      return { type: 'report.phi', report: b.report, auth: { signature: b.signature, verified: false } };
    },
  });
  registerCommand(app, deps, {
    command: 'report.error',
    method: 'POST',
    url: '/providers/:provider/reports/error',
    summary: 'Post a signed error report with a Q_ERR_* or PHI_ERR_* code',
    description: SIGNED('xdv/provider-report/v1'),
    operationId: 'postErrorReport',
    tags: ['reports'],
    status: 201,
    params: Type.Object({ provider: Id }),
    body: bodyOf('report.error', { omit: ['auth'], with: { signature: Signature } }),
    build: (p, b) => {
      sameProvider(p.provider, b.report);
      return { type: 'report.error', report: b.report, auth: { signature: b.signature, verified: false } };
    },
  });
}
