import { parse } from 'yaml';
import { UsageError } from '../errors.js';

// The desired state a file declares: tenants and their quotas, VHM trees, contracts (optionally
// bound) and IPC contracts. Objects are matched by name within their parent; contracts, which have
// no name, by what they hold (domain, provider and quantities) within their VHM.

export interface QuotaSpec {
  vhms: number;
  memory: number;
  cpu: number;
  qubits: number;
  envelopes: number;
}
export interface ContractSpec {
  domain: 'K' | 'Q' | 'PHI';
  /** Provider name (or id). */
  provider: string;
  k?: { size: number; cpu: number };
  q?: { qubits: number; budget: number };
  phi?: { duration: number; tolerance: number; start?: number };
  bind: boolean;
}
export interface VhmSpec {
  name: string;
  quota: QuotaSpec;
  state: 'active' | 'paused' | 'validated';
  contracts: ContractSpec[];
  vhms: VhmSpec[];
}
export interface TenantSpec {
  name: string;
  quota: QuotaSpec | null;
  vhms: VhmSpec[];
}
export interface IpcSpec {
  /** VHM paths: tenant/vhm[/nested...]. */
  a: string;
  b: string;
  rights: Array<'MSG' | 'PHI_SHARE'>;
}
export interface Desired {
  tenants: TenantSpec[];
  ipc: IpcSpec[];
}

type Obj = Record<string, unknown>;
const QUOTA_KEYS = ['vhms', 'memory', 'cpu', 'qubits', 'envelopes'] as const;

function fail(where: string, msg: string): never {
  throw new UsageError(`${where}: ${msg}`);
}
function obj(v: unknown, where: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(where, 'must be a mapping');
  return v as Obj;
}
function arr(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(where, 'must be a list');
  return v;
}
function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 64)
    fail(where, 'must be a name of 1–64 characters');
  return v;
}
function int(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(where, 'must be a whole number ≥ 0');
  return v;
}
function only(o: Obj, keys: readonly string[], where: string): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k)) fail(`${where}.${k}`, `unknown field (allowed: ${keys.join(', ')})`);
}
function quota(v: unknown, where: string, keys: readonly string[] = QUOTA_KEYS): QuotaSpec {
  const o = obj(v ?? {}, where);
  only(o, keys, where);
  return Object.fromEntries(
    QUOTA_KEYS.map((k) => [k, o[k] === undefined ? 0 : int(o[k], `${where}.${k}`)]),
  ) as never;
}

function contract(v: unknown, where: string): ContractSpec {
  const o = obj(v, where);
  only(o, ['domain', 'provider', 'k', 'q', 'phi', 'bind'], where);
  const domain = o.domain;
  if (domain !== 'K' && domain !== 'Q' && domain !== 'PHI') fail(`${where}.domain`, 'must be K, Q or PHI');
  const c: ContractSpec = { domain, provider: str(o.provider, `${where}.provider`), bind: o.bind === true };
  if (domain === 'K') {
    const k = obj(o.k, `${where}.k`);
    only(k, ['size', 'cpu'], `${where}.k`);
    c.k = {
      size: int(k.size, `${where}.k.size`),
      cpu: k.cpu === undefined ? 0 : int(k.cpu, `${where}.k.cpu`),
    };
  } else if (domain === 'Q') {
    const q = obj(o.q, `${where}.q`);
    only(q, ['qubits', 'budget'], `${where}.q`);
    c.q = { qubits: int(q.qubits, `${where}.q.qubits`), budget: int(q.budget, `${where}.q.budget`) };
  } else {
    const p = obj(o.phi, `${where}.phi`);
    only(p, ['duration', 'tolerance', 'start'], `${where}.phi`);
    c.phi = {
      duration: int(p.duration, `${where}.phi.duration`),
      tolerance: p.tolerance === undefined ? 0 : int(p.tolerance, `${where}.phi.tolerance`),
      ...(p.start !== undefined ? { start: int(p.start, `${where}.phi.start`) } : {}),
    };
  }
  return c;
}

function vhm(v: unknown, where: string): VhmSpec {
  const o = obj(v, where);
  only(o, ['name', 'quota', 'state', 'contracts', 'vhms'], where);
  const state = o.state ?? 'active';
  if (state !== 'active' && state !== 'paused' && state !== 'validated')
    fail(`${where}.state`, 'must be active, paused or validated');
  const name = str(o.name, `${where}.name`);
  const children = arr(o.vhms, `${where}.vhms`).map((c, i) => vhm(c, `${where}.vhms[${i}]`));
  unique(
    children.map((c) => c.name),
    `${where}.vhms`,
  );
  return {
    name,
    // A VHM's quota holds no VHM count: nesting is bounded by depth and by what the parent carves.
    quota: quota(o.quota, `${where}.quota`, ['memory', 'cpu', 'qubits', 'envelopes']),
    state,
    contracts: arr(o.contracts, `${where}.contracts`).map((c, i) => contract(c, `${where}.contracts[${i}]`)),
    vhms: children,
  };
}

function unique(names: string[], where: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n))
      fail(where, `the name ${n} appears twice (objects are matched by name within their parent)`);
    seen.add(n);
  }
}

export function parseDesired(text: string, file: string): Desired {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  const o = obj(doc, file);
  only(o, ['tenants', 'ipc'], file);
  const tenants = arr(o.tenants, `${file}: tenants`).map((t, i): TenantSpec => {
    const w = `${file}: tenants[${i}]`;
    const to = obj(t, w);
    only(to, ['name', 'quota', 'vhms'], w);
    const vhms = arr(to.vhms, `${w}.vhms`).map((v, j) => vhm(v, `${w}.vhms[${j}]`));
    unique(
      vhms.map((v) => v.name),
      `${w}.vhms`,
    );
    return {
      name: str(to.name, `${w}.name`),
      quota: to.quota === undefined ? null : quota(to.quota, `${w}.quota`),
      vhms,
    };
  });
  unique(
    tenants.map((t) => t.name),
    `${file}: tenants`,
  );
  const ipc = arr(o.ipc, `${file}: ipc`).map((x, i): IpcSpec => {
    const w = `${file}: ipc[${i}]`;
    const io = obj(x, w);
    only(io, ['a', 'b', 'rights'], w);
    const rights = arr(io.rights ?? ['MSG'], `${w}.rights`);
    for (const r of rights)
      if (r !== 'MSG' && r !== 'PHI_SHARE') fail(`${w}.rights`, 'each must be MSG or PHI_SHARE');
    return { a: str2(io.a, `${w}.a`), b: str2(io.b, `${w}.b`), rights: rights as IpcSpec['rights'] };
  });
  return { tenants, ipc };
}

function str2(v: unknown, where: string): string {
  if (typeof v !== 'string' || !/^[^/]+(\/[^/]+)+$/.test(v))
    fail(where, 'must be a VHM path: tenant/vhm[/nested…]');
  return v;
}
