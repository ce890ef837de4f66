import {
  type Entry,
  isKnownEntry,
  type Json,
  type State,
  TOUCHED_TABLES,
  type Touched,
  type TouchedTable,
} from '@xdv/core';

// The read model is a projection of state for SQL reporting. Each batch upserts only the objects its
// entries touched, as they were right after the command that touched them (serialised at step time,
// so a later speculative command cannot leak into a row committed with an earlier batch).

export const READ_TABLES = [
  'tenants',
  'providers',
  'vhms',
  'processes',
  'capabilities',
  'contracts',
  'bindings',
  'q_containers',
  'phi_envelopes',
] as const;
export type ReadTable = (typeof READ_TABLES)[number];

/** Columns each table takes from its object (besides id, seq and data), in upsert order. */
export const READ_COLUMNS: Record<ReadTable, string[]> = {
  tenants: ['name', 'status'],
  providers: ['name', 'domain', 'attestation', 'health'],
  vhms: ['tenant', 'name', 'parent', 'state', 'depth'],
  processes: ['vhm', 'name', 'state'],
  capabilities: ['vhm', 'parent', 'revoked'],
  contracts: ['vhm', 'tenant', 'domain', 'provider', 'status'],
  bindings: ['vhm', 'contract', 'domain', 'state'],
  q_containers: ['vhm', 'contract', 'provider', 'qubits', 'live'],
  phi_envelopes: ['vhm', 'contract', 'provider', 'live'],
};

/** The read table of each state table the core reports as touched. */
const TABLE_OF = {
  tenants: 'tenants',
  providers: 'providers',
  vhms: 'vhms',
  processes: 'processes',
  capabilities: 'capabilities',
  contracts: 'contracts',
  bindings: 'bindings',
  containers: 'q_containers',
  envelopes: 'phi_envelopes',
} as const satisfies Record<TouchedTable, ReadTable>;

function collection(state: State, t: ReadTable): Record<string, object> {
  switch (t) {
    case 'tenants':
      return state.tenants;
    case 'providers':
      return state.providers;
    case 'vhms':
      return state.vhms;
    case 'processes':
      return state.processes;
    case 'capabilities':
      return state.capabilities;
    case 'contracts':
      return state.contracts;
    case 'bindings':
      return state.bindings;
    case 'q_containers':
      return state.containers;
    case 'phi_envelopes':
      return state.envelopes;
  }
}

/** One metric sample row. */
export interface MetricRow {
  provider: string;
  subject: string;
  metric: string;
  l: number;
  value: number;
  seq: number;
}

/**
 * Read-model changes accumulated over a batch. Stepping only notes which objects each command
 * touched (and the seq that last touched them); the rows are serialised once per object by `seal`,
 * when the batch is flushed and the state is exactly at the batch's end. Serialising at every
 * command instead cost O(commands × object size) per batch: a VHM touched by 50 commands of one
 * batch was written out 50 times.
 */
export class ReadBatch {
  private readonly touched = new Map<ReadTable, Map<string, number>>();
  private sealedRows: Map<ReadTable, Map<string, string>> | null = null;
  readonly metrics: MetricRow[] = [];

  /** Note what one command touched (as the core reports it: `step(…, { touched: true })`). */
  add(entries: readonly Entry[], touched: Touched | null): void {
    if (entries.length === 0) return;
    const seq = entries[entries.length - 1]!.seq;
    for (const e of entries) {
      if (!isKnownEntry(e)) continue;
      switch (e.type) {
        case 'q.metrics.reported':
          for (const q of e.payload.qubits) {
            const s = `qubit ${String(q.qubit)}`;
            for (const m of ['t1', 't2', 'fidelity', 'readoutError'] as const) this.addMetric(e, s, m, q[m]);
          }
          break;
        case 'phi.stability.reported':
          for (const v of e.payload.envelopes) {
            if (typeof v.envelope !== 'string') continue;
            for (const m of ['stability', 'noise', 'drift', 'impact'] as const)
              this.addMetric(e, v.envelope, m, v[m]);
          }
          break;
        default:
          // Every other entry type carries no metric samples.
          break;
      }
    }
    if (!touched) return;
    for (const st of TOUCHED_TABLES) {
      const ids = touched[st];
      if (ids.length === 0) continue;
      const t = TABLE_OF[st];
      let m = this.touched.get(t);
      if (!m) {
        m = new Map();
        this.touched.set(t, m);
      }
      for (const id of ids) m.set(id, seq);
    }
  }

