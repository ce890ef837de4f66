import type { Ledger } from '@xdv/db';
import type { IdempotencyStore, TokenRecord, TokenStore } from './ports.js';

// Adapt @xdv/db's stores to the API's ports. Token lookups are cached briefly by secret so a read
// costs no database round trip; a revocation clears the cache at once, in this process and (told by
// PostgreSQL NOTIFY) in every other process on the database. The expiry is only the fallback should
// a notification be lost (a listening connection that dropped).

const CACHE_MS = 5_000;
/** Last use is written at most this often per token (and process): never a write per request. */
export const TOUCH_EVERY_MS = 60_000;

type DbToken = Awaited<ReturnType<Ledger['tokens']['list']>>[number];

function toPort(t: DbToken): TokenRecord {
  return {
    id: t.id,
    kind: t.principal,
    tenant: t.tenant,
    role: t.role,
    provider: t.provider,
    label: t.label,
    revoked: t.revokedAt !== null,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
  };
}

export function tokenStore(ledger: Ledger, cacheMs = CACHE_MS): TokenStore {
  const cache = new Map<string, { at: number; rec: TokenRecord | null }>();
  const touched = new Map<string, number>();
  /** Moves on every revocation: a lookup that started before one does not cache its answer. */
  let revocations = 0;
  const forget = () => {
    revocations++;
    cache.clear();
  };
  // Another process revoked a token: ended with the ledger's connections (Ledger.close).
  void ledger.tokens.onRevoked(forget).catch(() => {});
  return {
    async create(rec, secret) {
      const r = await ledger.tokens.create({
        principal: rec.kind,
        tenant: rec.tenant,
        role: rec.role,
        provider: rec.provider,
        label: rec.label,
        expiresAt: rec.expiresAt ? new Date(rec.expiresAt) : null,
        ...(secret ? { secret } : {}),
      });
      cache.delete(r.secret);
      return { record: toPort(r.token), secret: r.secret };
    },
    cached(secret) {
      const hit = cache.get(secret);
      return hit && performance.now() - hit.at < cacheMs ? hit.rec : undefined;
    },
    async findBySecret(secret) {
      const hit = cache.get(secret);
      const now = performance.now();
      if (hit && now - hit.at < cacheMs) return hit.rec;
      const generation = revocations;
      const t = await ledger.tokens.find(secret);
      const rec = t ? toPort(t) : null;
      // A revocation while the lookup was in flight may have come too late for its answer: do not
      // cache what may already be stale (the next request looks it up again).
      if (generation !== revocations) return rec;
      if (cache.size > 10_000) cache.clear();
      cache.set(secret, { at: now, rec });
      return rec;
    },
    used(token) {
      const now = Date.now();
      const last = touched.get(token.id);
      if (last !== undefined && now - last < TOUCH_EVERY_MS && now >= last) return undefined;
      if (touched.size > 10_000) touched.clear();
      touched.set(token.id, now);
      // Best effort: a failed write must not fail the request it describes.
      return ledger.tokens.touch(token.id, new Date(now)).then(
        () => undefined,
        () => {
          touched.delete(token.id);
        },
      );
    },
    async list() {
      return (await ledger.tokens.list()).map(toPort);
    },
    async revoke(id) {
      forget();
      const ok = await ledger.tokens.revoke(id);
      // Again after the write: a lookup that read the row before it changed must not stay cached.
      forget();
      return ok;
    },
    async countActiveOperators() {
      return (await ledger.tokens.list()).filter((t) => t.principal === 'operator' && t.revokedAt === null)
        .length;
    },
  };
}

export function idempotencyStore(ledger: Ledger): IdempotencyStore {
  return {
    async get(principal, key) {
      const r = await ledger.idempotency.get(principal, key);
      return r ? { requestHash: r.requestHash, status: r.status, body: r.body } : null;
    },
    async put(principal, key, resp) {
      await ledger.idempotency.put({ principal, key, ...resp });
    },
  };
}
