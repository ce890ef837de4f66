import {
  canonicalJson,
  type Entry,
  type Hasher,
  type ReplayMismatch,
  replay,
  type State,
  type StoredEntry,
} from '@xdv/core';
import type { Query } from './driver.js';
import { METRICS_SQL, READ_TABLES, type ReadBatch, upsertSql } from './readmodel.js';

// Raw SQL for the hot path (trace append, tail reads); Drizzle handles the rest.

/** One multi-row insert for any batch size: arrays in, one named prepared statement reused. */
export const APPEND_SQL =
  'INSERT INTO "trace" ("seq","l","type","tenant","vhm","domain","capability","contract","text","prev","hash") ' +
  'SELECT * FROM unnest($1::int8[],$2::int8[],$3::text[],$4::text[],$5::text[],$6::text[],$7::text[],$8::text[],$9::text[],$10::text[],$11::text[])';

export function appendParams(entries: readonly Entry[]): unknown[] {
  const n = entries.length;
  const cols: unknown[][] = Array.from({ length: 11 }, () => new Array<unknown>(n));
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    cols[0]![i] = e.seq;
    cols[1]![i] = e.l;
    cols[2]![i] = e.type;
    cols[3]![i] = e.tenant;
    cols[4]![i] = e.vhm;
    cols[5]![i] = e.domain;
    cols[6]![i] = e.capability;
    cols[7]![i] = e.contract;
    cols[8]![i] = e.text;
    cols[9]![i] = e.prev;
    cols[10]![i] = e.hash;
  }
  return cols;
}

export interface CheckpointRow {
  seq: number;
  l: number;
  head: string;
  stateHash: string;
  state: string;
  /** Fingerprint of the node key that signed it, and the signature (see seal.ts). */
  key?: string | null;
  sig?: string | null;
}

/** Serialise a state for a checkpoint (synchronously: it must be the state at exactly this seq). */
export function checkpointOf(state: State, hasher: Hasher): CheckpointRow {
  const text = canonicalJson(state);
  return { seq: state.seq, l: state.l, head: state.head, stateHash: hasher(text), state: text };
}

export async function writeCheckpoint(q: Query, cp: CheckpointRow): Promise<void> {
  await q.query(
    'INSERT INTO "checkpoints" ("seq","l","head","state_hash","state","key","sig") VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT ("seq") DO NOTHING',
    [cp.seq, cp.l, cp.head, cp.stateHash, cp.state, cp.key ?? null, cp.sig ?? null],
  );
}

/** Who committed a batch and how many seq conflicts it lost first (the commit round's telemetry). */
export interface RoundInfo {
  node: string;
  retries: number;
}

/**
 * The batch's commit round, one row. DO NOTHING on its key: a rival round on the same first seq
 * can only exist when the trace insert conflicts too, and that conflict (trace_pkey) must be the
 * error the writer sees.
 */
export const ROUND_SQL =
  'INSERT INTO "commit_rounds" ("first_seq","last_seq","first_l","last_l","entries","node","retries") ' +
  'SELECT "first_seq","last_seq","first_l","last_l","entries","node","retries" FROM jsonb_populate_recordset(null::"commit_rounds", $1::jsonb) ' +
  'ON CONFLICT DO NOTHING';

/**
 * The whole batch in one statement: the trace rows, then every read-model table and the metric
 * samples as data-modifying CTEs. One parse and one round trip per commit instead of up to eleven;
 * on PGlite the fixed cost of a statement was most of a small batch's transaction. The tables are
 * independent (no foreign keys), so the CTEs' order does not matter; a seq conflict still fails the
 * statement with trace_pkey.
 */
export const BATCH_SQL = (() => {
  const parts = [`"append" AS (${APPEND_SQL})`];
  for (const [i, t] of READ_TABLES.entries()) parts.push(`"up_${t}" AS (${upsertSql(t, 12 + i)})`);
  parts.push(`"up_metrics" AS (${METRICS_SQL.replace('$1', `$${12 + READ_TABLES.length}`)})`);
  parts.push(`"round" AS (${ROUND_SQL.replace('$1', `$${13 + READ_TABLES.length}`)})`);
  return `WITH ${parts.join(', ')} SELECT 1`;
})();

/** Write one batch's entries, read-model rows and commit round (inside the caller's transaction). */
export async function writeBatch(
  q: Query,
  entries: readonly Entry[],
  read: ReadBatch,
  round?: RoundInfo,
): Promise<void> {
  const params = appendParams(entries);
  for (const t of READ_TABLES) {
    const m = read.rows.get(t);
    params.push(m && m.size > 0 ? `[${[...m.values()].join(',')}]` : '[]');
  }
  params.push(JSON.stringify(read.metrics));
  const first = entries[0];
  const last = entries[entries.length - 1];
  params.push(
    round && first && last
      ? JSON.stringify([
          {
            first_seq: first.seq,
            last_seq: last.seq,
            first_l: first.l,
            last_l: last.l,
            entries: entries.length,
            node: round.node,
            retries: round.retries,
          },
        ])
      : '[]',
  );
  await q.query(BATCH_SQL, params, 'xdv_batch');
}

