import { requireOperator } from '../engine/access.js';
import { type Ctx, emit } from '../engine/context.js';
import { int, text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';
import { invalidateContract, raiseFault, revokeCapability, terminateEnvelope } from './resources.js';

/** Operator fault injection (XDV-024, XDV-084 §10): each kind follows the same path a real fault takes. */
export function injectFault(ctx: Ctx, cmd: CommandOf<'fault.inject'>): void {
  requireOperator(ctx, 'inject_faults');
  const s = ctx.state;
  const target = text('target', cmd.target, 64);
  const amount = int('amount', cmd.amount ?? 0, 0, 1_000_000_000);
  switch (cmd.kind) {
    case 'decoherence_spike': {
      const c = s.contracts[target];
      if (c?.domain !== 'Q') reject('HV_NOT_FOUND', { id: target, kind: 'q_contract' });
      if (c.status !== 'active' && c.status !== 'issued')
        reject('HV_LIFECYCLE_INVALID', {
          id: c.id,
          kind: 'contract',
          needed: ['issued', 'active'],
          state: c.status,
        });
      if (amount < 1) reject('HV_INVALID_COMMAND', { field: 'amount', min: 1, reason: 'minimum' });
      emit(ctx, {
        contract: c.id,
        domain: 'Q',
        payload: { amount, kind: cmd.kind, target },
        tenant: c.tenant,
        type: 'fault.injected',
        vhm: c.vhm,
      });
      const remaining = c.q!.budget - c.consumed;
      if (amount > remaining) {
        invalidateContract(
          ctx,
          c,
          'Q_ERR_DECOHERENCE_EXCEEDED',
          { amount, contract: c.id, reason: 'injected_spike_exceeded', remaining },
          true,
        );
      } else {
        c.consumed += amount;
        raiseFault(ctx, {
          code: 'Q_ERR_DECOHERENCE_EXCEEDED',
          contract: c.id,
          domain: 'Q',
          injected: true,
          level: 'process',
          params: { amount, contract: c.id, reason: 'injected_spike' },
          provider: c.provider,
          vhm: c.vhm,
        });
      }
      return;
    }
    case 'instability': {
      const env = s.envelopes[target];
      if (!env?.live) reject('HV_NOT_FOUND', { id: target, kind: 'live_envelope' });
      if (amount > 10000)
        reject('HV_INVALID_COMMAND', { field: 'amount', max: 10000, min: 0, reason: 'basis_points' });
      const c = s.contracts[env.contract]!;
      emit(ctx, {
        contract: c.id,
        domain: 'PHI',
        payload: { amount, kind: cmd.kind, target },
        tenant: c.tenant,
        type: 'fault.injected',
        vhm: c.vhm,
      });
      env.lastStability = amount;
      if (amount < c.phi!.tolerance) {
        terminateEnvelope(ctx, env.id, 'PHI_ERR_STABILITY_BREACH');
        invalidateContract(
          ctx,
          c,
          'PHI_ERR_STABILITY_BREACH',
          { contract: c.id, reason: 'injected_instability', stability: amount, tolerance: c.phi!.tolerance },
          true,
        );
      }
      return;
    }
    case 'capability_revocation': {
      const cap = s.capabilities[target];
      if (!cap || cap.revoked) reject('HV_NOT_FOUND', { id: target, kind: 'valid_capability' });
      const v = s.vhms[cap.vhm]!;
      emit(ctx, {
        capability: cap.id,
        payload: { amount, kind: cmd.kind, target },
        tenant: v.tenant,
        type: 'fault.injected',
        vhm: v.id,
      });
      revokeCapability(ctx, cap.id, 'fault injection');
      raiseFault(ctx, {
        code: 'HV_CAP_REVOKED',
        contract: null,
        domain: null,
        injected: true,
        level: 'process',
        params: { capability: cap.id, reason: 'injected_revocation' },
        provider: null,
        vhm: v.id,
      });
      return;
    }
    case 'contract_invalidation': {
      const c = s.contracts[target];
      if (!c) reject('HV_NOT_FOUND', { id: target, kind: 'contract' });
      if (c.status !== 'active' && c.status !== 'issued')
        reject('HV_LIFECYCLE_INVALID', {
          id: c.id,
          kind: 'contract',
          needed: ['issued', 'active'],
          state: c.status,
        });
      emit(ctx, {
        contract: c.id,
        domain: c.domain,
        payload: { amount, kind: cmd.kind, target },
        tenant: c.tenant,
        type: 'fault.injected',
        vhm: c.vhm,
      });
      invalidateContract(
        ctx,
        c,
        'HV_CONTRACT_INVALID',
        { contract: c.id, reason: 'injected_invalidation' },
        true,
      );
      return;
    }
    default:
      reject('HV_INVALID_COMMAND', {
        allowed: ['decoherence_spike', 'instability', 'capability_revocation', 'contract_invalidation'],
        field: 'kind',
        reason: 'one_of',
      });
  }
}
