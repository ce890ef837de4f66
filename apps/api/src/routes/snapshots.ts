import type { FastifyInstance } from 'fastify';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Generic, PageQuery, page } from '../schemas.js';
import { errors, one, paginate, sec, VhmParams, view } from './read.js';

/** K-only snapshots (transitions/snapshots). */
export function snapshotRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
  // Snapshots and migrations
  app.get('/vhms/:vhm/snapshots', {
    schema: {
      summary: 'List a VHM’s K snapshots',
      operationId: 'listSnapshots',
      tags: ['snapshots'],
      security: sec,
      params: VhmParams,
      querystring: PageQuery,
      response: { 200: page(Generic), ...errors },
    },
    handler: async (req) => {
      const { state } = view(ledger, req);
      const id = req.params.vhm;
      one(state.vhms, id, 'VHM');
      return paginate(
        Object.values(state.snapshots).filter((s) => s.vhm === id),
        req.query,
      );
    },
  });
  registerCommand(app, deps, {
    command: 'snapshot.take',
    method: 'POST',
    url: '/vhms/:vhm/snapshots',
    summary: 'Take a K-only snapshot (asking for Q or Φ state is refused: HV_NO_CLONE)',
    operationId: 'takeSnapshot',
    tags: ['snapshots'],
    status: 201,
    params: VhmParams,
    body: bodyOf('snapshot.take', { omit: ['vhm'], optional: ['include'] }),
    build: (p, b) => ({
      type: 'snapshot.take',
      vhm: p.vhm,
      capability: b.capability,
      include: b.include ?? ['K'],
    }),
  });
}
