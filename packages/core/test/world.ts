import { nodeSha256 } from '../node/sha256.js';
import {
  type Actor,
  type Command,
  type CommandBody,
  checkAll,
  cloneState,
  emptyState,
  type State,
  type StepResult,
  stateHash,
  step,
  TOUCHED_TABLES,
  type TouchedTable,
} from '../src/index.js';
import {
  genesisCmd,
  OPERATOR,
  quotaOf,
  registerCmd,
  registration,
  tenantAdmin,
} from '../src/scenario/builder.js';

/** A small hypervisor world for tests: steps commands and remembers every result. */
export class World {
  state: State = emptyState();
  results: StepResult[] = [];
  commands: Command[] = [];

  constructor() {
    this.do(genesisCmd());
  }

  do(cmd: Command): StepResult {
    // Every step is audited: every object whose JSON changed is in `touched`, and `created` names
    // objects that exist now and did not before.
    const before = tablesJson(this.state);
    const r = step(this.state, cmd, { hasher: nodeSha256, touched: true });
    auditTouched(before, this.state, r);
    this.results.push(r);
    this.commands.push(cmd);
    return r;
  }

  as(actor: Actor, body: CommandBody): StepResult {
    return this.do({ ...body, actor } as Command);
  }

  op(body: CommandBody): StepResult {
    return this.as(OPERATOR, body);
  }

  ok(actor: Actor, body: CommandBody): StepResult {
    const r = this.as(actor, body);
    if (r.error) throw new Error(`${body.type} rejected: ${r.error.code} ${JSON.stringify(r.error.params)}`);
    return r;
  }

  /** The id an accepted command created, read from its first effect entry's payload. */
  created(r: StepResult, key: string): string {
    for (const e of r.entries.slice(1)) {
      const v = e.payload[key];
      if (typeof v === 'string') return v;
    }
    throw new Error(`no ${key} in ${r.entries.map((e) => e.type).join(',')}`);
  }

  snapshot(): string {
    return stateHash(this.state, nodeSha256);
  }

  /** Domain state without the trace head, clock and sequence: what a rejection must not change. */
  domainHash(): string {
    const c = cloneState(this.state);
    c.seq = 0;
    c.l = 0;
    c.head = '';
    return stateHash(c, nodeSha256);
  }

  violations() {
    return checkAll(this.state);
  }

  entries() {
    return this.results.flatMap((r) => r.entries);
  }
}

export interface Fleet {
  w: World;
  t1: string;
  t2: string;
  a1: Actor;
  a2: Actor;
  k: string;
  k2: string;
  q: string;
  phi: string;
  cal: string;
  vhm: string;
  root: string;
}

/** Two tenants, two K hosts, one Q and one Φ provider, a calibration, and one active VHM of tenant 1. */
export function fleet(opts: { liveTransfer?: boolean } = {}): Fleet {
  const w = new World();
  const t1 = w.created(
    w.op({
      type: 'tenant.create',
      name: 'acme',
      quota: quotaOf({ vhms: 10, memory: 1 << 20, cpu: 64, qubits: 64, envelopes: 8 }),
    }),
    'tenant',
  );
  const t2 = w.created(
    w.op({
      type: 'tenant.create',
      name: 'globex',
      quota: quotaOf({ vhms: 10, memory: 1 << 20, cpu: 64, qubits: 64, envelopes: 8 }),
    }),
    'tenant',
  );
  const k = w.created(
    w.do(registerCmd(registration('host-a', 'K', { memory: 1 << 22, cpu: 128 }, 1), 1)),
    'provider',
  );
  const k2 = w.created(
    w.do(registerCmd(registration('host-b', 'K', { memory: 1 << 22, cpu: 128 }, 2), 2)),
    'provider',
  );
  const q = w.created(
    w.do(
      registerCmd(
        registration('qpu-1', 'Q', { qubits: 50 }, 3, {
          liveTransfer: opts.liveTransfer ?? false,
          operations: ['h', 'cx', 'measure'],
        }),
        3,
      ),
    ),
    'provider',
  );
  const phi = w.created(
    w.do(
      registerCmd(
        registration('phi-1', 'PHI', { envelopes: 4 }, 4, {
          liveTransfer: opts.liveTransfer ?? false,
          operations: ['rotate', 'project'],
        }),
        4,
      ),
    ),
    'provider',
  );
  const cal = w.created(
    w.op({ type: 'calibration.issue', provider: q, from: 0, until: 10_000 }),
    'calibration',
  );
  const a1 = tenantAdmin(t1);
  const a2 = tenantAdmin(t2);
  const { vhm, root } = activeVhm(w, a1, t1, 'web');
  return { w, t1, t2, a1, a2, k, k2, q, phi, cal, vhm, root };
}

