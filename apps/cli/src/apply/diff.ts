import { UsageError } from '../errors.js';
import { type CContract, type Current, type CVhm, isLive } from './current.js';
import type { ContractSpec, Desired, QuotaSpec, VhmSpec } from './desired.js';

// The plan: the ordered commands that take the current state to the desired one. Later steps name
// what earlier ones create with { $ref: "<step>.<kind>" }, which the server's plan route (preview)
// and `runPlan` (apply) resolve. Deterministic: the same file and state give the same plan.

export type Ref = { $ref: string };
export type Val = string | Ref;
export interface PlanStepSpec {
  /** What a person reads in the plan. */
  label: string;
  command: { type: string; [k: string]: unknown };
  /** A create's generation: how many objects of that name the parent ever held (tombstones too). */
  generation?: number;
}

const QKEYS = ['vhms', 'memory', 'cpu', 'qubits', 'envelopes'] as const;
const sameQuota = (a: QuotaSpec, b: QuotaSpec) => QKEYS.every((k) => a[k] === b[k]);
const LIVE_CONTRACT = new Set(['issued', 'active']);

export function computePlan(desired: Desired, cur: Current, opts: { prune: boolean }): PlanStepSpec[] {
  const steps: PlanStepSpec[] = [];
  const add = (label: string, command: PlanStepSpec['command'], generation?: number): number => {
    steps.push({ label, command, ...(generation !== undefined ? { generation } : {}) });
    return steps.length - 1;
  };
  const ref = (i: number, kind: string): Ref => ({ $ref: `${i}.${kind}` });
  const provider = (nameOrId: string, domain: string, where: string) => {
    const p = cur.providers.find((x) => (x.name === nameOrId || x.id === nameOrId) && x.domain === domain);
    if (!p)
      throw new UsageError(`${where}: no ${domain} provider named ${nameOrId} (see \`xdv get providers\`)`);
    return p;
  };
  /** Paths of VHMs (tenant/name/…) to their id or placeholder and root capability, for IPC. */
  const paths = new Map<string, { vhm: Val; cap: Val }>();

  const vhmTree = (
    tenant: Val,
    tenantName: string,
    spec: VhmSpec,
    parent: { vhm: Val; cap: Val } | null,
    path: string,
  ) => {
    const parentId = parent && typeof parent.vhm === 'string' ? parent.vhm : null;
    const existing =
      parent === null || parentId !== null
        ? cur.vhms.filter(
            (v) =>
              v.name === spec.name &&
              v.parent === parentId &&
              (typeof tenant !== 'string' || v.tenant === tenant),
          )
        : [];
    const live = existing.find(isLive);
    let vhm: Val;
    let cap: Val;
    let state: string;
    if (live && typeof tenant === 'string') {
      vhm = live.id;
      cap = cur.roots[live.id] ?? fail(`${path}: ${live.id} has no valid root capability`);
      state = live.state;
      if (!sameQuota(live.quota, spec.quota))
        throw new UsageError(
          `${path}: ${live.id}'s quota ${JSON.stringify(live.quota)} differs from the file's ${JSON.stringify(spec.quota)}, and a VHM's quota cannot change in place; change the file, or release the VHM and apply again`,
        );
    } else {
      const i = add(
        `create vhm ${path}`,
        {
          type: 'vhm.create',
          tenant,
          name: spec.name,
          quota: spec.quota,
          parent: parent?.vhm ?? null,
          capability: parent?.cap ?? null,
        },
        existing.length,
      );
      vhm = ref(i, 'vhm');
      cap = ref(i, 'capability');
      state = 'requested';
    }
    paths.set(path, { vhm, cap });
    // Lifecycle: requested → validated → active ⇄ paused.
    const want = spec.state;
    if (state === 'requested') {
      add(`validate vhm ${path}`, { type: 'vhm.validate', vhm });
      state = 'validated';
    }
    if (state === 'validated' && want !== 'validated') {
      add(`activate vhm ${path}`, { type: 'vhm.activate', vhm });
      state = 'active';
    }
    if (state === 'paused' && want === 'active') add(`resume vhm ${path}`, { type: 'vhm.resume', vhm });
    // Contracts before children: a contract is allocated only in an active VHM.
    contracts(spec, vhm, cap, path, live ?? null);
    for (const child of spec.vhms) vhmTree(tenant, tenantName, child, { vhm, cap }, `${path}/${child.name}`);
    if (opts.prune && live)
      pruneVhms(
        live.id,
        spec.vhms.map((c) => c.name),
        path,
      );
    if (state === 'active' && want === 'paused') add(`pause vhm ${path}`, { type: 'vhm.pause', vhm });
  };

  const contracts = (spec: VhmSpec, vhm: Val, cap: Val, path: string, live: CVhm | null) => {
    const have = live ? cur.contracts.filter((c) => c.vhm === live.id && LIVE_CONTRACT.has(c.status)) : [];
    const used = new Set<string>();
    spec.contracts.forEach((c, n) => {
      const where = `${path} contract[${n}]`;
      const p = provider(c.provider, c.domain, where);
      const match = have.find((h) => !used.has(h.id) && matches(h, c, p.id));
      const what = `${c.domain} on ${p.name}`;
      let contract: Val;
      let status: string;
      let binding: { id: string; state: string } | null = null;
      if (match) {
        used.add(match.id);
        contract = match.id;
        status = match.status;
        const b = match.binding ? cur.bindings.find((x) => x.id === match.binding) : undefined;
        if (b && b.state !== 'released') binding = { id: b.id, state: b.state };
      } else {
        const i = add(`allocate ${what} in ${path}`, {
          type: 'contract.allocate',
          vhm,
          capability: cap,
          domain: c.domain,
          provider: p.id,
          ...resources(c, p.id, cur, where),
        });
        contract = ref(i, 'contract');
        status = 'issued';
      }
      if (status === 'issued')
        add(`activate contract ${what} in ${path}`, {
          type: 'contract.activate',
          vhm,
          capability: cap,
          contract,
        });
      if (!c.bind) return;
      let b: Val;
      let bstate: string;
      if (binding) {
        b = binding.id;
        bstate = binding.state;
      } else {
        const i = add(`bind ${what} in ${path}`, { type: 'binding.request', vhm, capability: cap, contract });
        b = ref(i, 'binding');
        bstate = 'requested';
      }
      if (bstate === 'requested')
        add(`validate binding ${what} in ${path}`, {
          type: 'binding.validate',
          vhm,
          capability: cap,
          binding: b,
        });
      if (bstate !== 'active')
        add(`activate binding ${what} in ${path}`, {
          type: 'binding.activate',
          vhm,
          capability: cap,
          binding: b,
        });
    });
    if (opts.prune && live)
      for (const h of have.filter((x) => !used.has(x.id))) {
        const b = h.binding ? cur.bindings.find((x) => x.id === h.binding) : undefined;
        if (b && b.state !== 'released')
          add(`release binding ${b.id} in ${path} (not in the file)`, {
            type: 'binding.release',
            vhm: live.id,
            capability: cap,
            binding: b.id,
          });
        add(`release contract ${h.id} in ${path} (not in the file)`, {
          type: 'contract.release',
          vhm: live.id,
          capability: cap,
          contract: h.id,
        });
      }
  };

  const pruneVhms = (parent: string | null, keep: string[], path: string, tenant?: string) => {
    for (const v of cur.vhms.filter(
      (x) =>
        x.parent === parent &&
        isLive(x) &&
        !keep.includes(x.name) &&
        (tenant === undefined || x.tenant === tenant),
    )) {
      add(`terminate vhm ${path}/${v.name} (${v.id}, not in the file)`, { type: 'vhm.terminate', vhm: v.id });
      add(`release vhm ${path}/${v.name} (${v.id})`, { type: 'vhm.release', vhm: v.id });
    }
  };

  for (const t of desired.tenants) {
    const have = cur.tenants.find((x) => x.name === t.name);
    let tenant: Val;
    if (have) {
      tenant = have.id;
      if (t.quota && !sameQuota(have.quota, t.quota))
        add(`set quota of tenant ${t.name}`, { type: 'tenant.setQuota', tenant: have.id, quota: t.quota });
    } else {
      // Tenants are never deleted: a tenant of this name is created once (generation 0).
      const i = add(
        `create tenant ${t.name}`,
        {
          type: 'tenant.create',
          name: t.name,
          quota: t.quota ?? { vhms: 0, memory: 0, cpu: 0, qubits: 0, envelopes: 0 },
        },
        0,
      );
      tenant = ref(i, 'tenant');
    }
    for (const v of t.vhms) vhmTree(tenant, t.name, v, null, `${t.name}/${v.name}`);
    if (opts.prune && have)
      pruneVhms(
        null,
        t.vhms.map((v) => v.name),
        t.name,
        have.id,
      );
  }

  const wanted = new Set<string>();
  for (const [n, x] of desired.ipc.entries()) {
    const a = paths.get(x.a) ?? fail(`ipc[${n}].a: ${x.a} is not a VHM of the file`);
    const b = paths.get(x.b) ?? fail(`ipc[${n}].b: ${x.b} is not a VHM of the file`);
    const rights = [...x.rights].sort();
    const open =
      typeof a.vhm === 'string' && typeof b.vhm === 'string'
        ? cur.ipcs.find(
            (i) =>
              i.open &&
              ((i.a === a.vhm && i.b === b.vhm) || (i.a === b.vhm && i.b === a.vhm)) &&
              [...i.rights].sort().join() === rights.join(),
          )
        : undefined;
    if (open) wanted.add(open.id);
    else
      add(`open ipc ${x.a} ↔ ${x.b} (${rights.join(', ')})`, {
        type: 'ipc.open',
        a: a.vhm,
        capabilityA: a.cap,
        b: b.vhm,
        capabilityB: b.cap,
        rights,
      });
  }
  if (opts.prune) {
    const mentioned = new Set(
      [...paths.values()].map((p) => p.vhm).filter((v): v is string => typeof v === 'string'),
    );
    for (const i of cur.ipcs)
      if (i.open && !wanted.has(i.id) && mentioned.has(i.a) && mentioned.has(i.b))
        add(`close ipc ${i.id} (not in the file)`, { type: 'ipc.close', ipc: i.id });
  }
  return steps;
}

