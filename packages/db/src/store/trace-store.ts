import { resolve } from 'node:path';
import { type Entry, type Hasher, parseEntry, type State } from '@xdv/core';
import {
  type Driver,
  type HeldLock,
  migratePg,
  migratePglite,
  openPg,
  openPglite,
  type Query,
  type Row,
  validSchemaName,
} from '../driver.js';
import type { ReadBatch } from '../readmodel.js';
import type { SignedHead } from '../seal.js';
import { IdempotencyStore, TokenStore } from '../tokens.js';
import { type AnswerRow, writeAnswers } from './answers.js';
import { type RoundInfo, writeBatch } from './append.js';
import { type CheckpointRow, writeCheckpoint } from './checkpoints.js';
import { type ChunkedReplay, replayChunked } from './replay.js';

// The trace store: every SQL statement the hypervisor service needs, behind one object. The
// service decides (through the core); the store appends, reads and answers, in PGlite or PostgreSQL.

export interface TraceQuery {
  afterSeq?: number;
  /** The newest matching entries below this seq (still returned in seq order) instead of the oldest after `afterSeq`. */
  beforeSeq?: number;
  limit?: number;
  tenant?: string;
  vhm?: string;
  type?: string;
}

/** Everything one batch writes, in one transaction. */
export interface BatchWrite {
  entries: readonly Entry[];
  read: ReadBatch;
  round: RoundInfo;
  answers: readonly AnswerRow[];
  checkpoint: CheckpointRow | null;
  head: SignedHead | null;
}

/** A signed checkpoint with the trace's hash at its seq (null where the trace is shorter). */
export interface SignedCheckpointRow {
  seq: number;
  l: number;
  head: string;
  state_hash: string;
  key: string | null;
  sig: string | null;
  thash: string | null;
}

/** Runs last inside a batch's transaction (tests: a crash or a delay before COMMIT). */
export type BeforeCommit = (entries: readonly Entry[]) => Promise<void> | void;

/** One Idempotency-Key slot as one string (principal, key). */
export function onceSlot(principal: string, key: string): string {
  return `${principal}\u0000${key}`;
}

/** Rows per page (the largest `entries` page). */
const PAGE = 10_000;

async function readEntries(db: Query, q: TraceQuery): Promise<Entry[]> {
  const where = ['"seq" > $1'];
  const params: unknown[] = [q.afterSeq ?? 0];
  for (const k of ['tenant', 'vhm', 'type'] as const) {
    const v = q[k];
    if (v !== undefined) {
      params.push(v);
      where.push(`"${k}" = $${params.length}`);
    }
  }
  if (q.beforeSeq !== undefined) {
    params.push(q.beforeSeq);
    where.push(`"seq" < $${params.length}`);
  }
  params.push(Math.max(1, Math.min(q.limit ?? 100, PAGE)));
  const newest = q.beforeSeq !== undefined;
  const rows = await db.query<{ text: string; hash: string }>(
    `SELECT "text","hash" FROM "trace" WHERE ${where.join(' AND ')} ORDER BY "seq"${newest ? ' DESC' : ''} LIMIT $${params.length}`,
    params,
  );
  if (newest) rows.reverse();
  return rows.map((r) => parseEntry(r.text, r.hash));
}

export class TraceStore {
  readonly tokens: TokenStore;
  readonly idempotency: IdempotencyStore;

  constructor(
    private readonly driver: Driver,
    /** The NOTIFY channel of this schema's trace (PostgreSQL: other writers' commits). */
    readonly channel: string,
  ) {
    // Only PostgreSQL has other processes to tell about a revocation.
    this.tokens = new TokenStore(
      driver.db,
      driver.kind === 'pg' ? { driver, channel: `${channel}_tokens` } : undefined,
    );
    this.idempotency = new IdempotencyStore(driver.db);
  }

  /**
   * Open and migrate the store: PostgreSQL when a URL is given, else PGlite (a data directory, or in
   * memory). `id` names the store for this node's head file (null for an in-memory PGlite).
   */
  static async open(o: {
    databaseUrl?: string | undefined;
    schema?: string | undefined;
    dataDir?: string | undefined;
    pgliteTemplate?: Blob | undefined;
  }): Promise<{ store: TraceStore; id: string | null }> {
    const url = o.databaseUrl;
    const schemaName = validSchemaName(o.schema ?? 'public');
    let driver: Driver;
    if (url) {
      await migratePg(url, schemaName);
      driver = await openPg(url, schemaName);
    } else {
      driver = await openPglite({
        ...(o.dataDir ? { dataDir: o.dataDir } : {}),
        ...(o.pgliteTemplate ? { loadDataDir: o.pgliteTemplate } : {}),
      });
      try {
        await migratePglite(driver);
      } catch (e) {
        await driver.close();
        throw e;
      }
    }
    const id = url
      ? (() => {
          const u = new URL(url);
          return `pg:${u.hostname}:${u.port || '5432'}${u.pathname}:${schemaName}`;
        })()
      : o.dataDir
        ? `pglite:${resolve(o.dataDir)}`
        : null;
    return { store: new TraceStore(driver, `xdv_trace_${schemaName}`), id };
  }

