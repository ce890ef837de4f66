// Release paths shared by every cascade (termination, invalidation, revocation, expiry). Each one
// is idempotent on already-released objects and emits one entry per object it changes.
import { byId, type Ctx, emit, nextId, sortedIds } from '../engine/context.js';
import type { FaultParams } from '../model/errors.js';
import { addQuota, quotaOf } from '../model/quota.js';
import type { Binding, Contract, Domain, FaultLevel, Quota, Vhm } from '../model/state.js';

/** The quota a contract holds against its VHM. */
export function contractQuota(c: Contract): Quota {
  if (c.domain === 'K' && c.k) return quotaOf({ cpu: c.k.cpu, memory: c.k.size });
  if (c.domain === 'Q' && c.q) return quotaOf({ qubits: c.q.qubits });
  return quotaOf({ envelopes: 1 });
}

/** Give a contract's capacity back to its provider and its quota back to its VHM. */
function freeCapacity(ctx: Ctx, c: Contract): void {
  const s = ctx.state;
  const p = s.providers[c.provider]!;
  const v = s.vhms[c.vhm]!;
  if (c.domain === 'K' && c.k) {
    p.allocated.memory -= c.k.size;
    p.allocated.cpu -= c.k.cpu;
    const i = p.ranges.findIndex((r) => r[2] === c.id);
    if (i >= 0) p.ranges.splice(i, 1);
    for (const irq of c.k.irqs) if (p.irqRoutes[String(irq)] === c.id) delete p.irqRoutes[String(irq)];
  } else if (c.domain === 'Q' && c.q) {
    p.allocated.qubits -= c.q.qubits;
  } else if (c.domain === 'PHI') {
    p.allocated.envelopes -= 1;
    const i = s.phiExpiry.findIndex((e) => e[1] === c.id);
    if (i >= 0) s.phiExpiry.splice(i, 1);
  }
  addQuota(v.used, contractQuota(c), -1);
  ctx.touched.providers.add(p.id);
  ctx.touched.vhms.add(v.id);
}

export function destroyContainer(ctx: Ctx, id: string, reason: string): void {
  const qc = ctx.state.containers[id];
  if (!qc?.live) return;
  qc.live = false;
  emit(ctx, {
    contract: qc.contract,
    domain: 'Q',
    payload: { container: id, reason },
    tenant: ctx.state.vhms[qc.vhm]?.tenant ?? null,
    type: 'q.container.destroyed',
    vhm: qc.vhm,
  });
}

export function terminateEnvelope(ctx: Ctx, id: string, reason: string): void {
  const env = ctx.state.envelopes[id];
  if (!env?.live) return;
  env.live = false;
  env.endedL = ctx.state.l;
  env.reason = reason;
  emit(ctx, {
    contract: env.contract,
    domain: 'PHI',
    payload: { envelope: id, reason },
    tenant: ctx.state.vhms[env.vhm]?.tenant ?? null,
    type: 'phi.envelope.terminated',
    vhm: env.vhm,
  });
}

export function releaseBinding(ctx: Ctx, b: Binding, reason: string): void {
  if (b.state === 'released') return;
  if (b.container) destroyContainer(ctx, b.container, reason);
  if (b.envelope) terminateEnvelope(ctx, b.envelope, reason);
  b.state = 'released';
  b.history.push(['released', ctx.state.l]);
  const c = ctx.state.contracts[b.contract];
  if (c && c.binding === b.id) c.binding = null;
  emit(ctx, {
    contract: b.contract,
    domain: b.domain,
    payload: { binding: b.id, reason },
    tenant: ctx.state.vhms[b.vhm]?.tenant ?? null,
    type: 'binding.released',
    vhm: b.vhm,
  });
}

/** End a contract: `released` on orderly release, `revoked` on invalidation or revocation. */
export function endContract(ctx: Ctx, c: Contract, to: 'released' | 'revoked', reason: string): void {
  if (c.status === 'released' || c.status === 'revoked') return;
  // Issued → Released would skip Active (XDV-053 §5.3): a never-activated contract is withdrawn,
  // which the lifecycle records as a revocation.
  if (to === 'released' && c.status === 'issued') {
    to = 'revoked';
    reason = `withdrawn before activation (${reason})`;
  }
  if (c.binding) {
    const b = ctx.state.bindings[c.binding];
    if (b) releaseBinding(ctx, b, reason);
  }
  freeCapacity(ctx, c);
  c.status = to;
  c.reason = reason;
  c.endedL = ctx.state.l;
  emit(ctx, {
    contract: c.id,
    domain: c.domain,
    payload: { contract: c.id, reason },
    tenant: c.tenant,
    type: to === 'released' ? 'contract.released' : 'contract.revoked',
    vhm: c.vhm,
  });
}