export function activeVhm(
  w: World,
  actor: Actor,
  tenant: string,
  name: string,
  parent: { vhm: string; cap: string } | null = null,
  quota = quotaOf({ memory: 1 << 18, cpu: 16, qubits: 20, envelopes: 2 }),
): { vhm: string; root: string } {
  const r = w.ok(actor, {
    type: 'vhm.create',
    tenant,
    name,
    quota,
    parent: parent?.vhm ?? null,
    capability: parent?.cap ?? null,
  });
  const vhm = w.created(r, 'vhm');
  const root = w.created(r, 'capability');
  w.ok(actor, { type: 'vhm.validate', vhm });
  w.ok(actor, { type: 'vhm.activate', vhm });
  return { vhm, root };
}

/** Allocate, activate, bind, validate and activate a Q contract; returns contract and binding ids. */
export function boundQ(
  f: Fleet,
  vhm = f.vhm,
  cap = f.root,
  qubits = 10,
  budget = 100,
  actor: Actor = f.a1,
): { contract: string; binding: string } {
  const { w } = f;
  const contract = w.created(
    w.ok(actor, {
      type: 'contract.allocate',
      vhm,
      capability: cap,
      domain: 'Q',
      provider: f.q,
      q: { qubits, budget, calibration: f.cal },
    }),
    'contract',
  );
  w.ok(actor, { type: 'contract.activate', vhm, capability: cap, contract });
  const binding = w.created(
    w.ok(actor, { type: 'binding.request', vhm, capability: cap, contract }),
    'binding',
  );
  w.ok(actor, { type: 'binding.validate', vhm, capability: cap, binding });
  w.ok(actor, { type: 'binding.activate', vhm, capability: cap, binding });
  return { contract, binding };
}

export function boundPhi(
  f: Fleet,
  start: number,
  duration: number,
  tolerance = 8000,
  vhm = f.vhm,
  cap = f.root,
  actor: Actor = f.a1,
): { contract: string; binding: string; envelope: string } {
  const { w } = f;
  const contract = w.created(
    w.ok(actor, {
      type: 'contract.allocate',
      vhm,
      capability: cap,
      domain: 'PHI',
      provider: f.phi,
      phi: { start, duration, tolerance },
    }),
    'contract',
  );
  w.ok(actor, { type: 'contract.activate', vhm, capability: cap, contract });
  const binding = w.created(
    w.ok(actor, { type: 'binding.request', vhm, capability: cap, contract }),
    'binding',
  );
  w.ok(actor, { type: 'binding.validate', vhm, capability: cap, binding });
  const r = w.ok(actor, { type: 'binding.activate', vhm, capability: cap, binding });
  return { contract, binding, envelope: w.created(r, 'envelope') };
}

function tablesJson(s: State): Map<TouchedTable, Map<string, string>> {
  const out = new Map<TouchedTable, Map<string, string>>();
  for (const t of TOUCHED_TABLES) {
    const m = new Map<string, string>();
    for (const [id, o] of Object.entries(s[t])) m.set(id, JSON.stringify(o));
    out.set(t, m);
  }
  return out;
}

function auditTouched(before: Map<TouchedTable, Map<string, string>>, s: State, r: StepResult): void {
  const after = tablesJson(s);
  const missed: string[] = [];
  for (const t of TOUCHED_TABLES) {
    const b = before.get(t)!;
    const touched = new Set(r.touched?.[t] ?? []);
    for (const [id, json] of after.get(t)!)
      if (b.get(id) !== json && !touched.has(id)) missed.push(`${t}/${id}`);
    for (const id of b.keys())
      if (!after.get(t)!.has(id) && !touched.has(id)) missed.push(`${t}/${id} (deleted)`);
  }
  if (missed.length > 0)
    throw new Error(`${r.entries[0]?.type}: changed but not in touched: ${missed.join(', ')}`);
  if (r.error?.code && Object.keys(r.created).length > 0 && r.entries.length === 1)
    throw new Error(`${r.entries[0]?.type}: a rejection reported created ${JSON.stringify(r.created)}`);
  for (const [kind, id] of Object.entries(r.created))
    if (typeof id !== 'string' || !s.counters[id.slice(0, id.lastIndexOf('-'))])
      throw new Error(`${r.entries[0]?.type}: created.${kind} = ${String(id)} was never minted`);
}