export interface StoredRow extends StoredEntry {
  l: number;
}

export async function readRows(
  q: Query,
  afterSeq: number,
  limit: number,
  untilL?: number,
): Promise<StoredRow[]> {
  return untilL === undefined
    ? q.query<StoredRow & Record<string, unknown>>(
        'SELECT "seq","l","text","hash" FROM "trace" WHERE "seq" > $1 ORDER BY "seq" LIMIT $2',
        [afterSeq, limit],
        'xdv_read',
      )
    : q.query<StoredRow & Record<string, unknown>>(
        'SELECT "seq","l","text","hash" FROM "trace" WHERE "seq" > $1 AND "l" <= $3 ORDER BY "seq" LIMIT $2',
        [afterSeq, limit, untilL],
        'xdv_read_until',
      );
}

export interface ChunkedReplay {
  state: State | null;
  entries: number;
  mismatch: ReplayMismatch | null;
  /** Stored entries, for callers that need them (following another writer). */
  rows?: StoredRow[];
}

/**
 * Replay the trace after `from` (or from genesis) through the core in chunks that end on command
 * boundaries (all entries of one command share its L), reading the next chunk while replaying this one.
 */
export async function replayChunked(
  q: Query,
  from: State | null,
  hasher: Hasher,
  opts: {
    untilL?: number;
    chunk?: number;
    keepRows?: boolean;
    /** Called after each chunk replayed (background verification: progress, yielding, stopping by throwing). */
    onChunk?: (entries: number, state: State) => void | Promise<void>;
  } = {},
): Promise<ChunkedReplay> {
  let state = from;
  let after = from?.seq ?? 0;
  let limit = opts.chunk ?? 20_000;
  let entries = 0;
  const kept: StoredRow[] = [];
  const read = (a: number, n: number) => {
    const p = readRows(q, a, n, opts.untilL);
    p.catch(() => {});
    return p;
  };
  let next: Promise<StoredRow[]> | null = read(after, limit);
  while (next) {
    let rows = await next;
    next = null;
    if (rows.length === 0) break;
    const final = rows.length < limit;
    if (!final) {
      const lastL = rows[rows.length - 1]!.l;
      let cut = rows.length;
      while (cut > 0 && rows[cut - 1]!.l === lastL) cut--;
      if (cut === 0) {
        // One command with more entries than a chunk: read a bigger one.
        limit *= 2;
        next = read(after, limit);
        continue;
      }
      rows = rows.slice(0, cut);
    }
    after = rows[rows.length - 1]!.seq;
    if (!final) next = read(after, limit);
    const r = replay(rows, { hasher, ...(state ? { from: state } : {}) });
    state = r.state;
    entries += r.entries;
    if (opts.keepRows) kept.push(...rows.slice(0, r.entries));
    if (!r.ok) {
      if (next) await next.catch(() => {});
      return {
        state,
        entries,
        mismatch: r.mismatch ?? { seq: state.seq, reason: 'invariants violated' },
        rows: kept,
      };
    }
    if (opts.onChunk && state) {
      try {
        await opts.onChunk(entries, state);
      } catch (e) {
        if (next) await next.catch(() => {});
        throw e;
      }
    }
  }
  return { state, entries, mismatch: null, rows: kept };
}

/**
 * Keyed answers (Idempotency-Key), written in the transaction of the batch that executed their
 * commands. An expired answer under the same key is replaced; a live one makes the insert fail,
 * which aborts the batch (another writer executed that key first).
 */
export async function writeAnswers(
  q: Query,
  rows: ReadonlyArray<{
    principal: string;
    key: string;
    requestHash: string;
    status: number;
    body: string;
    ttlSeconds: number;
  }>,
): Promise<void> {
  for (const r of rows) {
    await q.query(
      'DELETE FROM "idempotency_keys" WHERE "principal" = $1 AND "key" = $2 AND "expires_at" <= now()',
      [r.principal, r.key],
      'xdv_answer_expire',
    );
    await q.query(
      `INSERT INTO "idempotency_keys" ("principal","key","request_hash","status","body","expires_at")
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [r.principal, r.key, r.requestHash, r.status, r.body, r.ttlSeconds],
      'xdv_answer_insert',
    );
  }
}
