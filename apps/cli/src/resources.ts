import type { Api } from './api.js';
import { UsageError } from './errors.js';

// Every resource kind `get` and `describe` know: where the server lists it, where it reads one,
// its collection in a replayed state (--at L), and the columns of its table.

export interface Kind {
  name: string;
  aliases: string[];
  /** Columns of the table (dotted paths). */
  columns: string[];
  /** The state collection for --at (null: not part of the replayed state). */
  stateKey: string | null;
  list(api: Api, opts: { vhm?: string }): Promise<Record<string, unknown>[]>;
  one?(api: Api, id: string): Promise<Record<string, unknown>>;
}

type Rec = Record<string, unknown>;

const listed =
  (path: string) =>
  (api: Api, o: { vhm?: string }): Promise<Rec[]> =>
    api.all<Rec>(path, o.vhm ? { vhm: o.vhm } : {});
const single = (path: string) => (api: Api, id: string) => api.get<Rec>(`${path}/${encodeURIComponent(id)}`);

/** Per-VHM collections: one VHM with --vhm, else every VHM the caller sees. */
const perVhm =
  (sub: string) =>
  async (api: Api, o: { vhm?: string }): Promise<Rec[]> => {
    const vhms = o.vhm ? [o.vhm] : (await api.all<{ id: string }>('/v1/vhms')).map((v) => v.id);
    const out: Rec[] = [];
    for (const v of vhms) out.push(...(await api.all<Rec>(`/v1/vhms/${encodeURIComponent(v)}/${sub}`)));
    return out;
  };

export const KINDS: Kind[] = [
  {
    name: 'vhms',
    aliases: ['vhm'],
    columns: ['id', 'name', 'tenant', 'parent', 'state', 'depth', 'quota.qubits', 'used.qubits'],
    stateKey: 'vhms',
    list: listed('/v1/vhms'),
    one: single('/v1/vhms'),
  },
  {
    name: 'providers',
    aliases: ['provider'],
    columns: ['id', 'name', 'domain', 'attestation', 'health', 'capacity', 'allocated'],
    stateKey: 'providers',
    list: listed('/v1/providers'),
    one: single('/v1/providers'),
  },
  {
    name: 'contracts',
    aliases: ['contract'],
    columns: ['id', 'vhm', 'domain', 'provider', 'status', 'consumed', 'binding'],
    stateKey: 'contracts',
    list: listed('/v1/contracts'),
    one: single('/v1/contracts'),
  },
  {
    name: 'bindings',
    aliases: ['binding'],
    columns: ['id', 'vhm', 'contract', 'domain', 'state', 'container', 'envelope'],
    stateKey: 'bindings',
    list: listed('/v1/bindings'),
    one: single('/v1/bindings'),
  },
  {
    name: 'capabilities',
    aliases: ['capability', 'caps', 'cap'],
    columns: ['id', 'vhm', 'parent', 'rights', 'revoked'],
    stateKey: 'capabilities',
    list: perVhm('capabilities'),
  },
  {
    name: 'ipc',
    aliases: ['ipcs'],
    columns: ['id', 'a', 'b', 'rights', 'open'],
    stateKey: 'ipcs',
    list: listed('/v1/ipc'),
  },
  {
    name: 'snapshots',
    aliases: ['snapshot'],
    columns: ['id', 'vhm', 'l'],
    stateKey: 'snapshots',
    list: perVhm('snapshots'),
  },
  {
    name: 'migrations',
    aliases: ['migration'],
    columns: ['id', 'vhm', 'from', 'to', 'l', 'reinitialised', 'transferred'],
    stateKey: 'migrations',
    list: listed('/v1/migrations'),
  },
  {
    name: 'processes',
    aliases: ['process', 'procs'],
    columns: ['id', 'vhm', 'name', 'state', 'createdL'],
    stateKey: 'processes',
    list: perVhm('processes'),
  },
  {
    name: 'tenants',
    aliases: ['tenant'],
    columns: ['id', 'name', 'quota', 'carved'],
    stateKey: 'tenants',
    list: listed('/v1/tenants'),
    one: single('/v1/tenants'),
  },
  {
    name: 'tokens',
    aliases: ['token'],
    columns: ['id', 'kind', 'tenant', 'role', 'provider', 'label', 'revoked', 'expiresAt'],
    stateKey: null,
    list: async (api) => itemsOf(await api.get<unknown>('/v1/tokens')),
  },
  {
    name: 'calibrations',
    aliases: ['calibration', 'cals'],
    columns: ['id', 'provider', 'from', 'until', 'issuedL'],
    stateKey: 'calibrations',
    list: listed('/v1/calibrations'),
  },
  {
    name: 'faults',
    aliases: ['fault'],
    columns: ['id', 'l', 'level', 'code', 'vhm', 'contract', 'injected'],
    stateKey: 'faults',
    list: listed('/v1/faults'),
  },
  {
    name: 'alerts',
    aliases: ['alert'],
    columns: ['id', 'l', 'provider', 'metric', 'value', 'threshold', 'subject'],
    stateKey: 'alerts',
    list: listed('/v1/alerts'),
  },
  {
    name: 'trace',
    aliases: ['entries', 'entry'],
    columns: ['seq', 'l', 'type', 'outcome', 'tenant', 'vhm', 'contract'],
    stateKey: null,
    list: async (api) => itemsOf(await api.get<unknown>('/v1/trace', { limit: 500 })),
  },
];

function itemsOf(v: unknown): Rec[] {
  if (Array.isArray(v)) return v as Rec[];
  const o = v as { items?: Rec[]; entries?: Rec[] };
  return o.items ?? o.entries ?? [];
}

export function kindOf(name: string): Kind {
  const k = KINDS.find((x) => x.name === name || x.aliases.includes(name));
  if (!k)
    throw new UsageError(`unknown resource kind ${name}; one of: ${KINDS.map((x) => x.name).join(', ')}`);
  return k;
}

/** The items of a kind in the state replayed at L (scoped to the caller by the server). */
export async function listAt(api: Api, kind: Kind, l: number, vhm?: string): Promise<Rec[]> {
  if (!kind.stateKey)
    throw new UsageError(`--at does not apply to ${kind.name} (it is not part of the replayed state)`);
  const r = await api.get<{ state: Record<string, Record<string, Rec>> }>('/v1/replay/state', { l });
  const items = Object.values(r.state[kind.stateKey] ?? {});
  return vhm ? items.filter((x) => x.vhm === vhm) : items;
}

export { itemsOf };