  /** Serialise every touched object as it is now: call when the state is at the end of this batch. */
  seal(state: State): void {
    const rows = new Map<ReadTable, Map<string, string>>();
    for (const [t, ids] of this.touched) {
      const m = new Map<string, string>();
      const objects = collection(state, t);
      for (const [id, seq] of ids) {
        const obj = objects[id];
        if (obj) m.set(id, rowJson(t, id, seq, obj));
      }
      if (m.size > 0) rows.set(t, m);
    }
    this.sealedRows = rows;
  }

  /** JSON text per (table, id); only after `seal`. */
  get rows(): Map<ReadTable, Map<string, string>> {
    if (!this.sealedRows) throw new Error('ReadBatch.rows read before seal(): the rows would be missing');
    return this.sealedRows;
  }

  /** One sample of a signed report (a stored value that is not a number is skipped, as before). */
  private addMetric(
    e: Pick<Entry, 'l' | 'seq'> & { payload: { provider: string } },
    subject: string,
    metric: string,
    value: Json,
  ): void {
    const provider = e.payload.provider;
    if (typeof provider !== 'string' || typeof value !== 'number') return;
    this.metrics.push({ provider, subject, metric, l: e.l, value, seq: e.seq });
  }

  get size(): number {
    let n = this.metrics.length;
    for (const m of this.touched.values()) n += m.size;
    return n;
  }
}

/**
 * Fields left out of a row's `data`: lists that grow with the object's whole history and are the
 * other tables' foreign keys read backwards (a VHM's contracts are `contracts WHERE vhm = id`, a K
 * host's ranges are its contracts' `data->'k'`). Kept in, every batch that touched a busy VHM or host
 * rewrote its entire history: O(history) per commit.
 */
const DERIVED: Partial<Record<ReadTable, ReadonlySet<string>>> = {
  vhms: new Set(['children', 'processes', 'capabilities', 'contracts', 'bindings']),
  providers: new Set(['ranges', 'irqRoutes']),
};

function rowJson(t: ReadTable, id: string, seq: number, obj: object): string {
  const o = obj as Record<string, unknown>;
  const row: Record<string, unknown> = { id, seq };
  for (const c of READ_COLUMNS[t]) row[c] = o[c] ?? null;
  const skip = DERIVED[t];
  row.data = skip ? Object.fromEntries(Object.entries(o).filter(([k]) => !skip.has(k))) : obj;
  return JSON.stringify(row);
}

/** The whole read model of a state (tests compare it with what the batches wrote). */
export function projectAll(state: State): Map<ReadTable, Map<string, Record<string, unknown>>> {
  const out = new Map<ReadTable, Map<string, Record<string, unknown>>>();
  for (const t of READ_TABLES) {
    const m = new Map<string, Record<string, unknown>>();
    for (const [id, obj] of Object.entries(collection(state, t)))
      m.set(id, JSON.parse(rowJson(t, id, 0, obj)) as Record<string, unknown>);
    out.set(t, m);
  }
  return out;
}

/** Upsert statement for one table: rows arrive as one JSON array parameter ($n). */
export function upsertSql(t: ReadTable, n = 1): string {
  const cols = [...READ_COLUMNS[t], 'seq', 'data'];
  const list = cols.map((c) => `"${c}"`).join(', ');
  const excl = cols.map((c) => `EXCLUDED."${c}"`).join(', ');
  return (
    `INSERT INTO "${t}" ("id", ${list}) SELECT "id", ${list} FROM jsonb_populate_recordset(null::"${t}", $${n}::jsonb) ` +
    `ON CONFLICT ("id") DO UPDATE SET (${list}) = ROW(${excl})`
  );
}

export const METRICS_SQL =
  'INSERT INTO "metrics" ("provider", "subject", "metric", "l", "value", "seq") ' +
  'SELECT "provider", "subject", "metric", "l", "value", "seq" FROM jsonb_populate_recordset(null::"metrics", $1::jsonb) ' +
  'ON CONFLICT DO NOTHING';
