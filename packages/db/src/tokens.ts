import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt, lte, or } from 'drizzle-orm';
import { type Db, DbError, type Driver } from './driver.js';
import { apiTokens, idempotencyKeys } from './schema.js';

export type PrincipalKind = 'operator' | 'tenant' | 'provider';

export interface TokenRecord {
  id: string;
  principal: PrincipalKind;
  tenant: string | null;
  role: 'admin' | 'viewer' | null;
  provider: string | null;
  label: string;
  createdAt: Date;
  revokedAt: Date | null;
  /** When the token last authenticated a request (coarse: written at most about once a minute). */
  lastUsedAt: Date | null;
  /** After this instant the token authenticates nothing; null = it does not expire. */
  expiresAt: Date | null;
}

export interface NewToken {
  principal: PrincipalKind;
  tenant?: string | null;
  role?: 'admin' | 'viewer' | null;
  provider?: string | null;
  label: string;
  /** A caller-chosen secret (the bootstrap token from the environment); generated when absent. */
  secret?: string;
  /** When the token stops authenticating; absent or null = never. */
  expiresAt?: Date | null;
}

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function toRecord(r: typeof apiTokens.$inferSelect): TokenRecord {
  return {
    id: r.id,
    principal: r.principal as PrincipalKind,
    tenant: r.tenant,
    role: r.role as TokenRecord['role'],
    provider: r.provider,
    label: r.label,
    createdAt: r.createdAt,
    revokedAt: r.revokedAt,
    lastUsedAt: r.lastUsedAt,
    expiresAt: r.expiresAt,
  };
}

/** API tokens: the secret is shown once at creation; only its SHA-256 is stored. */
export class TokenStore {
  constructor(
    private readonly db: Db,
    /** Where revocations are announced to the other processes on this database (PostgreSQL NOTIFY). */
    private readonly revocations?: { driver: Driver; channel: string },
  ) {}

  /**
   * Call `cb` when any process on this database revokes a token (PostgreSQL; a single PGlite process
   * has no others): a process that caches lookups drops them at once instead of when they expire.
   * Returns the unsubscribe.
   */
  onRevoked(cb: () => void): Promise<() => Promise<void>> {
    if (!this.revocations) return Promise.resolve(async () => {});
    return this.revocations.driver.listen(this.revocations.channel, () => cb());
  }

  async create(t: NewToken): Promise<{ token: TokenRecord; secret: string }> {
    const id = `tok_${randomBytes(8).toString('hex')}`;
    const secret = t.secret ?? `xdv_${randomBytes(24).toString('base64url')}`;
    const [row] = await this.db
      .insert(apiTokens)
      .values({
        id,
        principal: t.principal,
        tenant: t.tenant ?? null,
        role: t.role ?? null,
        provider: t.provider ?? null,
        label: t.label,
        secretSha256: sha256Hex(secret),
        expiresAt: t.expiresAt ?? null,
      })
      .returning();
    return { token: toRecord(row!), secret };
  }

  /**
   * The not revoked token whose secret this is, or null. An expired token is returned (with its
   * expiresAt): the caller refuses it, and may say why, since the caller holds the secret.
   */
  async find(secret: string): Promise<TokenRecord | null> {
    const rows = await this.db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.secretSha256, sha256Hex(secret)), isNull(apiTokens.revokedAt)))
      .limit(1);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async get(id: string): Promise<TokenRecord | null> {
    const rows = await this.db.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(filter: { tenant?: string } = {}): Promise<TokenRecord[]> {
    const q = this.db.select().from(apiTokens);
    const rows = await (filter.tenant ? q.where(eq(apiTokens.tenant, filter.tenant)) : q).orderBy(
      apiTokens.createdAt,
      apiTokens.id,
    );
    return rows.map(toRecord);
  }

  /** Record that the token authenticated a request at `at` (never moves last use backwards). */
  async touch(id: string, at: Date = new Date()): Promise<void> {
    await this.db
      .update(apiTokens)
      .set({ lastUsedAt: at })
      .where(and(eq(apiTokens.id, id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, at))));
  }

  /** Revoke; true if the token existed and was live. */
  async revoke(id: string): Promise<boolean> {
    const rows = await this.db
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    if (rows.length > 0 && this.revocations)
      await this.revocations.driver.query('SELECT pg_notify($1, $2)', [this.revocations.channel, id]);
    return rows.length > 0;
  }
}

export interface IdempotentResponse {
  key: string;
  principal: string;
  requestHash: string;
  status: number;
  body: string;
  expiresAt: Date;
}

function toResponse(r: typeof idempotencyKeys.$inferSelect): IdempotentResponse {
  return {
    key: r.key,
    principal: r.principal,
    requestHash: r.requestHash,
    status: r.status,
    body: r.body,
    expiresAt: r.expiresAt,
  };
}

/** Idempotency keys: the first stored response for (principal, key) wins until it expires. */
export class IdempotencyStore {
  constructor(private readonly db: Db) {}

  async get(principal: string, key: string): Promise<IdempotentResponse | null> {
    const rows = await this.db
      .select()
      .from(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.principal, principal),
          eq(idempotencyKeys.key, key),
          gt(idempotencyKeys.expiresAt, new Date()),
        ),
      )
      .limit(1);
    return rows[0] ? toResponse(rows[0]) : null;
  }

  /**
   * Store a response unless one is already stored (a concurrent duplicate); returns the stored one,
   * so the caller can tell whether its own response won.
   */
  async put(r: {
    principal: string;
    key: string;
    requestHash: string;
    status: number;
    body: string;
    ttlSeconds?: number;
  }): Promise<IdempotentResponse> {
    const expiresAt = new Date(Date.now() + (r.ttlSeconds ?? 86_400) * 1000);
    // An expired row for the same key is replaced; a live one is kept.
    await this.db
      .delete(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.principal, r.principal),
          eq(idempotencyKeys.key, r.key),
          lte(idempotencyKeys.expiresAt, new Date()),
        ),
      );
    const inserted = await this.db
      .insert(idempotencyKeys)
      .values({
        principal: r.principal,
        key: r.key,
        requestHash: r.requestHash,
        status: r.status,
        body: r.body,
        expiresAt,
      })
      .onConflictDoNothing()
      .returning();
    const row =
      inserted[0] ??
      (
        await this.db
          .select()
          .from(idempotencyKeys)
          .where(and(eq(idempotencyKeys.principal, r.principal), eq(idempotencyKeys.key, r.key)))
          .limit(1)
      )[0];
    if (!row) throw new DbError('HV_IDEMPOTENCY_LOST', 'idempotency record vanished while storing it');
    return toResponse(row);
  }

  /** Delete expired records; returns how many. */
  async purgeExpired(): Promise<number> {
    const rows = await this.db
      .delete(idempotencyKeys)
      .where(lte(idempotencyKeys.expiresAt, new Date()))
      .returning({ key: idempotencyKeys.key });
    return rows.length;
  }
}
