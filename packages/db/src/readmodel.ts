import { type Entry, type State, TOUCHED_TABLES, type Touched, type TouchedTable } from '@xdv/core';

// The read model is a projection of state for SQL reporting. Each batch upserts only the objects its
// entries touched, as they are at the end of the batch (the state the batch commits).

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

/** Columns each table takes from its object (besides id and seq), in upsert order. */
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

/** PostgreSQL array type of each read-model column (one type per column name across the tables). */
const COLUMN_TYPE: Record<string, 'text' | 'int4' | 'int8' | 'bool'> = {
  name: 'text',
  status: 'text',
  domain: 'text',
  attestation: 'text',
  health: 'text',
  tenant: 'text',
  parent: 'text',
  state: 'text',
  depth: 'int4',
  vhm: 'text',
  revoked: 'bool',
  contract: 'text',
  provider: 'text',
  qubits: 'int4',
  live: 'bool',
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

/** One table's rows of a batch, one array per column: ids, each READ_COLUMNS column, seqs. */
export interface ReadColumns {
  id: string[];
  cols: unknown[][];
  seq: number[];
}

/**
 * Read-model changes accumulated over a batch. Stepping only notes which objects each command
 * touched (and the seq that last touched them); the rows are taken once per object by `seal`,
 * when the batch is flushed and the state is exactly at the batch's end. Taking them at every
 * command instead cost O(commands × object size) per batch.
 */
export class ReadBatch {
  private readonly touched = new Map<ReadTable, Map<string, number>>();
  private sealedRows: Map<ReadTable, ReadColumns> | null = null;

  /** Note what one command touched (as the core reports it: `step(…, { touched: true })`). */
  add(entries: readonly Entry[], touched: Touched | null): void {
    if (entries.length === 0) return;
    const seq = entries[entries.length - 1]!.seq;
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

  /** Take every touched object's columns as it is now: call when the state is at the end of this batch. */
  seal(state: State): void {
    const rows = new Map<ReadTable, ReadColumns>();
    for (const [t, ids] of this.touched) {
      const names = READ_COLUMNS[t];
      const out: ReadColumns = { id: [], cols: names.map(() => []), seq: [] };
      const objects = collection(state, t);
      for (const [id, seq] of ids) {
        const obj = objects[id] as Record<string, unknown> | undefined;
        if (!obj) continue;
        out.id.push(id);
        out.seq.push(seq);
        for (let i = 0; i < names.length; i++) out.cols[i]!.push(obj[names[i]!] ?? null);
      }
      if (out.id.length > 0) rows.set(t, out);
    }
    this.sealedRows = rows;
  }

  /** The rows per table, column-wise; only after `seal`. */
  get rows(): Map<ReadTable, ReadColumns> {
    if (!this.sealedRows) throw new Error('ReadBatch.rows read before seal(): the rows would be missing');
    return this.sealedRows;
  }

  get size(): number {
    let n = 0;
    for (const m of this.touched.values()) n += m.size;
    return n;
  }
}

/** The whole read model of a state, row by row as SQL returns it (tests compare it with the tables). */
export function projectAll(state: State): Map<ReadTable, Map<string, Record<string, unknown>>> {
  const out = new Map<ReadTable, Map<string, Record<string, unknown>>>();
  for (const t of READ_TABLES) {
    const m = new Map<string, Record<string, unknown>>();
    for (const [id, obj] of Object.entries(collection(state, t))) {
      const o = obj as Record<string, unknown>;
      const row: Record<string, unknown> = { id };
      for (const c of READ_COLUMNS[t]) row[c] = o[c] ?? null;
      m.set(id, row);
    }
    out.set(t, m);
  }
  return out;
}

/**
 * Upsert of one table's rows, one array parameter per column starting at $n: `unnest` of typed
 * arrays (no JSON parsed on the server). Returns the SQL and the number of parameters it takes.
 */
export function upsertSql(t: ReadTable, n: number): { sql: string; params: number } {
  const names = [...READ_COLUMNS[t], 'seq'];
  const types = [...READ_COLUMNS[t].map((c) => COLUMN_TYPE[c]!), 'int8'];
  const list = names.map((c) => `"${c}"`).join(', ');
  const excl = names.map((c) => `EXCLUDED."${c}"`).join(', ');
  const args = ['text', ...types].map((ty, i) => `$${n + i}::${ty}[]`).join(',');
  return {
    sql:
      `INSERT INTO "${t}" ("id", ${list}) SELECT * FROM unnest(${args}) ` +
      `ON CONFLICT ("id") DO UPDATE SET (${list}) = ROW(${excl})`,
    params: names.length + 1,
  };
}
