import { byId } from '../engine/context.js';
import { addQuota, CAPACITY_KEYS, QUOTA_KEYS } from '../model/quota.js';
import type { BindingState, Contract, ProviderCapacity, Quota, State } from '../model/state.js';
import { zeroCapacity, zeroQuota } from '../model/state.js';
import { contractQuota } from '../transitions/resources.js';

// The complete invariant set of XDV-053 §4–5 and XDV-083 §3.2, §8.2, §13, recomputed from scratch
// (no cached counter is trusted). Each check has a name so a failure says which property broke.

export interface Violation {
  invariant: string;
  detail: string;
}

const live = (c: Contract) => c.status === 'issued' || c.status === 'active';

export function checkAll(s: State): Violation[] {
  const out: Violation[] = [];
  const fail = (invariant: string, detail: string) => out.push({ invariant, detail });
  const contracts = Object.values(s.contracts).sort((a, b) => byId(a.id, b.id));

  // Resource conservation (XDV-083 §8.2, XDV-053 §5.1): Σ allocated = Σ live contracts ≤ capacity.
  const sums: Record<string, ProviderCapacity> = {};
  for (const p of Object.keys(s.providers)) sums[p] = zeroCapacity();
  for (const c of contracts) {
    if (!live(c)) continue;
    const sum = sums[c.provider];
    if (!sum) {
      fail('ownership', `${c.id} names unknown provider ${c.provider}`);
      continue;
    }
    if (c.k) {
      sum.memory += c.k.size;
      sum.cpu += c.k.cpu;
    } else if (c.q) sum.qubits += c.q.qubits;
    else sum.envelopes += 1;
  }
  for (const p of Object.values(s.providers)) {
    for (const k of CAPACITY_KEYS) {
      if (sums[p.id]![k] !== p.allocated[k])
        fail('conservation', `${p.id} ${k}: counter ${p.allocated[k]} ≠ Σ contracts ${sums[p.id]![k]}`);
      if (p.allocated[k] > p.capacity[k])
        fail('conservation', `${p.id} ${k}: ${p.allocated[k]} > capacity ${p.capacity[k]}`);
    }
    // Memory isolation: ranges sorted, disjoint, each owned by one live K contract on this host.
    for (let i = 0; i < p.ranges.length; i++) {
      const [b, e, cid] = p.ranges[i]!;
      const c = s.contracts[cid];
      if (!c || !live(c) || !c.k || c.provider !== p.id || c.k.base !== b || c.k.base + c.k.size !== e)
        fail('memory-isolation', `${p.id} range [${b}, ${e}) does not match a live contract (${cid})`);
      if (i > 0 && p.ranges[i - 1]![1] > b) fail('memory-isolation', `${p.id}: ranges overlap at ${b}`);
    }
    for (const [irq, cid] of Object.entries(p.irqRoutes)) {
      const c = s.contracts[cid];
      if (!c || !live(c) || !c.k?.irqs.includes(Number(irq)) || c.provider !== p.id)
        fail('interrupt-routing', `${p.id} vector ${irq} routes to ${cid}, which does not hold it`);
    }
  }
  // Which contracts hold a range, per provider (a scan per contract would be quadratic in the fleet).
  const ranged = new Set<string>();
  for (const p of Object.values(s.providers)) for (const r of p.ranges) ranged.add(`${p.id} ${r[2]}`);
  for (const c of contracts) {
    if (!live(c) || !c.k) continue;
    const p = s.providers[c.provider]!;
    if (!ranged.has(`${p.id} ${c.id}`)) fail('memory-isolation', `${c.id} has no registered range`);
    for (const irq of c.k.irqs)
      if (p.irqRoutes[String(irq)] !== c.id)
        fail('interrupt-routing', `${c.id} vector ${irq} not routed to it`);
  }

  // Quotas: VHM used = Σ its live contracts; used + carved ≤ quota; carving sums match; tenants too.
  const used: Record<string, Quota> = {};
  const carved: Record<string, Quota> = {};
  const tenantCarved: Record<string, Quota> = {};
  for (const id of Object.keys(s.vhms)) {
    used[id] = zeroQuota();
    carved[id] = zeroQuota();
  }
  for (const id of Object.keys(s.tenants)) tenantCarved[id] = zeroQuota();
  for (const c of contracts) if (live(c) && used[c.vhm]) addQuota(used[c.vhm]!, contractQuota(c));
  for (const v of Object.values(s.vhms)) {
    if (v.state === 'released') continue;
    const q = { ...v.quota, vhms: 1 };
    if (v.parent) addQuota(carved[v.parent]!, q);
    else if (tenantCarved[v.tenant]) addQuota(tenantCarved[v.tenant]!, q);
    else fail('ownership', `${v.id} belongs to unknown tenant ${v.tenant}`);
  }
  for (const v of Object.values(s.vhms)) {
    for (const k of QUOTA_KEYS) {
      if (used[v.id]![k] !== v.used[k])
        fail('quota', `${v.id} used ${k} ${v.used[k]} ≠ Σ contracts ${used[v.id]![k]}`);
      if (carved[v.id]![k] !== v.carved[k])
        fail('quota', `${v.id} carved ${k} ${v.carved[k]} ≠ Σ children ${carved[v.id]![k]}`);
      if (k !== 'vhms' && v.used[k] + v.carved[k] > v.quota[k]) fail('quota', `${v.id} ${k} over quota`);
    }
  }
  for (const t of Object.values(s.tenants))
    for (const k of QUOTA_KEYS) {
      if (tenantCarved[t.id]![k] !== t.carved[k])
        fail('quota', `${t.id} carved ${k} ${t.carved[k]} ≠ Σ root VHMs ${tenantCarved[t.id]![k]}`);
      if (t.carved[k] > t.quota[k]) fail('quota', `${t.id} ${k} carved beyond quota`);
    }

  // Contract lifecycle and ownership (XDV-053 §5.3, XDV-083 §8.1): one owner, listed only there.
  const owners = new Map<string, string>();
  for (const v of Object.values(s.vhms))
    for (const cid of v.contracts) {
      if (owners.has(cid)) fail('ownership', `${cid} listed by ${owners.get(cid)} and ${v.id}`);
      owners.set(cid, v.id);
    }
  for (const c of contracts) {
    if (owners.get(c.id) !== c.vhm) fail('ownership', `${c.id} owner ${c.vhm} does not list it`);
    if (s.vhms[c.vhm]?.tenant !== c.tenant) fail('ownership', `${c.id} tenant differs from its VHM's`);
    if (!live(c) && c.binding) fail('lifecycle', `${c.id} is ${c.status} but still bound`);
    if (c.binding) {
      const b = s.bindings[c.binding];
      if (!b || b.contract !== c.id || b.state === 'released')
        fail('lifecycle', `${c.id} binding ${c.binding} does not point back`);
    }
    if (c.q && c.consumed > c.q.budget)
      fail('decoherence-budget', `${c.id} consumed ${c.consumed} > budget ${c.q.budget}`);
  }

  // Bindings, Q containers (no-cloning, XDV-053 §4.2), Φ envelopes (no aliasing, §4.3).
  const containersByContract = new Map<string, string>();
  for (const qc of Object.values(s.containers)) {
    if (!qc.live) continue;
    if (containersByContract.has(qc.contract)) fail('no-cloning', `${qc.contract} has two live containers`);
    containersByContract.set(qc.contract, qc.id);
  }
  const envByContract = new Map<string, string>();
  for (const env of Object.values(s.envelopes)) {
    if (!env.live) continue;
    if (envByContract.has(env.contract)) fail('envelope-aliasing', `${env.contract} has two live envelopes`);
    envByContract.set(env.contract, env.id);
  }
  const bindingOwners = new Map<string, string>();
  for (const v of Object.values(s.vhms)) for (const b of v.bindings) bindingOwners.set(b, v.id);
  for (const b of Object.values(s.bindings)) {
    const c = s.contracts[b.contract];
    if (!c || c.vhm !== b.vhm) fail('vhm-isolation', `${b.id} binds a contract of another VHM`);
    if (bindingOwners.get(b.id) !== b.vhm) fail('ownership', `${b.id} not listed by ${b.vhm}`);
    if (b.state !== 'released' && c && !live(c))
      fail('lifecycle', `${b.id} is ${b.state} on ${c.status} contract`);
    const qc = b.container ? s.containers[b.container] : undefined;
    const env = b.envelope ? s.envelopes[b.envelope] : undefined;
    if (
      b.state === 'active' &&
      b.domain === 'Q' &&
      (!qc?.live || qc.vhm !== b.vhm || qc.contract !== b.contract)
    )
      fail('no-cloning', `active ${b.id} does not own a live container`);
    if (b.state === 'active' && b.domain === 'PHI' && (!env?.live || env.vhm !== b.vhm))
      fail('envelope-aliasing', `active ${b.id} does not own a live envelope`);
    if (b.state !== 'active' && (qc?.live || env?.live))
      fail('lifecycle', `${b.id} is ${b.state} but holds a live container or envelope`);
  }
  for (const qc of Object.values(s.containers)) {
    if (!qc.live) continue;
    const c = s.contracts[qc.contract];
    const b = c?.binding ? s.bindings[c.binding] : undefined;
    if (!b || b.container !== qc.id || b.state !== 'active')
      fail('no-cloning', `${qc.id} is live without its active binding`);
  }
  for (const env of Object.values(s.envelopes)) {
    if (!env.live) continue;
    const c = s.contracts[env.contract];
    const b = c?.binding ? s.bindings[c.binding] : undefined;
    if (!b || b.envelope !== env.id || b.state !== 'active')
      fail('envelope-aliasing', `${env.id} is live without its active binding`);
  }
  checkBindingLifecycle(s, fail);
  checkContractLifecycle(s, contracts, fail);
  // Coherence windows (XDV-053 §5.2): no overlap on one provider unless shared by contract.
  const phi = contracts.filter((c) => live(c) && c.phi);
  const sharing = new Set<string>();
  for (const ipc of Object.values(s.ipcs))
    if (ipc.open && ipc.rights.includes('PHI_SHARE')) {
      sharing.add(`${ipc.a}|${ipc.b}`);
      sharing.add(`${ipc.b}|${ipc.a}`);
    }
  for (let i = 0; i < phi.length; i++)
    for (let j = i + 1; j < phi.length; j++) {
      const a = phi[i]!;
      const b = phi[j]!;
      if (a.provider !== b.provider || a.vhm === b.vhm) continue;
      const overlap =
        a.phi!.start < b.phi!.start + b.phi!.duration && b.phi!.start < a.phi!.start + a.phi!.duration;
      // A share may have been closed after both were granted; the pair stays legal while both live.
      if (overlap && !sharing.has(`${a.vhm}|${b.vhm}`) && !wasShared(s, a.vhm, b.vhm))
        fail('coherence-window', `${a.id} and ${b.id} overlap on ${a.provider} without a sharing contract`);
    }
  const expiry = s.phiExpiry.map((e) => e[1]).sort(byId);
  const livePhi = phi.map((c) => c.id).sort(byId);
  if (expiry.join() !== livePhi.join())
    fail('coherence-window', 'the expiry queue does not list exactly the live Φ contracts');

  // Capabilities (XDV-053 §5.4): valid = issued − revoked; namespaces per VHM; derivation monotone.
  let valid = 0;
  for (const cap of Object.values(s.capabilities)) {
    if (!cap.revoked) valid++;
    const v = s.vhms[cap.vhm];
    if (!v?.capabilities.includes(cap.id)) fail('capability-namespace', `${cap.id} not listed by ${cap.vhm}`);
    if (cap.parent) {
      const p = s.capabilities[cap.parent];
      if (!p || p.vhm !== cap.vhm) fail('capability-namespace', `${cap.id} derives from another namespace`);
      else {
        if (cap.rights.some((r) => !p.rights.includes(r)))
          fail('capability-confinement', `${cap.id} has rights beyond ${p.id}`);
        if (p.revoked && !cap.revoked)
          fail('capability-revocation', `${cap.id} survives revoked parent ${p.id}`);
      }
    }
    if (v && (v.state === 'terminated' || v.state === 'released') && !cap.revoked)
      fail('capability-revocation', `${cap.id} valid in ${v.state} ${v.id}`);
  }
  checkCapabilityDerivation(s, fail);
  if (valid !== s.capStats.issued - s.capStats.revoked)
    fail(
      'capability-conservation',
      `valid ${valid} ≠ issued ${s.capStats.issued} − revoked ${s.capStats.revoked}`,
    );

  // Nesting (XDV-083 §6): depth bound, same tenant, transitive isolation of lifecycle.
  for (const v of Object.values(s.vhms)) {
    if (v.depth > s.config.maxDepth) fail('nesting', `${v.id} depth ${v.depth} > ${s.config.maxDepth}`);
    if (v.parent) {
      const p = s.vhms[v.parent];
      if (!p?.children.includes(v.id)) fail('nesting', `${v.id} not listed by its parent`);
      else {
        if (p.tenant !== v.tenant) fail('nesting', `${v.id} tenant differs from parent`);
        if (p.depth + 1 !== v.depth) fail('nesting', `${v.id} depth inconsistent`);
        if (v.state === 'active' && p.state !== 'active')
          fail('nesting', `${v.id} active inside ${p.state} ${p.id}`);
        if (
          (p.state === 'terminated' || p.state === 'released') &&
          v.state !== 'terminated' &&
          v.state !== 'released'
        )
          fail('nesting', `${v.id} outlives its parent`);
      }
    }
    if (v.state === 'terminated' || v.state === 'released') {
      for (const cid of v.contracts)
        if (live(s.contracts[cid]!)) fail('release', `${v.state} ${v.id} holds live ${cid}`);
      for (const bid of v.bindings)
        if (s.bindings[bid]!.state !== 'released') fail('release', `${v.state} ${v.id} holds ${bid}`);
      for (const pid of v.processes)
        if (s.processes[pid]!.state === 'running') fail('release', `${v.state} ${v.id} runs ${pid}`);
    }
    for (const pid of v.processes)
      if (s.processes[pid]?.vhm !== v.id)
        fail('process-isolation', `${pid} listed by ${v.id} but owned elsewhere`);
  }

  // Scheduler: the run queue is exactly the waiting and running units; units stay in their VHM.
  const queued = new Set(s.runQueue);
  for (const u of Object.values(s.units)) {
    const inQueue = u.state === 'waiting' || u.state === 'running';
    if (inQueue !== queued.has(u.id)) fail('scheduler', `${u.id} (${u.state}) run-queue membership wrong`);
    if (s.processes[u.process]?.vhm !== u.vhm) fail('vhm-isolation', `${u.id} runs a process of another VHM`);
    if (u.contract && s.contracts[u.contract]?.vhm !== u.vhm)
      fail('vhm-isolation', `${u.id} uses a contract of another VHM`);
  }
  return out;
}

