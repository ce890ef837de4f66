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
  /**
   * The step named by what it does to which object, never by server ids: the object's path in the
   * file and its generation (how many earlier incarnations of it died), so the same step planned
   * again — by a re-run after an interruption, whether or not the first run's request committed —
   * has the same identity, and a later incarnation of the object a new one. Idempotency keys
   * derive from it.
   */
  identity: string;
}

const QKEYS = ['vhms', 'memory', 'cpu', 'qubits', 'envelopes'] as const;
const sameQuota = (a: QuotaSpec, b: QuotaSpec) => QKEYS.every((k) => a[k] === b[k]);
const LIVE_CONTRACT = new Set(['issued', 'active']);

export function computePlan(desired: Desired, cur: Current, opts: { prune: boolean }): PlanStepSpec[] {
  const steps: PlanStepSpec[] = [];
  const add = (label: string, command: PlanStepSpec['command'], identity: string): number => {
    steps.push({ label, command, identity });
    return steps.length - 1;
  };
  const dead = (n: number) => `#${n}`;
  const ref = (i: number, kind: string): Ref => ({ $ref: `${i}.${kind}` });
  const provider = (nameOrId: string, domain: string, where: string) => {
    const p = cur.providers.find((x) => (x.name === nameOrId || x.id === nameOrId) && x.domain === domain);
    if (!p)
      throw new UsageError(`${where}: no ${domain} provider named ${nameOrId} (see \`xdv get providers\`)`);
    return p;
  };
  /** Paths of VHMs (tenant/name/…) to their id or placeholder and root capability, for IPC. */
  const paths = new Map<string, { vhm: Val; cap: Val; id: string }>();

  const vhmTree = (
    tenant: Val,
    tenantName: string,
    spec: VhmSpec,
    parent: { vhm: Val; cap: Val; id: string } | null,
    path: string,
    tenantIdent: string,
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
    const ident = `${parent?.id ?? tenantIdent}/vhm:${spec.name}${dead(existing.filter((v) => !isLive(v)).length)}`;
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
        `create ${ident}`,
      );
      vhm = ref(i, 'vhm');
      cap = ref(i, 'capability');
      state = 'requested';
    }
    paths.set(path, { vhm, cap, id: ident });
    // Lifecycle: requested → validated → active ⇄ paused.
    const want = spec.state;
    if (state === 'requested') {
      add(`validate vhm ${path}`, { type: 'vhm.validate', vhm }, `validate ${ident}`);
      state = 'validated';
    }
    if (state === 'validated' && want !== 'validated') {
      add(`activate vhm ${path}`, { type: 'vhm.activate', vhm }, `activate ${ident}`);
      state = 'active';
    }
    // Pause and resume can cycle: the logical time tells one resume from the next.
    if (state === 'paused' && want === 'active')
      add(`resume vhm ${path}`, { type: 'vhm.resume', vhm }, `resume ${ident} @L${cur.l}`);
    // Contracts before children: a contract is allocated only in an active VHM.
    contracts(spec, vhm, cap, path, live ?? null, ident);
    for (const child of spec.vhms)
      vhmTree(tenant, tenantName, child, { vhm, cap, id: ident }, `${path}/${child.name}`, tenantIdent);
    if (opts.prune && live)
      pruneVhms(
        live.id,
        spec.vhms.map((c) => c.name),
        path,
      );
    if (state === 'active' && want === 'paused')
      add(`pause vhm ${path}`, { type: 'vhm.pause', vhm }, `pause ${ident} @L${cur.l}`);
  };

  const contracts = (spec: VhmSpec, vhm: Val, cap: Val, path: string, live: CVhm | null, vIdent: string) => {
    const all = live ? cur.contracts.filter((c) => c.vhm === live.id) : [];
    const have = all.filter((c) => LIVE_CONTRACT.has(c.status));
    const used = new Set<string>();
    const seen = new Map<string, number>();
    spec.contracts.forEach((c, n) => {
      const where = `${path} contract[${n}]`;
      const p = provider(c.provider, c.domain, where);
      const match = have.find((h) => !used.has(h.id) && matches(h, c, p.id));
      const what = `${c.domain} on ${p.name}`;
      // Contracts have no name: the same spec twice in one VHM is told apart by its rank.
      const spec1 = JSON.stringify([c.domain, p.name, c.k ?? c.q ?? c.phi]);
      const rank = seen.get(spec1) ?? 0;
      seen.set(spec1, rank + 1);
      const gone = all.filter((h) => !LIVE_CONTRACT.has(h.status) && matches(h, c, p.id)).length;
      const cIdent = `${vIdent}/contract:${spec1}.${rank}${dead(gone)}`;
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
        const i = add(
          `allocate ${what} in ${path}`,
          {
            type: 'contract.allocate',
            vhm,
            capability: cap,
            domain: c.domain,
            provider: p.id,
            ...resources(c, p.id, cur, where),
          },
          `allocate ${cIdent}`,
        );
        contract = ref(i, 'contract');
        status = 'issued';
      }
      if (status === 'issued')
        add(
          `activate contract ${what} in ${path}`,
          { type: 'contract.activate', vhm, capability: cap, contract },
          `activate ${cIdent}`,
        );
      if (!c.bind) return;
      const released = match
        ? cur.bindings.filter((x) => x.contract === match.id && x.state === 'released').length
        : 0;
      const bIdent = `${cIdent}/binding${dead(released)}`;
      let b: Val;
      let bstate: string;
      if (binding) {
        b = binding.id;
        bstate = binding.state;
      } else {
        const i = add(
          `bind ${what} in ${path}`,
          { type: 'binding.request', vhm, capability: cap, contract },
          `request ${bIdent}`,
        );
        b = ref(i, 'binding');
        bstate = 'requested';
      }
      if (bstate === 'requested')
        add(
          `validate binding ${what} in ${path}`,
          { type: 'binding.validate', vhm, capability: cap, binding: b },
          `validate ${bIdent}`,
        );
      if (bstate !== 'active')
        add(
          `activate binding ${what} in ${path}`,
          { type: 'binding.activate', vhm, capability: cap, binding: b },
          `activate ${bIdent}`,
        );
    });
    if (opts.prune && live)
      for (const h of have.filter((x) => !used.has(x.id))) {
        const b = h.binding ? cur.bindings.find((x) => x.id === h.binding) : undefined;
        if (b && b.state !== 'released')
          // Ids are never reused, so a removal is named by the id it removes.
          add(
            `release binding ${b.id} in ${path} (not in the file)`,
            { type: 'binding.release', vhm: live.id, capability: cap, binding: b.id },
            `release ${b.id}`,
          );
        add(
          `release contract ${h.id} in ${path} (not in the file)`,
          { type: 'contract.release', vhm: live.id, capability: cap, contract: h.id },
          `release ${h.id}`,
        );
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
      add(
        `terminate vhm ${path}/${v.name} (${v.id}, not in the file)`,
        { type: 'vhm.terminate', vhm: v.id },
        `terminate ${v.id}`,
      );
      add(`release vhm ${path}/${v.name} (${v.id})`, { type: 'vhm.release', vhm: v.id }, `release ${v.id}`);
    }
  };

  for (const t of desired.tenants) {
    const have = cur.tenants.find((x) => x.name === t.name);
    let tenant: Val;
    if (have) {
      tenant = have.id;
      if (t.quota && !sameQuota(have.quota, t.quota))
        add(
          `set quota of tenant ${t.name}`,
          { type: 'tenant.setQuota', tenant: have.id, quota: t.quota },
          `quota tenant:${t.name} ${JSON.stringify(t.quota)} @L${cur.l}`,
        );
    } else {
      // Tenants are never deleted: a tenant of this name is created once.
      const i = add(
        `create tenant ${t.name}`,
        {
          type: 'tenant.create',
          name: t.name,
          quota: t.quota ?? { vhms: 0, memory: 0, cpu: 0, qubits: 0, envelopes: 0 },
        },
        `create tenant:${t.name}`,
      );
      tenant = ref(i, 'tenant');
    }
    for (const v of t.vhms) vhmTree(tenant, t.name, v, null, `${t.name}/${v.name}`, `tenant:${t.name}`);
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
    else {
      const closed =
        typeof a.vhm === 'string' && typeof b.vhm === 'string'
          ? cur.ipcs.filter(
              (i) => !i.open && ((i.a === a.vhm && i.b === b.vhm) || (i.a === b.vhm && i.b === a.vhm)),
            ).length
          : 0;
      add(
        `open ipc ${x.a} ↔ ${x.b} (${rights.join(', ')})`,
        { type: 'ipc.open', a: a.vhm, capabilityA: a.cap, b: b.vhm, capabilityB: b.cap, rights },
        `open ipc:${a.id}<->${b.id}:${rights.join(',')}${dead(closed)}`,
      );
    }
  }
  if (opts.prune) {
    const mentioned = new Set(
      [...paths.values()].map((p) => p.vhm).filter((v): v is string => typeof v === 'string'),
    );
    for (const i of cur.ipcs)
      if (i.open && !wanted.has(i.id) && mentioned.has(i.a) && mentioned.has(i.b))
        add(`close ipc ${i.id} (not in the file)`, { type: 'ipc.close', ipc: i.id }, `close ${i.id}`);
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
