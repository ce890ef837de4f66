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
import { addQuota, quotaOverflow } from '../model/quota.js';
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
  if (p.domain !== d) reject('HV_DOMAIN_MISMATCH', `${p.name} is a ${p.domain} provider, not ${d}.`);
  if (p.attestation !== 'attested') reject('HV_PROVIDER_UNATTESTED', `${p.name} is not attested.`);
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
    if (!k) reject('HV_INVALID_COMMAND', 'A K contract needs k: { base, size, cpu, irqs }.');
    const base = int('k.base', k.base);
    const size = int('k.size', k.size, 1);
    const cpu = int('k.cpu', k.cpu);
    if (!Array.isArray(k.irqs) || k.irqs.length > 16)
      reject('HV_INVALID_COMMAND', 'k.irqs must be a list of at most 16 vectors.');
    const irqs = [...new Set(k.irqs.map((x) => int('irq', x, 0, MAX_IRQ)))].sort((a, b) => a - b);
    if (base + size > p.capacity.memory)
      reject(
        'HV_CAPACITY_EXCEEDED',
        `Range [${base}, ${base + size}) lies outside ${p.name}'s ${p.capacity.memory} bytes.`,
      );
    if (p.allocated.cpu + cpu > p.capacity.cpu)
      reject(
        'HV_CAPACITY_EXCEEDED',
        `${p.name} has ${p.capacity.cpu - p.allocated.cpu} CPU slices free; ${cpu} requested.`,
      );
    const clash = overlappingRange(p, base, base + size);
    if (clash)
      reject(
        'HV_MEMORY_OVERLAP',
        `Range [${base}, ${base + size}) overlaps [${clash[0]}, ${clash[1]}) already held on ${p.name}.`,
      );
    for (const irq of irqs)
      if (p.irqRoutes[String(irq)])
        reject('HV_IRQ_CONFLICT', `Interrupt vector ${irq} on ${p.name} is already routed.`);
    draft.k = { base, cpu, irqs, size };
  } else if (d === 'Q') {
    const q = cmd.q;
    if (!q) reject('HV_INVALID_COMMAND', 'A Q contract needs q: { qubits, budget, calibration }.');
    const qubits = int('q.qubits', q.qubits, 1);
    const budget = int('q.budget', q.budget, 1);
    const cal = s.calibrations[text('q.calibration', q.calibration, 64)];
    if (!cal || cal.provider !== p.id)
      reject(
        'Q_ERR_CALIBRATION_INVALID',
        `Calibration ${q.calibration} is not a calibration contract of ${p.name}.`,
      );
    if (s.l < cal.from || s.l >= cal.until)
      reject(
        'Q_ERR_CALIBRATION_INVALID',
        `Calibration ${cal.id} is valid over [${cal.from}, ${cal.until}); L is ${s.l}.`,
      );
    if (p.health !== 'ok')
      reject('Q_ERR_HARDWARE_FAILURE', `${p.name} reported a hardware failure; choose another provider.`);
    if (p.allocated.qubits + qubits > p.capacity.qubits)
      reject(
        'Q_ERR_RESOURCE_UNAVAILABLE',
        `${p.name} has ${p.capacity.qubits - p.allocated.qubits} qubits free; ${qubits} requested.`,
      );
    draft.q = { budget, calibration: cal.id, qubits };
  } else {
    const phi = cmd.phi;
    if (!phi) reject('HV_INVALID_COMMAND', 'A Φ contract needs phi: { start, duration, tolerance }.');
    const start = int('phi.start', phi.start);
    const duration = int('phi.duration', phi.duration, 1, 1_000_000_000);
    const tolerance = int('phi.tolerance', phi.tolerance, 0, 10000);
    if (start + duration <= s.l)
      reject(
        'PHI_ERR_COHERENCE_TIMEOUT',
        `The window [${start}, ${start + duration}) has already closed at L ${s.l}.`,
      );
    if (p.health !== 'ok')
      reject('PHI_ERR_HARDWARE_FAILURE', `${p.name} reported a hardware failure; choose another provider.`);
    if (p.allocated.envelopes + 1 > p.capacity.envelopes)
      reject('HV_CAPACITY_EXCEEDED', `${p.name} has no free envelope (capacity ${p.capacity.envelopes}).`);
    for (const [, cid] of s.phiExpiry) {
      const o = s.contracts[cid]!;
      if (o.provider !== p.id || !o.phi) continue;
      const overlap = o.phi.start < start + duration && start < o.phi.start + o.phi.duration;
      if (overlap && o.vhm !== v.id && !phiShareAllowed(s, o.vhm, v.id))
        reject(
          'HV_WINDOW_OVERLAP',
          `The window overlaps ${o.id}'s [${o.phi.start}, ${o.phi.start + o.phi.duration}) on ${p.name}; open an IPC contract with PHI_SHARE to share it.`,
        );
    }
    draft.phi = { duration, start, tolerance };
  }
  const need = contractQuota(draft);
  const over = quotaOverflow({ ...freeQuota(v), vhms: Number.MAX_SAFE_INTEGER }, v.used, need);
  if (over) reject('HV_QUOTA_EXCEEDED', `${v.id} has no ${over} quota left for this contract.`);
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
    reject('HV_LIFECYCLE_INVALID', `${c.id} is ${c.status}; only an issued contract can be activated.`);
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
    reject('HV_LIFECYCLE_INVALID', `${c.id} is already ${c.status}.`);
  endContract(ctx, c, 'released', 'released by request');
}

/** Operator revocation (XDV-023 §7): the contract ends, its binding is released, a fault is logged. */
export function revokeContract(ctx: Ctx, cmd: CommandOf<'contract.revoke'>): void {
  requireOperator(ctx, 'revoke contracts');
  const id = text('contract', cmd.contract, 64);
  const c = ctx.state.contracts[id];
  if (!c) reject('HV_NOT_FOUND', `Contract ${id} does not exist.`);
  if (c.status !== 'issued' && c.status !== 'active')
    reject('HV_LIFECYCLE_INVALID', `${c.id} is already ${c.status}.`);
  const reason = text('reason', cmd.reason, 200);
  invalidateContract(ctx, c, 'HV_CONTRACT_INVALID', `Revoked by operator: ${reason}`, false);
}
