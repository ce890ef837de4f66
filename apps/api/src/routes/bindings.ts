import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { type Deps, registerCommand } from '../mutation.js';
import type { RequestTypeProvider } from '../schemas.js';
import { Binding, bodyOf, Id, PageQuery, Problem, page } from '../schemas.js';
import { CapBody, errors, ownerVhm, paginate, sec, sendOne, view, visible } from './read.js';

/** Domain bindings: requested → validated → active → released (transitions/bindings). */
export function bindingRoutes(base: FastifyInstance, deps: Deps): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger } = deps;
  app.get('/bindings', {
    schema: {
      summary: 'List domain bindings',
      operationId: 'listBindings',
      tags: ['bindings'],
      security: sec,
      querystring: Type.Intersect([
        PageQuery,
        Type.Object({ vhm: Type.Optional(Id), state: Type.Optional(Type.String({ maxLength: 16 })) }),
      ]),
      response: { 200: page(Binding), 401: Problem },
    },
    handler: async (req) => {
      const q = req.query;
      return paginate(
        Object.values(view(ledger, req).state.bindings).filter(
          (b) => (!q.vhm || b.vhm === q.vhm) && (!q.state || b.state === q.state),
        ),
        req.query,
      );
    },
  });
  app.get('/bindings/:binding', {
    schema: {
      summary: 'Get a binding',
      operationId: 'getBinding',
      tags: ['bindings'],
      security: sec,
      params: Type.Object({ binding: Id }),
      response: { 200: Binding, ...errors },
    },
    handler: (req, reply) =>
      sendOne(req, reply, visible(ledger, req, 'bindings', req.params.binding, 'Binding'), ledger.state.seq),
  });
  registerCommand(app, deps, {
    command: 'binding.request',
    method: 'POST',
    url: '/vhms/:vhm/bindings',
    summary: 'Request a domain binding for one of the VHM’s contracts',
    operationId: 'requestBinding',
    tags: ['bindings'],
    status: 201,
    params: Type.Object({ vhm: Id }),
    body: bodyOf('binding.request', { omit: ['vhm'] }),
    build: (p, b) => ({
      type: 'binding.request',
      vhm: p.vhm,
      capability: b.capability,
      contract: b.contract,
    }),
  });
  for (const action of ['validate', 'activate', 'release'] as const)
    registerCommand(app, deps, {
      command: `binding.${action}` as const,
      method: 'POST',
      url: `/bindings/:binding/${action}`,
      summary: `${action[0]!.toUpperCase()}${action.slice(1)} a binding`,
      operationId: `${action}Binding`,
      tags: ['bindings'],
      params: Type.Object({ binding: Id }),
      body: CapBody,
      etag: (p, d) => d.ledger.state.bindings[p.binding],
      build: (p, b, actor) =>
        ({
          type: `binding.${action}`,
          vhm: ownerVhm(ledger.state, actor, ledger.state.bindings, p.binding, 'Binding'),
          capability: b.capability,
          binding: p.binding,
        }) as never,
    });
}
