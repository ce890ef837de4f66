import {
  getProvider,
  ownContract,
  requireOperator,
  requireRunning,
  useCapability,
  writableVhm,
} from '../engine/access.js';
import { byId, type Ctx, emit, nextId } from '../engine/context.js';
import { domain, int, text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';
import { addQuota, quotaShortfall } from '../model/quota.js';
import type { Contract, Provider, Right, State, Vhm } from '../model/state.js';
import { contractQuota, endContract, invalidateContract } from './resources.js';

const ALLOC_RIGHT: Record<string, Right> = { K: 'BIND_K', Q: 'ALLOC_Q', PHI: 'ALLOC_PHI' };
export const MAX_IRQ = 255;

/** Binary search: index of the first range whose end is > base. */
function firstEndAfter(ranges: Array<[number, number, string]>, base: number): number {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]![1] <= base) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The lowest base at which `size` bytes fit on this host between its allocated ranges and within
 * its memory, or null: first fit over the sorted ranges, so the same state always gives the same base.
 */
export function placeRange(p: Provider, size: number): number | null {
  let cursor = 0;
  for (const [start, end] of p.ranges) {
    if (start - cursor >= size) return cursor;
    if (end > cursor) cursor = end;
  }
  return p.capacity.memory - cursor >= size ? cursor : null;
}

export function overlappingRange(p: Provider, base: number, end: number): [number, number, string] | null {
  const i = firstEndAfter(p.ranges, base);
  const r = p.ranges[i];
  return r && r[0] < end ? r : null;
}

function insertRange(p: Provider, r: [number, number, string]): void {
  p.ranges.splice(firstEndAfter(p.ranges, r[0]), 0, r);
}

/** True if an open IPC contract with PHI_SHARE joins the two VHMs. */
export function phiShareAllowed(state: State, a: string, b: string): boolean {
  for (const ipc of Object.values(state.ipcs))
    if (
      ipc.open &&
      ipc.rights.includes('PHI_SHARE') &&
      ((ipc.a === a && ipc.b === b) || (ipc.a === b && ipc.b === a))
    )
      return true;
  return false;
}

function freeQuota(v: Vhm) {
  const free = { ...v.quota };
  addQuota(free, v.carved, -1);
  return free;
}