/** Revoke a capability and, depth-first in id order, everything derived from it. */
export function revokeCapability(ctx: Ctx, id: string, reason: string): void {
  const cap = ctx.state.capabilities[id];
  if (!cap || cap.revoked) return;
  for (const child of [...cap.children].sort(byId)) revokeCapability(ctx, child, reason);
  cap.revoked = true;
  ctx.state.capStats.revoked += 1;
  emit(ctx, {
    capability: id,
    payload: { capability: id, reason },
    tenant: ctx.state.vhms[cap.vhm]?.tenant ?? null,
    type: 'cap.revoked',
    vhm: cap.vhm,
  });
}

/** Pause a VHM's running nested VHMs, depth-first, children first in id order. */
export function pauseDescendants(ctx: Ctx, v: Vhm): void {
  for (const cid of sortedIds(v.children)) {
    const c = ctx.state.vhms[cid]!;
    pauseDescendants(ctx, c);
    if (c.state === 'active') {
      c.state = 'paused';
      ctx.touched.vhms.add(c.id);
      emit(ctx, {
        payload: { cause: v.id, from: 'active', to: 'paused', vhm: c.id },
        tenant: c.tenant,
        type: 'vhm.paused',
        vhm: c.id,
      });
    }
  }
}

export interface FaultInput {
  level: FaultLevel;
  code: string;
  vhm: string | null;
  provider: string | null;
  contract: string | null;
  domain: Domain | null;
  injected: boolean;
  params: FaultParams;
}

/**
 * Record a fault and escalate it. Containment: a fault only ever acts on the faulting VHM. Repeated
 * domain faults in one VHM escalate to VHM level, which pauses that VHM and nothing else.
 */
export function raiseFault(ctx: Ctx, f: FaultInput): string {
  const s = ctx.state;
  const id = nextId(ctx, 'fault');
  const vhm = f.vhm ? s.vhms[f.vhm] : undefined;
  s.faults[id] = {
    code: f.code,
    contract: f.contract,
    id,
    injected: f.injected,
    l: s.l,
    level: f.level,
    params: f.params,
    provider: f.provider,
    tenant: vhm?.tenant ?? null,
    vhm: f.vhm,
  };
  emit(ctx, {
    contract: f.contract,
    domain: f.domain,
    payload: { code: f.code, fault: id, injected: f.injected, level: f.level, params: f.params },
    tenant: vhm?.tenant ?? null,
    type: 'fault.escalated',
    vhm: f.vhm,
  });
  if (vhm && f.level === 'domain') {
    vhm.faultCount += 1;
    if (vhm.faultCount >= s.config.vhmEscalation && vhm.state === 'active') {
      vhm.state = 'paused';
      emit(ctx, {
        payload: { reason: 'fault escalation', vhm: vhm.id },
        tenant: vhm.tenant,
        type: 'vhm.paused',
        vhm: vhm.id,
      });
      // Nested isolation is transitive: a paused VHM's children cannot stay active inside it.
      pauseDescendants(ctx, vhm);
      raiseFault(ctx, {
        code: f.code,
        contract: null,
        domain: null,
        injected: f.injected,
        level: 'vhm',
        params: { count: vhm.faultCount, reason: 'vhm_escalation', vhm: vhm.id },
        provider: f.provider,
        vhm: vhm.id,
      });
    }
  }
  return id;
}

/** Invalidate a contract after a violation: revoke it, release its binding, escalate. */
export function invalidateContract(
  ctx: Ctx,
  c: Contract,
  code: string,
  params: FaultParams,
  injected: boolean,
): void {
  endContract(ctx, c, 'revoked', code);
  raiseFault(ctx, {
    code,
    contract: c.id,
    domain: c.domain,
    injected,
    level: 'domain',
    params,
    provider: c.provider,
    vhm: c.vhm,
  });
}

export function liveContractsOf(ctx: Ctx, vhm: string): string[] {
  const v = ctx.state.vhms[vhm];
  if (!v) return [];
  return sortedIds(
    v.contracts.filter((id) => {
      const st = ctx.state.contracts[id]?.status;
      return st === 'issued' || st === 'active';
    }),
  );
}
