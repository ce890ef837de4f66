import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Problem } from '../schemas.js';
import { sec, view } from './read.js';

/** The longest lifetime a minted token may be given (expiresInSeconds): ten years. */

/** The cross-domain scheduler: units and ticks (transitions/scheduler). */
export function schedulerRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
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
    command: 'sched.submit',
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
    command: 'sched.tick',
    method: 'POST',
    url: '/scheduler/tick',
    summary: 'Run one scheduler tick (operator): the arbitration decision is a trace entry',
    operationId: 'schedulerTick',
    tags: ['scheduler'],
    build: () => ({ type: 'sched.tick' }),
  });
}
