import { byId } from '../engine/context.js';
import { addQuota, CAPACITY_KEYS, QUOTA_KEYS } from '../model/quota.js';
import type { Contract, ProviderCapacity, Quota, State } from '../model/state.js';
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
