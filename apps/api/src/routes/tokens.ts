import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireOperator } from '../auth.js';
import { ApiError } from '../errors.js';
import { type Deps, principalOf } from '../mutation.js';
import type { TokenStore } from '../ports.js';
import type { RequestTypeProvider } from '../schemas.js';
import { Id, Problem } from '../schemas.js';
import { sec } from './read.js';

const Token = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('operator'), Type.Literal('tenant'), Type.Literal('provider')]),
  tenant: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.Literal('admin'), Type.Literal('viewer'), Type.Null()]),
  provider: Type.Union([Type.String(), Type.Null()]),
  label: Type.String(),
  revoked: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'when the token last authenticated a request (recorded at most about once a minute)',
  }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'after this instant the token authenticates nothing; null = it does not expire',
  }),
});

/** The longest lifetime a minted token may be given (expiresInSeconds): ten years. */
const MAX_EXPIRY_S = 10 * 366 * 86_400;

/** Who am I, and API tokens (stored hashed, shown once). */
export function tokenRoutes(base: FastifyInstance, deps: Deps & { tokens: TokenStore }): void {
  const app = base.withTypeProvider<RequestTypeProvider>();
  const { ledger, tokens } = deps;
  app.get('/me', {
    schema: {
      summary: 'Who am I: the principal behind this token',
      operationId: 'whoAmI',
      tags: ['tokens'],
      security: sec,
      response: {
        200: Type.Object({ token: Token, tenantName: Type.Union([Type.String(), Type.Null()]) }),
        401: Problem,
      },
    },
    handler: async (req) => {
      const p = principalOf(req);
      return {
        token: p.token,
        tenantName: p.token.tenant ? (ledger.state.tenants[p.token.tenant]?.name ?? null) : null,
      };
    },
  });
  app.get('/tokens', {
    schema: {
      summary: 'List API tokens (operator; secrets are never shown again)',
      operationId: 'listTokens',
      tags: ['tokens'],
      security: sec,
      response: { 200: Type.Object({ items: Type.Array(Token) }), 401: Problem, 403: Problem },
    },
    handler: async (req) => {
      requireOperator(principalOf(req));
      return { items: await tokens.list() };
    },
  });
  app.post('/tokens', {
    schema: {
      summary: 'Mint an API token (operator); the secret is returned once',
      operationId: 'createToken',
      tags: ['tokens'],
      security: sec,
      body: Type.Object(
        {
          kind: Type.Union([Type.Literal('operator'), Type.Literal('tenant'), Type.Literal('provider')]),
          tenant: Type.Optional(Id),
          role: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('viewer')])),
          provider: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 64,
              description: 'the provider name this token may register and report as',
            }),
          ),
          label: Type.String({ minLength: 1, maxLength: 100 }),
          expiresInSeconds: Type.Optional(
            Type.Integer({
              minimum: 60,
              maximum: MAX_EXPIRY_S,
              description:
                'the token stops authenticating this many seconds after it is minted (60 s to ten years); absent = it does not expire',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      response: {
        201: Type.Object({ token: Token, secret: Type.String() }),
        400: Problem,
        401: Problem,
        403: Problem,
        404: Problem,
      },
    },
    handler: async (req, reply) => {
      requireOperator(principalOf(req));
      const b = req.body;
      if (b.kind === 'tenant' && (!b.tenant || !ledger.state.tenants[b.tenant]))
        throw new ApiError('HV_NOT_FOUND', `Tenant ${b.tenant ?? '(missing)'} does not exist.`);
      if (b.kind === 'provider' && !b.provider)
        throw new ApiError('HV_BAD_REQUEST', 'A provider token needs the provider name.');
      const created = await tokens.create({
        kind: b.kind,
        tenant: b.kind === 'tenant' ? b.tenant! : null,
        role: b.kind === 'tenant' ? (b.role ?? 'admin') : null,
        provider: b.kind === 'provider' ? b.provider! : null,
        label: b.label,
        expiresAt:
          b.expiresInSeconds === undefined
            ? null
            : new Date(Date.now() + b.expiresInSeconds * 1000).toISOString(),
      });
      return reply.code(201).send({ token: created.record, secret: created.secret });
    },
  });
  app.post('/tokens/:token/revoke', {
    schema: {
      summary: 'Revoke an API token (operator)',
      operationId: 'revokeToken',
      tags: ['tokens'],
      security: sec,
      params: Type.Object({ token: Type.String({ maxLength: 64 }) }),
      response: {
        200: Type.Object({ revoked: Type.Boolean() }),
        401: Problem,
        403: Problem,
        404: Problem,
        409: Problem,
      },
    },
    handler: async (req) => {
      requireOperator(principalOf(req));
      const id = req.params.token;
      if (id === principalOf(req).token.id)
        throw new ApiError('HV_CONFLICT', 'You cannot revoke the token you are using.');
      if (!(await tokens.revoke(id))) throw new ApiError('HV_NOT_FOUND', `Token ${id} does not exist.`);
      return { revoked: true };
    },
  });
}
