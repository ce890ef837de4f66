import type { Entry } from '@xdv/core';
import type { Query } from '../driver.js';
import { READ_TABLES, type ReadBatch, upsertSql } from '../readmodel.js';

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
 * The whole batch in one statement: the trace rows, the upsert of every read-model table the batch
 * touched and its commit round, as data-modifying CTEs. One parse and one round
 * trip per commit; on PGlite the fixed cost of a statement was most of a small batch's transaction.
 * Each table's rows travel as typed arrays (`unnest`), so the server parses no JSON, and a table the
 * batch did not touch is not in the statement at all: one named prepared statement per combination
 * of tables (a handful in practice). The tables are independent (no foreign keys), so the CTEs' order
 * does not matter; a seq conflict still fails the statement with trace_pkey.
 */
const batchSqls = new Map<number, { name: string; sql: string }>();

function batchSql(mask: number): { name: string; sql: string } {
  let s = batchSqls.get(mask);
  if (s) return s;
  const parts = [`"append" AS (${APPEND_SQL})`];
  let n = 12;
  for (const [i, t] of READ_TABLES.entries()) {
    if (!(mask & (1 << i))) continue;
    const u = upsertSql(t, n);
    parts.push(`"up_${t}" AS (${u.sql})`);
    n += u.params;
  }
  parts.push(`"round" AS (${ROUND_SQL.replace('$1', `$${n}`)})`);
  s = { name: `xdv_batch_${mask.toString(36)}`, sql: `WITH ${parts.join(', ')} SELECT 1` };
  batchSqls.set(mask, s);
  return s;
}

/** Write one batch's entries, read-model rows and commit round (inside the caller's transaction). */
export async function writeBatch(
  q: Query,
  entries: readonly Entry[],
  read: ReadBatch,
  round?: RoundInfo,
): Promise<void> {
  const params = appendParams(entries);
  let mask = 0;
  const rows = read.rows;
  for (const [i, t] of READ_TABLES.entries()) {
    const r = rows.get(t);
    if (!r) continue;
    mask |= 1 << i;
    params.push(r.id, ...r.cols, r.seq);
  }
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
  const s = batchSql(mask);
  await q.query(s.sql, params, s.name);
}
