import type { State } from '../model/state.js';
import type { Json } from '../trace/canonical.js';
import type { EntryDraft } from '../trace/entry.js';
import type { Ctx } from './context.js';

/** The state tables a command can change, each a record of objects by id. */
export const TOUCHED_TABLES = [
  'tenants',
  'providers',
  'vhms',
  'processes',
  'capabilities',
  'contracts',
  'bindings',
  'containers',
  'envelopes',
] as const;
export type TouchedTable = (typeof TOUCHED_TABLES)[number];
/** The ids of every object a command changed, by table, in id order. */
export type Touched = { [T in TouchedTable]: string[] };

/** The kind of each counter `nextId` draws from, and the table its objects live in. */
export const ID_KINDS = {
  tenant: { created: 'tenant', table: 'tenants' },
  provider: { created: 'provider', table: 'providers' },
  cal: { created: 'calibration', table: null },
  vhm: { created: 'vhm', table: 'vhms' },
  cap: { created: 'capability', table: 'capabilities' },
  contract: { created: 'contract', table: 'contracts' },
  binding: { created: 'binding', table: 'bindings' },
  proc: { created: 'process', table: 'processes' },
  snap: { created: 'snapshot', table: null },
  mig: { created: 'migration', table: null },
  ipc: { created: 'ipc', table: null },
  unit: { created: 'unit', table: null },
  decision: { created: 'decision', table: null },
  job: { created: 'job', table: null },
  qc: { created: 'container', table: 'containers' },
  env: { created: 'envelope', table: 'envelopes' },
  alert: { created: 'alert', table: null },
  fault: { created: 'fault', table: null },
} as const satisfies Record<string, { created: string; table: TouchedTable | null }>;
export type IdKind = keyof typeof ID_KINDS;
export type CreatedKind = (typeof ID_KINDS)[IdKind]['created'];
/** The first id of each kind a command created, in creation order. */
export type Created = { [K in CreatedKind]?: string };

type Marks = { [T in TouchedTable]: Set<string> };

/** The table of an id the core minted (ids are `${kind}-${n}`, from the counters in the state). */
function tableOf(id: string): TouchedTable | null {
  const i = id.lastIndexOf('-');
  if (i <= 0) return null;
  const k = id.slice(0, i);
  return Object.hasOwn(ID_KINDS, k) ? ID_KINDS[k as IdKind].table : null;
}

/**
 * Everything one accepted (or refused-with-effects) command changed: what the transitions marked
 * and created, every object its entries name, and one hop along the references whose counters
 * (allocated, used, carved) live on the referenced objects; lifecycle commands cascade to what the
 * VHM holds, a revocation to the derivation subtree.
 */
export function touchedBy(state: State, ctx: Ctx, drafts: readonly EntryDraft[]): Touched {
  const m: Marks = {
    tenants: new Set(ctx.touched.tenants),
    providers: new Set(ctx.touched.providers),
    vhms: new Set(ctx.touched.vhms),
    processes: new Set(),
    capabilities: new Set(),
    contracts: new Set(),
    bindings: new Set(),
    containers: new Set(),
    envelopes: new Set(),
  };
  const seeds: string[] = [...ctx.minted];
  for (const d of drafts) {
    for (const v of [d.tenant, d.vhm, d.capability, d.contract]) if (v) seeds.push(v);
    collect(d.payload, seeds);
  }
  for (const id of seeds) mark(state, m, id);
  // One hop from each directly touched object (a snapshot of the sets: hops do not chain).
  const direct = TOUCHED_TABLES.map((t) => [t, [...m[t]]] as const);
  // A VHM with a lifecycle entry of its own (terminate, release, migrate, …) cascades to its holdings.
  const lifecycle = new Set<string>();
  for (const d of drafts) if (d.vhm && d.type.startsWith('vhm.')) lifecycle.add(d.vhm);
  for (const [t, ids] of direct) for (const id of ids) hop(state, m, t, id, lifecycle.has(id));
  const out = {} as Touched;
  for (const t of TOUCHED_TABLES) out[t] = [...m[t]].sort(byNum);
  return out;
}

function byNum(a: string, b: string): number {
  const d = Number(a.slice(a.lastIndexOf('-') + 1)) - Number(b.slice(b.lastIndexOf('-') + 1));
  return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
}

function collect(j: Json, out: string[]): void {
  if (typeof j === 'string') out.push(j);
  else if (Array.isArray(j)) for (const x of j) collect(x, out);
  else if (j !== null && typeof j === 'object') for (const k in j) collect(j[k] as Json, out);
}

function mark(state: State, m: Marks, id: string | null | undefined): void {
  if (!id) return;
  const t = tableOf(id);
  if (t && Object.hasOwn(state[t], id)) m[t].add(id);
}

function hop(state: State, m: Marks, t: TouchedTable, id: string, lifecycle: boolean): void {
  const add = (v: string | null | undefined) => mark(state, m, v);
  switch (t) {
    case 'vhms': {
      const v = state.vhms[id];
      if (!v) return;
      add(v.tenant);
      add(v.parent);
      add(v.host);
      // Lifecycle commands (terminate, release, migrate, …) cascade to everything the VHM holds.
      if (lifecycle) {
        for (const x of [...v.processes, ...v.capabilities, ...v.contracts, ...v.bindings]) add(x);
        for (const b of v.bindings) {
          add(state.bindings[b]?.container);
          add(state.bindings[b]?.envelope);
        }
        for (const c of v.children) add(c);
      }
      return;
    }
    case 'contracts': {
      const c = state.contracts[id];
      if (!c) return;
      add(c.vhm);
      add(c.tenant);
      add(c.provider);
      add(c.binding);
      return;
    }
    case 'bindings': {
      const b = state.bindings[id];
      if (!b) return;
      add(b.vhm);
      add(b.contract);
      add(b.container);
      add(b.envelope);
      return;
    }
    case 'containers': {
      const q = state.containers[id];
      if (q) for (const x of [q.vhm, q.contract, q.provider]) add(x);
      return;
    }
    case 'envelopes': {
      const e = state.envelopes[id];
      if (e) for (const x of [e.vhm, e.contract, e.provider]) add(x);
      return;
    }
    case 'capabilities': {
      const c = state.capabilities[id];
      if (!c) return;
      add(c.vhm);
      add(c.parent);
      // Revocation revokes the whole derivation subtree.
      if (c.revoked) {
        const stack = [...c.children];
        while (stack.length > 0) {
          const x = stack.pop()!;
          add(x);
          stack.push(...(state.capabilities[x]?.children ?? []));
        }
      }
      return;
    }
    case 'processes':
      add(state.processes[id]?.vhm);
      return;
    default:
      return;
  }
}