/** Overlapping Φ windows granted under a PHI_SHARE contract that has since closed. */
function wasShared(s: State, a: string, b: string): boolean {
  for (const ipc of Object.values(s.ipcs))
    if (ipc.rights.includes('PHI_SHARE') && ((ipc.a === a && ipc.b === b) || (ipc.a === b && ipc.b === a)))
      return true;
  return false;
}

type Fail = (invariant: string, detail: string) => void;

/** The order a binding's history may take (XDV-083 §5.2); `released` may follow any state. */
const BINDING_ORDER: readonly BindingState[] = ['requested', 'validated', 'active'];

/**
 * Binding lifecycle (XDV-083 §5.2, XDV-053 §5.3): each history is requested → validated → active
 * → released with no skipped or repeated state (released may end it at any point), L never runs
 * backwards, and the last recorded state is the binding's state. An active binding sits on an
 * active contract; an active Q binding owns exactly one live container of its own contract, an
 * active Φ binding exactly one live envelope of its own contract (with the contract's window), and
 * a K binding owns neither.
 */
function checkBindingLifecycle(s: State, fail: Fail): void {
  const liveContainers = new Map<string, number>();
  for (const qc of Object.values(s.containers))
    if (qc.live) liveContainers.set(qc.contract, (liveContainers.get(qc.contract) ?? 0) + 1);
  const liveEnvelopes = new Map<string, number>();
  for (const env of Object.values(s.envelopes))
    if (env.live) liveEnvelopes.set(env.contract, (liveEnvelopes.get(env.contract) ?? 0) + 1);
  for (const b of Object.values(s.bindings)) {
    const h = b.history;
    if (h.length === 0 || h[0]![0] !== 'requested')
      fail('binding-lifecycle', `${b.id} history does not start at requested`);
    for (let i = 1; i < h.length; i++) {
      const [prev, prevL] = h[i - 1]!;
      const [cur, curL] = h[i]!;
      const next = BINDING_ORDER[BINDING_ORDER.indexOf(prev) + 1];
      if (prev === 'released') fail('binding-lifecycle', `${b.id} moves to ${cur} after released`);
      else if (cur !== 'released' && cur !== next)
        fail('binding-lifecycle', `${b.id} goes ${prev} → ${cur}, skipping or repeating a state`);
      if (curL < prevL) fail('binding-lifecycle', `${b.id} history runs back in L (${prevL} → ${curL})`);
    }
    if (h.length > 0 && h[h.length - 1]![0] !== b.state)
      fail('binding-lifecycle', `${b.id} is ${b.state} but its history ends at ${h[h.length - 1]![0]}`);
    const c = s.contracts[b.contract];
    if (b.state === 'active' && c && c.status !== 'active')
      fail('binding-lifecycle', `active ${b.id} sits on ${c.status} ${c.id}`);
    if (b.domain !== c?.domain) fail('binding-lifecycle', `${b.id} domain ${b.domain} ≠ its contract's`);
    if ((b.domain !== 'Q' && b.container) || (b.domain !== 'PHI' && b.envelope))
      fail('binding-lifecycle', `${b.domain} ${b.id} holds a resource of another domain`);
    const cap = s.capabilities[b.capability];
    if (!cap || cap.vhm !== b.vhm)
      fail('capability-namespace', `${b.id} was granted under ${b.capability}, not a capability of ${b.vhm}`);
    if (b.state !== 'active') continue;
    if (b.domain === 'Q') {
      const qc = b.container ? s.containers[b.container] : undefined;
      if (!qc?.live || qc.contract !== b.contract || liveContainers.get(b.contract) !== 1)
        fail(
          'binding-lifecycle',
          `active Q ${b.id} does not own exactly one live container of ${b.contract}`,
        );
      else if (c?.q && (qc.qubits !== c.q.qubits || qc.provider !== c.provider))
        fail('binding-lifecycle', `${qc.id} does not match ${c.id}'s qubits and provider`);
    } else if (b.domain === 'PHI') {
      const env = b.envelope ? s.envelopes[b.envelope] : undefined;
      if (!env?.live || env.contract !== b.contract || liveEnvelopes.get(b.contract) !== 1)
        fail('binding-lifecycle', `active Φ ${b.id} does not own exactly one live envelope of ${b.contract}`);
      else if (
        c?.phi &&
        (env.start !== c.phi.start || env.end !== c.phi.start + c.phi.duration || env.provider !== c.provider)
      )
        fail('binding-lifecycle', `${env.id} does not match ${c.id}'s window and provider`);
    }
  }
}

