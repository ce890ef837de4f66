import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { bodyOf, Generic, Id, PageQuery, page } from '../schemas.js';
import { errors, one, paginate, sec, VhmParams, view } from './read.js';

/** Processes inside a VHM (transitions/processes). */
export function processRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
  // Processes
  app.get('/vhms/:vhm/processes', {
    schema: {
      summary: 'List a VHM’s processes',
      operationId: 'listProcesses',
      tags: ['processes'],
      security: sec,
      params: VhmParams,
      querystring: PageQuery,
      response: { 200: page(Generic), ...errors },
    },
    handler: async (req) => {
      const { state } = view(ledger, req);
      const v = one(state.vhms, req.params.vhm, 'VHM');
      return paginate(
        v.processes.map((id) => state.processes[id]!),
        req.query,
      );
    },
  });
  registerCommand(app, deps, {
    command: 'process.spawn',
    method: 'POST',
    url: '/vhms/:vhm/processes',
    summary: 'Spawn a process (PROCESS right)',
    operationId: 'spawnProcess',
    tags: ['processes'],
    status: 201,
    params: VhmParams,
    body: bodyOf('process.spawn', { omit: ['vhm'] }),
    build: (p, b) => ({ type: 'process.spawn', vhm: p.vhm, capability: b.capability, name: b.name }),
  });
  registerCommand(app, deps, {
    command: 'process.exit',
    method: 'POST',
    url: '/vhms/:vhm/processes/:process/exit',
    summary: 'Exit a process (PROCESS right)',
    operationId: 'exitProcess',
    tags: ['processes'],
    params: Type.Object({ vhm: Id, process: Id }),
    body: bodyOf('process.exit', { omit: ['vhm', 'process'] }),
    build: (p, b) => ({ type: 'process.exit', vhm: p.vhm, capability: b.capability, process: p.process }),
  });
}
