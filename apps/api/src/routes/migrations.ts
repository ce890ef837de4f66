import type { FastifyInstance } from 'fastify';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Generic, PageQuery, Problem, page } from '../schemas.js';
import { paginate, sec, VhmParams, view } from './read.js';

/** Migrations between K hosts (transitions/migration). */
export function migrationRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
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
    command: 'vhm.migrate',
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
