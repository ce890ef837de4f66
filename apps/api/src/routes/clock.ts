import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ClockStatus } from '../clock.js';
import type { LedgerPort } from '../ports.js';
import { Problem } from '../schemas.js';

const Clock = Type.Object(
  {
    l: Type.Integer({ minimum: 0, description: 'the committed logical time L' }),
    tickMs: Type.Integer({
      minimum: 0,
      description:
        'wall-clock milliseconds per tick of the clock source; 0 = ticks only through POST /v1/clock/advance',
    }),
    ticking: Type.Boolean({ description: 'whether the process answering is the one that ticks' }),
  },
  { additionalProperties: false },
);

/** The logical clock and its pace, so a person can read "≈ 40 s left" beside a number of ticks. */
export function clockRoutes(app: FastifyInstance, ledger: LedgerPort, clock: () => ClockStatus): void {
  app.get('/clock', {
    schema: {
      summary: 'The logical clock: L and the wall-clock length of a tick',
      description:
        'Only the clock source moves L: one tick every tickMs of wall time (or operator ticks when tickMs is 0). ' +
        'Windows, calibration validity, aging and budgets are in ticks; multiply by tickMs for a wall-clock estimate.',
      operationId: 'getClock',
      tags: ['clock'],
      security: [{ bearer: [] }],
      response: { 200: Clock, 401: Problem },
    },
    handler: async () => ({ l: ledger.applied.l, ...clock() }),
  });
}
