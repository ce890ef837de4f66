import type { FastifyInstance } from 'fastify';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Generic, PageQuery, Problem, page } from '../schemas.js';
import { paginate, sec, view } from './read.js';

/** The longest lifetime a minted token may be given (expiresInSeconds): ten years. */

/** Faults and fault injection (transitions/faults); alerts are in alerts.ts. */
export function faultRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
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
  registerCommand(app, deps, {
    command: 'fault.inject',
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
}
