import type { Actor } from '@xdv/core';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
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

/** The secret of a request, refusing a missing, malformed or over-long one. */
function secretOf(req: FastifyRequest): string {
  const secret = bearer(req);
  if (!secret) throw new ApiError('HV_UNAUTHENTICATED', 'Send an API token: Authorization: Bearer <token>.');
  if (secret.length > 200) throw new ApiError('HV_UNAUTHENTICATED', 'That token is not valid.');
  return secret;
}

// One principal object per token record: the store hands out the same record while it is cached,
// so a read builds no principal or actor of its own. Both are frozen: requests share them.
const principals = new WeakMap<TokenRecord, Principal>();

/** The principal of a found token, or the refusal of a missing, revoked or expired one. */
function admit(token: TokenRecord | null): Principal {
  if (!token || token.revoked)
    throw new ApiError('HV_UNAUTHENTICATED', 'That token is not valid or was revoked.');
  // Saying "expired" reveals nothing: only the holder of the secret can get this answer.
  if (token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.now())
    throw new ApiError('HV_UNAUTHENTICATED', `That token expired at ${token.expiresAt}; mint a new one.`);
  let p = principals.get(token);
  if (!p) {
    p = Object.freeze({ token, actor: Object.freeze(actorOf(token)) });
    principals.set(token, p);
  }
  return p;
}

export async function authenticate(req: FastifyRequest, tokens: TokenStore): Promise<Principal> {
  const secret = secretOf(req);
  const p = admit(tokens.cached?.(secret) ?? (await tokens.findBySecret(secret)));
  await tokens.used(p.token);
  return p;
}

/**
 * The /v1 onRequest hook: sets `req.principal` or fails with HV_UNAUTHENTICATED. A token the store
 * has cached (looked up within the last few seconds, and not revoked since: revoking clears the
 * cache) is admitted synchronously, with no promise and no database; the first request of a token,
 * and a request that is due to record the token's last use, take the asynchronous path.
 */
export function authHook(tokens: TokenStore): onRequestHookHandler {
  return (req, _reply, done) => {
    let secret: string;
    let p: Principal;
    try {
      secret = secretOf(req);
      const hit = tokens.cached?.(secret);
      if (hit === undefined) {
        tokens.findBySecret(secret).then((t) => {
          try {
            p = admit(t);
          } catch (e) {
            return done(e as Error);
          }
          req.principal = p;
          touch(tokens, p, done);
        }, done);
        return;
      }
      p = admit(hit);
    } catch (e) {
      return done(e as Error);
    }
    req.principal = p;
    touch(tokens, p, done);
  };
}

function touch(tokens: TokenStore, p: Principal, done: (err?: Error) => void): void {
  const pending = tokens.used(p.token);
  if (pending) pending.then(() => done(), done);
  else done();
}

export function requireOperator(p: Principal): void {
  if (p.actor.kind !== 'operator') throw new ApiError('HV_FORBIDDEN', 'Only an operator may do this.');
}