function fail(msg: string): never {
  throw new UsageError(msg);
}

function matches(h: CContract, c: ContractSpec, provider: string): boolean {
  if (h.domain !== c.domain || h.provider !== provider) return false;
  if (c.k) return h.k?.size === c.k.size && h.k.cpu === c.k.cpu;
  if (c.q) return h.q?.qubits === c.q.qubits && h.q.budget === c.q.budget;
  if (c.phi) return h.phi?.duration === c.phi.duration && h.phi.tolerance === c.phi.tolerance;
  return false;
}

/** The contract body's resources; a Q contract takes the provider's newest calibration valid now. */
function resources(c: ContractSpec, provider: string, cur: Current, where: string): Record<string, unknown> {
  if (c.k) return { k: { size: c.k.size, cpu: c.k.cpu } };
  if (c.q) {
    const cal = cur.calibrations
      .filter((x) => x.provider === provider && x.from <= cur.l && cur.l < x.until)
      .sort((a, b) => b.until - a.until || (a.id < b.id ? -1 : 1))[0];
    if (!cal)
      throw new UsageError(`${where}: ${provider} has no calibration valid at L ${cur.l}; issue one first`);
    return { q: { qubits: c.q.qubits, budget: c.q.budget, calibration: cal.id } };
  }
  const p = c.phi!;
  return { phi: { start: p.start ?? cur.l, duration: p.duration, tolerance: p.tolerance } };
}
