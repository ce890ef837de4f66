import { type Hasher, type ReplayMismatch, replay, type State, type StoredEntry } from '@xdv/core';
import type { Query } from '../driver.js';

// Reading the trace back through the core: boot, following other writers, verification, time travel.

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