export function allocateContract(ctx: Ctx, cmd: CommandOf<'contract.allocate'>): void {
  const s = ctx.state;
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  requireRunning(v);
  const d = domain(cmd.domain);
  const cap = useCapability(ctx, v, text('capability', cmd.capability, 64), ALLOC_RIGHT[d]!);
  const p = getProvider(s, text('provider', cmd.provider, 64));
  if (p.domain !== d) reject('HV_DOMAIN_MISMATCH', { found: p.domain, needed: d, provider: p.name });
  if (p.attestation !== 'attested')
    reject('HV_PROVIDER_UNATTESTED', { attestation: p.attestation, provider: p.name, reason: 'contract' });
  const draft: Contract = {
    binding: null,
    consumed: 0,
    domain: d,
    endedL: null,
    id: '',
    issuedL: s.l,
    k: null,
    phi: null,
    provider: p.id,
    q: null,
    reason: null,
    status: 'issued',
    tenant: v.tenant,
    vhm: v.id,
  };
  if (d === 'K') {
    const k = cmd.k;
    if (!k) reject('HV_INVALID_COMMAND', { domain: 'K', field: 'k', reason: 'required' });
    const size = int('k.size', k.size, 1);
    const cpu = int('k.cpu', k.cpu);
    const asked = k.irqs ?? [];
    if (!Array.isArray(asked) || asked.length > 16)
      reject('HV_INVALID_COMMAND', { field: 'k.irqs', max: 16, reason: 'list_max' });
    const irqs = [...new Set(asked.map((x) => int('irq', x, 0, MAX_IRQ)))].sort((a, b) => a - b);
    // Self-service need not choose a physical base: the core places the range deterministically.
    const base = k.base === undefined ? placeRange(p, size) : int('k.base', k.base);
    if (base === null)
      reject('HV_CAPACITY_EXCEEDED', {
        provider: p.name,
        reason: 'no_contiguous_range',
        requested: size,
        resource: 'memory',
      });
    if (base + size > p.capacity.memory)
      reject('HV_CAPACITY_EXCEEDED', {
        limit: p.capacity.memory,
        provider: p.name,
        range: [base, base + size],
        reason: 'range_outside',
      });
    if (p.allocated.cpu + cpu > p.capacity.cpu)
      reject('HV_CAPACITY_EXCEEDED', {
        available: p.capacity.cpu - p.allocated.cpu,
        provider: p.name,
        requested: cpu,
        resource: 'cpu',
      });
    const clash = overlappingRange(p, base, base + size);
    // A clash with another tenant's range says only that the range is unavailable, never whose.
    if (clash)
      reject(
        'HV_MEMORY_OVERLAP',
        s.contracts[clash[2]]?.tenant === v.tenant
          ? { clash: [clash[0], clash[1]], provider: p.name, range: [base, base + size] }
          : { provider: p.name, range: [base, base + size], reason: 'unavailable' },
      );
    for (const irq of irqs)
      if (p.irqRoutes[String(irq)]) reject('HV_IRQ_CONFLICT', { irq, provider: p.name });
    draft.k = { base, cpu, irqs, size };
  } else if (d === 'Q') {
    const q = cmd.q;
    if (!q) reject('HV_INVALID_COMMAND', { domain: 'Q', field: 'q', reason: 'required' });
    const qubits = int('q.qubits', q.qubits, 1);
    const budget = int('q.budget', q.budget, 1);
    const cal = s.calibrations[text('q.calibration', q.calibration, 64)];
    if (!cal || cal.provider !== p.id)
      reject('Q_ERR_CALIBRATION_INVALID', {
        calibration: q.calibration as string,
        provider: p.name,
        reason: 'not_of_provider',
      });
    if (s.l < cal.from || s.l >= cal.until)
      reject('Q_ERR_CALIBRATION_INVALID', {
        calibration: cal.id,
        from: cal.from,
        l: s.l,
        reason: 'outside_validity',
        stage: 'contract',
        until: cal.until,
      });
    if (p.health !== 'ok') reject('Q_ERR_HARDWARE_FAILURE', { provider: p.name, stage: 'contract' });
    if (p.allocated.qubits + qubits > p.capacity.qubits)
      reject('Q_ERR_RESOURCE_UNAVAILABLE', {
        available: p.capacity.qubits - p.allocated.qubits,
        provider: p.name,
        requested: qubits,
        resource: 'qubits',
      });
    draft.q = { budget, calibration: cal.id, qubits };
  } else {
    const phi = cmd.phi;
    if (!phi) reject('HV_INVALID_COMMAND', { domain: 'PHI', field: 'phi', reason: 'required' });
    const start = int('phi.start', phi.start);
    const duration = int('phi.duration', phi.duration, 1, 1_000_000_000);
    const tolerance = int('phi.tolerance', phi.tolerance, 0, 10000);
    if (start + duration <= s.l)
      reject('PHI_ERR_COHERENCE_TIMEOUT', { end: start + duration, l: s.l, reason: 'window_closed', start });
    if (p.health !== 'ok') reject('PHI_ERR_HARDWARE_FAILURE', { provider: p.name, stage: 'contract' });
    if (p.allocated.envelopes + 1 > p.capacity.envelopes)
      reject('HV_CAPACITY_EXCEEDED', {
        available: p.capacity.envelopes - p.allocated.envelopes,
        provider: p.name,
        requested: 1,
        resource: 'envelopes',
      });
    for (const [, cid] of s.phiExpiry) {
      const o = s.contracts[cid]!;
      if (o.provider !== p.id || !o.phi) continue;
      const overlap = o.phi.start < start + duration && start < o.phi.start + o.phi.duration;
      if (overlap && o.vhm !== v.id && !phiShareAllowed(s, o.vhm, v.id))
        reject(
          'HV_WINDOW_OVERLAP',
          // Another tenant's window is not named: the requested one is unavailable, that is all.
          o.tenant === v.tenant
            ? { contract: o.id, provider: p.name, window: [o.phi.start, o.phi.start + o.phi.duration] }
            : { provider: p.name, reason: 'unavailable', window: [start, start + duration] },
        );
    }
    draft.phi = { duration, start, tolerance };
  }
  const need = contractQuota(draft);
  const over = quotaShortfall({ ...freeQuota(v), vhms: Number.MAX_SAFE_INTEGER }, v.used, need);
  if (over)
    reject('HV_QUOTA_EXCEEDED', {
      available: over.available,
      id: v.id,
      requested: over.requested,
      resource: over.resource,
      scope: 'vhm',
    });
  // All checks passed: commit.
  const id = nextId(ctx, 'contract');
  draft.id = id;
  s.contracts[id] = draft;
  v.contracts.push(id);
  addQuota(v.used, need);
  if (draft.k) {
    p.allocated.memory += draft.k.size;
    p.allocated.cpu += draft.k.cpu;
    insertRange(p, [draft.k.base, draft.k.base + draft.k.size, id]);
    for (const irq of draft.k.irqs) p.irqRoutes[String(irq)] = id;
  } else if (draft.q) {
    p.allocated.qubits += draft.q.qubits;
  } else if (draft.phi) {
    p.allocated.envelopes += 1;
    const end = draft.phi.start + draft.phi.duration;
    const list = s.phiExpiry;
    let i = list.length;
    while (i > 0 && (list[i - 1]![0] > end || (list[i - 1]![0] === end && byId(list[i - 1]![1], id) > 0)))
      i--;
    list.splice(i, 0, [end, id]);
  }
  ctx.touched.providers.add(p.id);
  ctx.touched.vhms.add(v.id);
  emit(ctx, {
    capability: cap.id,
    contract: id,
    domain: d,
    payload: {
      contract: id,
      k: draft.k ? { ...draft.k, irqs: [...draft.k.irqs] } : null,
      phi: draft.phi ? { ...draft.phi } : null,
      provider: p.id,
      q: draft.q ? { ...draft.q } : null,
    },
    tenant: v.tenant,
    type: 'contract.issued',
    vhm: v.id,
  });
}