  get kind(): 'pglite' | 'pg' {
    return this.driver.kind;
  }

  /** The driver, for the heartbeat's own table. */
  get raw(): Driver {
    return this.driver;
  }

  /** Raw SQL for reporting and tests (read model queries). */
  sql<T extends Row = Row>(text: string, params: unknown[] = []): Promise<T[]> {
    return this.driver.query<T>(text, params);
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  // ---------------------------------------------------------------- appending

  /**
   * The transaction-level advisory lock every commit takes on PostgreSQL: commits are serialised in
   * the database (cheap when uncontended), so a commit that reads the head under it cannot lose the
   * seq race (see commitLocked). PGlite is single-process: no lock.
   */
  private get commitLock(): string | undefined {
    return this.driver.kind === 'pg' ? `xdv-commit:${this.channel}` : undefined;
  }

  /**
   * One batch in one transaction (optimistic: a rival that committed first makes it fail on
   * trace_pkey): the trace rows, read model and commit round, the keyed answers (a duplicate key
   * aborts the batch), a checkpoint and a signed head when due, and on PostgreSQL a NOTIFY for the
   * other writers. `beforeCommit` runs last, inside the transaction.
   */
  async commit(b: BatchWrite, beforeCommit?: BeforeCommit | null): Promise<void> {
    await this.driver.tx((q) => this.writeAll(q, b, beforeCommit), this.commitLock);
  }

  /**
   * A pessimistic commit: under the commit lock, read every row committed after `after` and which
   * of the Idempotency-Keys `keys` hold a live answer, let `prepare` follow the rows and build its
   * batch on that state (without the keys already answered), then write it as `commit` does. Nobody
   * else commits meanwhile, so it cannot lose the seq race nor a key. `prepare` returning null
   * writes nothing.
   */
  async commitLocked(
    after: number,
    keys: ReadonlyArray<{ principal: string; key: string }>,
    prepare: (rows: Entry[], answered: ReadonlySet<string>) => BatchWrite | null,
    beforeCommit?: BeforeCommit | null,
  ): Promise<void> {
    await this.driver.tx(async (q) => {
      const rows: Entry[] = [];
      // Under the lock the rows after `after` are whole committed batches: read them all.
      for (;;) {
        const page = await readEntries(q, { afterSeq: rows[rows.length - 1]?.seq ?? after, limit: PAGE });
        for (const e of page) rows.push(e);
        if (page.length < PAGE) break;
      }
      const answered = new Set<string>();
      if (keys.length > 0) {
        const found = await q.query<{ principal: string; key: string }>(
          'SELECT "principal","key" FROM "idempotency_keys" WHERE ("principal","key") IN ' +
            '(SELECT * FROM unnest($1::text[],$2::text[])) AND "expires_at" > now()',
          [keys.map((k) => k.principal), keys.map((k) => k.key)],
          'xdv_answered',
        );
        for (const r of found) answered.add(onceSlot(r.principal, r.key));
      }
      const b = prepare(rows, answered);
      if (b) await this.writeAll(q, b, beforeCommit);
    }, this.commitLock);
  }

  private async writeAll(q: Query, b: BatchWrite, beforeCommit?: BeforeCommit | null): Promise<void> {
    const last = b.entries[b.entries.length - 1];
    await writeBatch(q, b.entries, b.read, b.round);
    if (b.answers.length > 0) await writeAnswers(q, b.answers);
    if (b.checkpoint) await writeCheckpoint(q, b.checkpoint);
    if (b.head) await insertHead(q, b.head);
    if (this.driver.kind === 'pg' && last)
      await q.query('SELECT pg_notify($1, $2)', [this.channel, String(last.seq)], 'xdv_notify');
    if (beforeCommit) await beforeCommit(b.entries);
  }

  writeCheckpoint(cp: CheckpointRow): Promise<void> {
    return writeCheckpoint(this.driver, cp);
  }

  insertHead(h: SignedHead): Promise<unknown> {
    return insertHead(this.driver, h);
  }

  addNodeKey(fingerprint: string, publicKey: string, node: string): Promise<unknown> {
    return this.driver.query(
      'INSERT INTO "node_keys" ("fingerprint","public_key","node") VALUES ($1,$2,$3) ON CONFLICT DO NOTHING',
      [fingerprint, publicKey, node],
    );
  }

  // ---------------------------------------------------------------- reading the trace

  entries(q: TraceQuery = {}): Promise<Entry[]> {
    return readEntries(this.driver, q);
  }

  /** The genesis command and its effect (seq 1 and 2), which record the protocol. */
  genesisRows(): Promise<Array<{ text: string; hash: string }>> {
    return this.driver.query('SELECT "text","hash" FROM "trace" WHERE "seq" <= 2 ORDER BY "seq"');
  }

  /** The committed head of the trace in the database (every node's entries). */
  async committedHead(): Promise<{ seq: number; l: number }> {
    const r = await this.driver.query<{ seq: number; l: number }>(
      'SELECT "seq","l" FROM "trace" ORDER BY "seq" DESC LIMIT 1',
    );
    return { seq: Number(r[0]?.seq ?? 0), l: Number(r[0]?.l ?? 0) };
  }

  async maxSeq(): Promise<number> {
    const r = await this.driver.query<{ m: number | null }>('SELECT max("seq")::int8 AS m FROM "trace"');
    return Number(r[0]?.m ?? 0);
  }

  async rowAt(seq: number): Promise<{ seq: number; l: number; hash: string } | undefined> {
    const r = await this.driver.query<{ seq: number; l: number; hash: string }>(
      'SELECT "seq","l","hash" FROM "trace" WHERE "seq" = $1',
      [seq],
    );
    return r[0] ? { seq: Number(r[0].seq), l: Number(r[0].l), hash: r[0].hash } : undefined;
  }

  /** Replay the stored trace after `from` (or genesis) through the core, in chunks (see replay.ts). */
  replay(
    from: State | null,
    hasher: Hasher,
    opts: Parameters<typeof replayChunked>[3] = {},
  ): Promise<ChunkedReplay> {
    return replayChunked(this.driver, from, hasher, opts);
  }

  // ---------------------------------------------------------------- checkpoints, heads, keys

  signedCheckpoints(order: 'ASC' | 'DESC'): Promise<SignedCheckpointRow[]> {
    return this.driver.query<SignedCheckpointRow & Row>(
      `SELECT c."seq", c."l", c."head", c."state_hash", c."key", c."sig", t."hash" AS "thash" FROM "checkpoints" c LEFT JOIN "trace" t ON t."seq" = c."seq" WHERE c."sig" IS NOT NULL ORDER BY c."seq" ${order}`,
    );
  }

  async checkpointState(seq: number): Promise<string | undefined> {
    const r = await this.driver.query<{ state: string }>(
      'SELECT "state" FROM "checkpoints" WHERE "seq" = $1',
      [seq],
    );
    return r[0]?.state;
  }

  /** The newest checkpoint at or before logical time L. */
  async checkpointAtOrBefore(
    l: number,
  ): Promise<{ seq: number; state: string; state_hash: string } | undefined> {
    const r = await this.driver.query<{ seq: number; state: string; state_hash: string }>(
      'SELECT "seq","state","state_hash" FROM "checkpoints" WHERE "l" <= $1 ORDER BY "seq" DESC LIMIT 1',
      [l],
    );
    return r[0];
  }

  /** Signed heads at or above `from` and after `after`, with the trace's hash at their seq, 500 at a time. */
  headsFrom(from: number, after: number): Promise<Array<SignedHead & { thash: string | null }>> {
    return this.driver.query<SignedHead & { thash: string | null } & Row>(
      'SELECT h."seq", h."l", h."hash", h."key", h."sig", t."hash" AS "thash" FROM "trace_heads" h LEFT JOIN "trace" t ON t."seq" = h."seq" WHERE h."seq" >= $1 AND h."seq" > $2 ORDER BY h."seq" LIMIT 500',
      [from, after],
    );
  }

  async newestHead(): Promise<SignedHead | undefined> {
    const r = await this.driver.query<{ seq: number; l: number; hash: string; key: string; sig: string }>(
      'SELECT "seq","l","hash","key","sig" FROM "trace_heads" ORDER BY "seq" DESC LIMIT 1',
    );
    const h = r[0];
    return h ? { seq: Number(h.seq), l: Number(h.l), hash: h.hash, key: h.key, sig: h.sig } : undefined;
  }

  /** The public key recorded for a fingerprint in the database's key table (not necessarily trusted). */
  async publicKeyOf(fingerprint: string): Promise<string | undefined> {
    const r = await this.driver.query<{ public_key: string }>(
      'SELECT "public_key" FROM "node_keys" WHERE "fingerprint" = $1',
      [fingerprint],
    );
    return r[0]?.public_key;
  }

  // ---------------------------------------------------------------- coordination

  /** A session advisory lock held until released or this process dies; null when another holds it. */
  tryLock(key: string): Promise<HeldLock | null> {
    return this.driver.tryLock(`${key}:${this.channel}`);
  }

  /** Other writers' commits (PostgreSQL NOTIFY): the callback gets the new head seq. */
  listen(cb: (seq: number) => void): Promise<() => Promise<void>> {
    return this.driver.listen(this.channel, (payload) => cb(Number(payload)));
  }
}

function insertHead(q: { query: Driver['query'] }, h: SignedHead): Promise<unknown> {
  return q.query(
    'INSERT INTO "trace_heads" ("seq","l","hash","key","sig") VALUES ($1,$2,$3,$4,$5) ON CONFLICT ("seq") DO NOTHING',
    [h.seq, h.l, h.hash, h.key, h.sig],
    'xdv_head',
  );
}