/**
 * Contract lifecycle (XDV-053 §5.3): a live contract has not ended; an ended one records when and
 * why, never before it was issued; a live Φ contract's window has not closed (expiry runs at every
 * tick); a Q contract names a calibration of its own provider, and every calibration's validity
 * interval is sane (from < until, issued before it ends, by a Q provider).
 */
function checkContractLifecycle(s: State, contracts: Contract[], fail: Fail): void {
  for (const c of contracts) {
    if (live(c)) {
      if (c.endedL !== null) fail('contract-lifecycle', `${c.status} ${c.id} has an end (L ${c.endedL})`);
      if (c.phi && c.phi.start + c.phi.duration <= s.l)
        fail(
          'contract-lifecycle',
          `${c.id} is ${c.status} after its window closed at ${c.phi.start + c.phi.duration}`,
        );
    } else if (c.endedL === null || c.endedL < c.issuedL || c.reason === null)
      fail('contract-lifecycle', `${c.status} ${c.id} does not record a sane end and reason`);
    if (c.issuedL > s.l) fail('contract-lifecycle', `${c.id} issued in the future (L ${c.issuedL})`);
    if (c.q) {
      const cal = s.calibrations[c.q.calibration];
      if (!cal || cal.provider !== c.provider)
        fail('calibration', `${c.id} names ${c.q.calibration}, not a calibration of ${c.provider}`);
    }
  }
  for (const cal of Object.values(s.calibrations)) {
    if (!(cal.from < cal.until) || !(cal.issuedL < cal.until))
      fail(
        'calibration',
        `${cal.id} validity [${cal.from}, ${cal.until}) issued at ${cal.issuedL} is not sane`,
      );
    if (s.providers[cal.provider]?.domain !== 'Q')
      fail('calibration', `${cal.id} was issued for ${cal.provider}, not a Q provider`);
  }
}

/**
 * Capability derivation (XDV-053 §5.4): the derivation tree is consistent both ways (a child names
 * its parent and the parent lists it), a child is never issued before its parent, and its rights are
 * a subset of its parent's (checked with confinement above).
 */
function checkCapabilityDerivation(s: State, fail: Fail): void {
  for (const cap of Object.values(s.capabilities)) {
    for (const child of cap.children) {
      const c = s.capabilities[child];
      if (!c || c.parent !== cap.id)
        fail('capability-derivation', `${cap.id} lists ${child}, which does not derive from it`);
    }
    if (cap.parent) {
      const p = s.capabilities[cap.parent];
      if (p && !p.children.includes(cap.id))
        fail('capability-derivation', `${cap.id} derives from ${p.id}, which does not list it`);
      if (p && cap.issuedL < p.issuedL)
        fail('capability-derivation', `${cap.id} was derived before its parent ${p.id} existed`);
    }
  }
}
