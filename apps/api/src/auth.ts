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
}

export function actorOf(t: TokenRecord): Actor {
  if (t.kind === 'operator') return { kind: 'operator' };
  if (t.kind === 'tenant')
    return { kind: 'tenant', tenant: t.tenant ?? '', role: t.role === 'admin' ? 'admin' : 'viewer' };
  return { kind: 'provider', name: t.provider ?? '' };
}

/**
 * The secret of an `Authorization: Bearer` header, or null when there is none. A token is accepted
 * in that header only: never in a URL (query strings reach access logs, proxies and browser history).
 */
export function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (m) return m[1]!;
  throw new ApiError('HV_UNAUTHENTICATED', 'Authorization must be "Bearer <token>".');
}

export async function authenticate(req: FastifyRequest, tokens: TokenStore): Promise<Principal> {
  const secret = bearer(req);
  if (!secret) throw new ApiError('HV_UNAUTHENTICATED', 'Send an API token: Authorization: Bearer <token>.');
  if (secret.length > 200) throw new ApiError('HV_UNAUTHENTICATED', 'That token is not valid.');
  const token = await tokens.findBySecret(secret);
  if (!token || token.revoked)
    throw new ApiError('HV_UNAUTHENTICATED', 'That token is not valid or was revoked.');
  // Saying "expired" reveals nothing: only the holder of the secret can get this answer.
  if (token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.now())
    throw new ApiError('HV_UNAUTHENTICATED', `That token expired at ${token.expiresAt}; mint a new one.`);
  await tokens.used(token);
  return { token, actor: actorOf(token) };
}

export function requireOperator(p: Principal): void {
  if (p.actor.kind !== 'operator') throw new ApiError('HV_FORBIDDEN', 'Only an operator may do this.');
}
