import { type Hasher, type ReplayMismatch, replay, type State, type StoredEntry } from '@xdv/core';
import type { Query } from '../driver.js';

// Reading the trace back through the core: boot, following other writers, verification, time travel.

export interface StoredRow extends StoredEntry {
  l: number;
}

/**
 * Rows after `afterSeq` in seq order (at most `limit`, and with `untilL` only those at or before it).
 * The rows come back as one text per chunk, each row's seq, L, text and hash joined by newlines:
 * building a JavaScript row object per field costs PGlite 3–4× more than the query itself (measured
 * 33k rows/s row by row against 115k rows/s aggregated, 200k entries, same PGlite). A stored field
 * holding a newline (or a NULL, which string_agg skips) cannot be split back safely: the pieces then
 * do not number exactly four per row, and that chunk is read again row by row.
 */
export async function readRows(
  q: Query,
  afterSeq: number,
  limit: number,
  untilL?: number,
): Promise<StoredRow[]> {
  const where = untilL === undefined ? '"seq" > $1' : '"seq" > $1 AND "l" <= $3';
  const params = untilL === undefined ? [afterSeq, limit] : [afterSeq, limit, untilL];
  const [agg] = await q.query<{ n: number; rows: string | null } & Record<string, unknown>>(
    `SELECT count(*)::int AS "n", string_agg("seq"::text || E'\\n' || "l"::text || E'\\n' || "text" || E'\\n' || "hash", E'\\n' ORDER BY "seq") AS "rows" FROM (SELECT "seq","l","text","hash" FROM "trace" WHERE ${where} ORDER BY "seq" LIMIT $2) AS "chunk"`,
    params,
    untilL === undefined ? 'xdv_read_agg' : 'xdv_read_agg_until',
  );
  const n = Number(agg?.n ?? 0);
  if (n === 0) return [];
  const parts = agg?.rows?.split('\n') ?? [];
  if (parts.length === 4 * n) {
    const rows: StoredRow[] = new Array(n);
    for (let i = 0, j = 0; i < n; i++, j += 4)
      rows[i] = { seq: Number(parts[j]), l: Number(parts[j + 1]), text: parts[j + 2]!, hash: parts[j + 3]! };
    return rows;
  }
  return readRowByRow(q, afterSeq, limit, untilL);
}

/** The same rows, one object per row from the driver (the fallback of readRows). */
export function readRowByRow(
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
    /**
     * Seqs (ascending) at which the replayed state is shown to `onStop` even in the middle of a chunk
     * (signed checkpoints: their state hash is compared with the replayed state's). A mismatch it
     * returns ends the replay like a replay mismatch.
     */
    stops?: readonly number[];
    onStop?: (state: State) => ReplayMismatch | null;
  } = {},
): Promise<ChunkedReplay> {
  let state = from;
  let after = from?.seq ?? 0;
  let limit = opts.chunk ?? 20_000;
  let entries = 0;
  const kept: StoredRow[] = [];
  const stops = new Set(opts.stops ?? []);
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
    for (const part of splitAtStops(rows, stops)) {
      // The caller's state is copied once, by the first chunk; later chunks continue in the state the
      // previous chunk returned, which only this loop holds (no clone of the whole state per chunk).
      const r = replay(part, { hasher, ...(state ? { from: state, inPlace: state !== from } : {}) });
      state = r.state;
      entries += r.entries;
      if (opts.keepRows) kept.push(...part.slice(0, r.entries));
      const mismatch = r.ok
        ? stops.has(state.seq) && opts.onStop
          ? opts.onStop(state)
          : null
        : (r.mismatch ?? { seq: state.seq, reason: 'invariants violated' });
      if (mismatch) {
        if (next) await next.catch(() => {});
        return { state, entries, mismatch, rows: kept };
      }
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
 * The rows cut after each seq in `stops` that ends a command group (the next row is not one of its
 * effects): the core replays whole groups, and the ledger only checkpoints between groups. A stop
 * inside a group is not cut, so its caller never sees it and can name it.
 */
function splitAtStops(rows: StoredRow[], stops: ReadonlySet<number>): StoredRow[][] {
  if (stops.size === 0) return [rows];
  const parts: StoredRow[][] = [];
  let from = 0;
  for (let i = 0; i < rows.length; i++) {
    const next = rows[i + 1];
    if (stops.has(rows[i]!.seq) && (next === undefined || !isEffect(next.text))) {
      parts.push(rows.slice(from, i + 1));
      from = i + 1;
    }
  }
  if (from < rows.length) parts.push(rows.slice(from));
  return parts;
}

/** Whether a stored entry is an effect: its header's outcome (the first `"outcome"` key: keys are sorted, before the payload). */
function isEffect(text: string): boolean {
  const at = text.indexOf(',"outcome":');
  return at >= 0 && text.startsWith('"effect"', at + 11);
}
