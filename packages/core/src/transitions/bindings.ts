import { ownContract, requireRunning, useCapability, writableVhm } from '../engine/access.js';
import { type Ctx, emit, nextId } from '../engine/context.js';
import { text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';
import type { Binding, Right, Vhm } from '../model/state.js';
import { releaseBinding } from './resources.js';

// Domain bindings (XDV-083 §5): requested → validated → active → released, each step
// capability-scoped and logged. Exported one by one as formal verification targets.

export const BIND_RIGHT: Record<string, Right> = { K: 'BIND_K', Q: 'ALLOC_Q', PHI: 'ALLOC_PHI' };

function ownBinding(ctx: Ctx, v: Vhm, id: string): Binding {
  const b = ctx.state.bindings[id];
  if (!b || b.vhm !== v.id) reject('HV_NOT_FOUND', { id, kind: 'binding', vhm: v.id });
  return b;
}

export function requestBinding(ctx: Ctx, cmd: CommandOf<'binding.request'>): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  requireRunning(v);
  const c = ownContract(ctx, v, text('contract', cmd.contract, 64));
  const cap = useCapability(ctx, v, text('capability', cmd.capability, 64), BIND_RIGHT[c.domain]!);
  if (c.status !== 'issued' && c.status !== 'active')
    reject('HV_CONTRACT_INVALID', { contract: c.id, needed: ['issued', 'active'], state: c.status });
  if (c.binding) reject('HV_CONFLICT', { binding: c.binding, contract: c.id, reason: 'contract_bound' });
  const id = nextId(ctx, 'binding');
  ctx.state.bindings[id] = {
    capability: cap.id,
    container: null,
    contract: c.id,
    domain: c.domain,
    envelope: null,
    history: [['requested', ctx.state.l]],
    id,
    state: 'requested',
    vhm: v.id,
  };
  c.binding = id;
  v.bindings.push(id);
  emit(ctx, {
    capability: cap.id,
    contract: c.id,
    domain: c.domain,
    payload: { binding: id },
    tenant: v.tenant,
    type: 'binding.requested',
    vhm: v.id,
  });
}

/** Validation: valid capability, valid contract of the same VHM, attested and healthy provider. */
export function validateBinding(ctx: Ctx, cmd: CommandOf<'binding.validate'>): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  requireRunning(v);
  const b = ownBinding(ctx, v, text('binding', cmd.binding, 64));
  const cap = useCapability(ctx, v, text('capability', cmd.capability, 64), BIND_RIGHT[b.domain]!);
  if (b.state !== 'requested')
    reject('HV_LIFECYCLE_INVALID', { id: b.id, kind: 'binding', needed: ['requested'], state: b.state });
  const c = ctx.state.contracts[b.contract]!;
  if (c.status !== 'issued' && c.status !== 'active')
    reject('HV_CONTRACT_INVALID', { contract: c.id, needed: ['issued', 'active'], state: c.status });
  const p = ctx.state.providers[c.provider]!;
  if (p.attestation !== 'attested')
    reject('HV_PROVIDER_UNATTESTED', { attestation: p.attestation, provider: p.name, reason: 'binding' });
  if (p.health !== 'ok')
    reject(c.domain === 'PHI' ? 'PHI_ERR_HARDWARE_FAILURE' : 'Q_ERR_HARDWARE_FAILURE', {
      provider: p.name,
      stage: 'binding',
    });
  b.state = 'validated';
  b.history.push(['validated', ctx.state.l]);
  emit(ctx, {
    capability: cap.id,
    contract: c.id,
    domain: b.domain,
    payload: { binding: b.id, provider: p.id },
    tenant: v.tenant,
    type: 'binding.validated',
    vhm: v.id,
  });
}

/** Activation needs an active contract. A Q binding gets its exclusive container, a Φ one its envelope. */
export function activateBinding(ctx: Ctx, cmd: CommandOf<'binding.activate'>): void {
  const s = ctx.state;
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  requireRunning(v);
  const b = ownBinding(ctx, v, text('binding', cmd.binding, 64));
  const cap = useCapability(ctx, v, text('capability', cmd.capability, 64), BIND_RIGHT[b.domain]!);
  if (b.state !== 'validated')
    reject('HV_LIFECYCLE_INVALID', { id: b.id, kind: 'binding', needed: ['validated'], state: b.state });
  const c = s.contracts[b.contract]!;
  if (c.status !== 'active')
    reject('HV_CONTRACT_INVALID', {
      contract: c.id,
      needed: ['active'],
      reason: 'activate_first',
      state: c.status,
    });
  const p = s.providers[c.provider]!;
  if (p.attestation !== 'attested')
    reject('HV_PROVIDER_UNATTESTED', { attestation: p.attestation, provider: p.name, reason: 'binding' });
  b.state = 'active';
  b.history.push(['active', s.l]);
  emit(ctx, {
    capability: cap.id,
    contract: c.id,
    domain: b.domain,
    payload: { binding: b.id },
    tenant: v.tenant,
    type: 'binding.activated',
    vhm: v.id,
  });
  if (c.domain === 'Q' && c.q) {
    const qc = nextId(ctx, 'qc');
    s.containers[qc] = {
      contract: c.id,
      createdL: s.l,
      id: qc,
      live: true,
      provider: p.id,
      qubits: c.q.qubits,
      vhm: v.id,
    };
    b.container = qc;
    emit(ctx, {
      contract: c.id,
      domain: 'Q',
      payload: { container: qc, provider: p.id, qubits: c.q.qubits },
      tenant: v.tenant,
      type: 'q.container.created',
      vhm: v.id,
    });
  } else if (c.domain === 'PHI' && c.phi) {
    const env = nextId(ctx, 'env');
    s.envelopes[env] = {
      contract: c.id,
      createdL: s.l,
      end: c.phi.start + c.phi.duration,
      endedL: null,
      id: env,
      lastStability: null,
      live: true,
      provider: p.id,
      reason: null,
      start: c.phi.start,
      vhm: v.id,
    };
    b.envelope = env;
    emit(ctx, {
      contract: c.id,
      domain: 'PHI',
      payload: { end: c.phi.start + c.phi.duration, envelope: env, provider: p.id, start: c.phi.start },
      tenant: v.tenant,
      type: 'phi.envelope.allocated',
      vhm: v.id,
    });
  } else if (c.domain === 'K') {
    v.host = p.id;
  }
}

export function releaseBindingCmd(ctx: Ctx, cmd: CommandOf<'binding.release'>): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  const b = ownBinding(ctx, v, text('binding', cmd.binding, 64));
  useCapability(ctx, v, text('capability', cmd.capability, 64), BIND_RIGHT[b.domain]!);
  if (b.state === 'released')
    reject('HV_LIFECYCLE_INVALID', { id: b.id, kind: 'binding', reason: 'already', state: b.state });
  releaseBinding(ctx, b, 'released by request');
}
