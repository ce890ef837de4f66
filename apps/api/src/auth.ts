import type { Actor } from '@xdv/core';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import type { TokenRecord, TokenStore } from './ports.js';

// Bearer tokens. Only a SHA-256 of the secret is stored; lookups are cached by the secret's hash.

export interface Principal {
  token: TokenRecord;
  actor: Actor;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The route also accepts its token as ?access_token= (EventSource cannot send a header). */
    tokenInQuery?: boolean;
  }
}

export function actorOf(t: TokenRecord): Actor {
  if (t.kind === 'operator') return { kind: 'operator' };
  if (t.kind === 'tenant')
    return { kind: 'tenant', tenant: t.tenant ?? '', role: t.role === 'admin' ? 'admin' : 'viewer' };
  return { kind: 'provider', name: t.provider ?? '' };
}

export function bearer(req: FastifyRequest, allowQuery: boolean): string | null {
  const h = req.headers.authorization;
  if (typeof h === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (m) return m[1]!;
    throw new ApiError('HV_UNAUTHENTICATED', 'Authorization must be "Bearer <token>".');
  }
  // EventSource cannot set headers, so the stream also accepts ?access_token=.
  if (allowQuery) {
    const q = (req.query as Record<string, unknown> | undefined)?.access_token;
    if (typeof q === 'string' && q.length > 0) return q;
  }
  return null;
}

export async function authenticate(
  req: FastifyRequest,
  tokens: TokenStore,
  allowQuery = false,
): Promise<Principal> {
  const secret = bearer(req, allowQuery);
  if (!secret) throw new ApiError('HV_UNAUTHENTICATED', 'Send an API token: Authorization: Bearer <token>.');
  if (secret.length > 200) throw new ApiError('HV_UNAUTHENTICATED', 'That token is not valid.');
  const token = await tokens.findBySecret(secret);
  if (!token || token.revoked)
    throw new ApiError('HV_UNAUTHENTICATED', 'That token is not valid or was revoked.');
  return { token, actor: actorOf(token) };
}

export function requireOperator(p: Principal): void {
  if (p.actor.kind !== 'operator') throw new ApiError('HV_FORBIDDEN', 'Only an operator may do this.');
}