export function activateContract(ctx: Ctx, cmd: CommandOf<'contract.activate'>): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  requireRunning(v);
  const c = ownContract(ctx, v, text('contract', cmd.contract, 64));
  const cap = useCapability(ctx, v, text('capability', cmd.capability, 64), ALLOC_RIGHT[c.domain]!);
  if (c.status !== 'issued')
    reject('HV_LIFECYCLE_INVALID', { id: c.id, kind: 'contract', needed: ['issued'], state: c.status });
  c.status = 'active';
  emit(ctx, {
    capability: cap.id,
    contract: c.id,
    domain: c.domain,
    payload: { contract: c.id },
    tenant: v.tenant,
    type: 'contract.activated',
    vhm: v.id,
  });
}

export function releaseContract(ctx: Ctx, cmd: CommandOf<'contract.release'>): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  const c = ownContract(ctx, v, text('contract', cmd.contract, 64));
  useCapability(ctx, v, text('capability', cmd.capability, 64), ALLOC_RIGHT[c.domain]!);
  if (c.status !== 'issued' && c.status !== 'active')
    reject('HV_LIFECYCLE_INVALID', { id: c.id, kind: 'contract', reason: 'already', state: c.status });
  endContract(ctx, c, 'released', 'released by request');
}

/** Operator revocation (XDV-023 §7): the contract ends, its binding is released, a fault is logged. */
export function revokeContract(ctx: Ctx, cmd: CommandOf<'contract.revoke'>): void {
  requireOperator(ctx, 'revoke_contracts');
  const id = text('contract', cmd.contract, 64);
  const c = ctx.state.contracts[id];
  if (!c) reject('HV_NOT_FOUND', { id, kind: 'contract' });
  if (c.status !== 'issued' && c.status !== 'active')
    reject('HV_LIFECYCLE_INVALID', { id: c.id, kind: 'contract', reason: 'already', state: c.status });
  const reason = text('reason', cmd.reason, 200);
  invalidateContract(
    ctx,
    c,
    'HV_CONTRACT_INVALID',
    { contract: c.id, note: reason, reason: 'operator_revoked' },
    false,
  );
}
