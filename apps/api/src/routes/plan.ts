import { admit, entryVisible, MAX_PLAN_STEPS, type PlanCommand, plan, renderMessage } from '@xdv/core';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Deps, principalOf } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { Entry, Problem } from '../schemas.js';
import { sec } from './read.js';

const Delta = Type.Object({}, { additionalProperties: true });
const Refusal = Type.Object({
  step: Type.Integer({ minimum: 0, description: 'index of the first step that would be refused' }),
  code: Type.String({ description: 'stable error code' }),
  params: Type.Record(Type.String(), Type.Unknown(), { description: 'structured data of the refusal' }),
  detail: Type.String({ description: 'the text for a person, rendered from code and params' }),
});
const PlanStep = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  command: Type.Object({ type: Type.String() }, { additionalProperties: true, description: 'as applied' }),
  wouldBe: Type.Union([Type.Literal('accepted'), Type.Literal('rejected')]),
  entries: Type.Array(Entry),
  created: Type.Record(Type.String(), Type.String(), { description: 'ids the step would create, by kind' }),
  capacity: Type.Array(Delta),
  budgets: Type.Array(Delta),
  quota: Type.Array(Delta),
});
export const PlanResult = Type.Object({
  dryRun: Type.Literal(true),
  wouldBe: Type.Union([Type.Literal('accepted'), Type.Literal('rejected')]),
  steps: Type.Array(PlanStep, { description: 'up to and including the first refused step' }),
  refused: Type.Union([Refusal, Type.Null()]),
  capacity: Type.Array(Delta, { description: 'provider capacity, before the first step → after the last' }),
  budgets: Type.Array(Delta, { description: 'Q decoherence budgets, before → after' }),
  quota: Type.Array(Delta, { description: 'VHM quota use, before → after' }),
  invariants: Type.Object({ checked: Type.Integer(), violations: Type.Array(Delta) }),
});

const PlanBody = Type.Object(
  {
    commands: Type.Array(
      Type.Object(
        { type: Type.String({ minLength: 1, maxLength: 64, description: 'a command type of @xdv/core' }) },
        {
          additionalProperties: true,
          description:
            'a command body as the core declares it (no actor: the caller is the actor); any value may be { "$ref": "<step>.<kind>" }, the id of that kind an earlier step created',
        },
      ),
      { minItems: 1, maxItems: MAX_PLAN_STEPS },
    ),
  },
  { additionalProperties: false },
);

/**
 * Batch dry run: a sequence of commands applied in order to a copy of the committed state by the
 * core's `plan`. Nothing is committed; the caller is the actor of every step, so a tenant plans
 * only within its own tenant and a foreign id is refused exactly like a missing one.
 */
export function planRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  app.post('/plan', {
    schema: {
      summary: 'Preview a sequence of commands as one plan (nothing is committed)',
      description:
        'Each command is applied in order to a copy of the state; later commands refer to ids earlier ones create with { "$ref": "<step>.<kind>" } (kinds as in a mutation’s `created`: vhm, capability, contract, binding, ipc…). The answer has, per step, the entries, created ids and capacity, budget and quota before → after; the same over the whole plan; every invariant after the last step; and the first step that would be refused (later steps are not evaluated).',
      operationId: 'planCommands',
      tags: ['plan'],
      security: sec,
      body: PlanBody,
      response: { 200: PlanResult, 400: Problem, 401: Problem },
    },
    handler: async (req) => {
      const p = principalOf(req);
      const r = plan(deps.ledger.state, req.body.commands as PlanCommand[], p.actor, { admit });
      return {
        dryRun: true as const,
        wouldBe: r.refused ? ('rejected' as const) : ('accepted' as const),
        steps: r.steps.map((s) => ({ ...s, entries: s.entries.filter((e) => entryVisible(e, p.actor)) })),
        refused: r.refused ? { ...r.refused, detail: renderMessage(r.refused.code, r.refused.params) } : null,
        capacity: r.capacity,
        budgets: r.budgets,
        quota: r.quota,
        invariants: r.invariants,
      };
    },
  });
}
