import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Generic, Id, PageQuery, Problem, page } from '../schemas.js';
import { paginate, sec, view } from './read.js';

/** IPC contracts, the one sanctioned exception to isolation (transitions/ipc). */
export function ipcRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
  app.get('/ipc', {
    schema: {
      summary: 'List IPC contracts',
      operationId: 'listIpc',
      tags: ['ipc'],
      security: sec,
      querystring: PageQuery,
      response: { 200: page(Generic), 401: Problem },
    },
    handler: async (req) => paginate(Object.values(view(ledger, req).state.ipcs), req.query),
  });
  registerCommand(app, deps, {
    command: 'ipc.open',
    method: 'POST',
    url: '/ipc',
    summary: 'Open an IPC contract between two VHMs (IPC capability of each)',
    operationId: 'openIpc',
    tags: ['ipc'],
    status: 201,
    body: bodyOf('ipc.open'),
    build: (_p, b) => ({
      type: 'ipc.open',
      a: b.a,
      capabilityA: b.capabilityA,
      b: b.b,
      capabilityB: b.capabilityB,
      rights: b.rights,
    }),
  });
  registerCommand(app, deps, {
    command: 'ipc.close',
    method: 'POST',
    url: '/ipc/:ipc/close',
    summary: 'Close an IPC contract',
    operationId: 'closeIpc',
    tags: ['ipc'],
    params: Type.Object({ ipc: Id }),
    build: (p) => ({ type: 'ipc.close', ipc: p.ipc }),
  });
}
