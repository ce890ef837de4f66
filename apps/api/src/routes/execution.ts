import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Id } from '../schemas.js';
import { ownerVhm } from './read.js';

/** Q jobs and Φ transforms on active bindings (transitions/execution). */
export function executionRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
  registerCommand(app, deps, {
    command: 'q.job',
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
    command: 'phi.transform',
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
}
