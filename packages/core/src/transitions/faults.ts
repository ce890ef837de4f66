import { requireOperator } from '../engine/access.js';
import { type Ctx, emit } from '../engine/context.js';
import { int, text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';
import { invalidateContract, raiseFault, revokeCapability, terminateEnvelope } from './resources.js';

/** Operator fault injection (XDV-024, XDV-084 §10): each kind follows the same path a real fault takes. */
export function injectFault(ctx: Ctx, cmd: CommandOf<'fault.inject'>): void {
  requireOperator(ctx, 'inject faults');
  const s = ctx.state;
  const target = text('target', cmd.target, 64);
  const amount = int('amount', cmd.amount ?? 0, 0, 1_000_000_000);
  switch (cmd.kind) {
    case 'decoherence_spike': {
      const c = s.contracts[target];
      if (c?.domain !== 'Q') reject('HV_NOT_FOUND', `Q contract ${target} does not exist.`);
      if (c.status !== 'active' && c.status !== 'issued')
        reject('HV_LIFECYCLE_INVALID', `${c.id} is ${c.status}.`);
      if (amount < 1) reject('HV_INVALID_COMMAND', 'A decoherence spike needs an amount of at least 1.');
      emit(ctx, {
        type: 'fault.injected',
        tenant: c.tenant,
        vhm: c.vhm,
        domain: 'Q',
        contract: c.id,
        payload: { kind: cmd.kind, target, amount },
      });
      const remaining = c.q!.budget - c.consumed;
      if (amount > remaining) {
        invalidateContract(
          ctx,
          c,
          'Q_ERR_DECOHERENCE_EXCEEDED',
          `Injected decoherence spike of ${amount} exceeded the remaining budget ${remaining}.`,
          true,
        );
      } else {
        c.consumed += amount;
        raiseFault(ctx, {
          level: 'process',
          code: 'Q_ERR_DECOHERENCE_EXCEEDED',
          vhm: c.vhm,
          provider: c.provider,
          contract: c.id,
          domain: 'Q',
          injected: true,
          message: `Injected decoherence spike consumed ${amount} of ${c.id}'s budget.`,
        });
      }
      return;
    }
    case 'instability': {
      const env = s.envelopes[target];
      if (!env?.live) reject('HV_NOT_FOUND', `Live Φ envelope ${target} does not exist.`);
      if (amount > 10000) reject('HV_INVALID_COMMAND', 'Stability is in basis points (0–10000).');
      const c = s.contracts[env.contract]!;
      emit(ctx, {
        type: 'fault.injected',
        tenant: c.tenant,
        vhm: c.vhm,
        domain: 'PHI',
        contract: c.id,
        payload: { kind: cmd.kind, target, amount },
      });
      env.lastStability = amount;
      if (amount < c.phi!.tolerance) {
        terminateEnvelope(ctx, env.id, 'PHI_ERR_STABILITY_BREACH');
        invalidateContract(
          ctx,
          c,
          'PHI_ERR_STABILITY_BREACH',
          `Injected instability: stability ${amount} bp below tolerance ${c.phi!.tolerance} bp.`,
          true,
        );
      }
      return;
    }
    case 'capability_revocation': {
      const cap = s.capabilities[target];
      if (!cap || cap.revoked) reject('HV_NOT_FOUND', `Valid capability ${target} does not exist.`);
      const v = s.vhms[cap.vhm]!;
      emit(ctx, {
        type: 'fault.injected',
        tenant: v.tenant,
        vhm: v.id,
        capability: cap.id,
        payload: { kind: cmd.kind, target, amount },
      });
      revokeCapability(ctx, cap.id, 'fault injection');
      raiseFault(ctx, {
        level: 'process',
        code: 'HV_CAP_REVOKED',
        vhm: v.id,
        provider: null,
        contract: null,
        domain: null,
        injected: true,
        message: `Capability ${cap.id} revoked during execution by fault injection.`,
      });
      return;
    }
    case 'contract_invalidation': {
      const c = s.contracts[target];
      if (!c) reject('HV_NOT_FOUND', `Contract ${target} does not exist.`);
      if (c.status !== 'active' && c.status !== 'issued')
        reject('HV_LIFECYCLE_INVALID', `${c.id} is ${c.status}.`);
      emit(ctx, {
        type: 'fault.injected',
        tenant: c.tenant,
        vhm: c.vhm,
        domain: c.domain,
        contract: c.id,
        payload: { kind: cmd.kind, target, amount },
      });
      invalidateContract(
        ctx,
        c,
        'HV_CONTRACT_INVALID',
        `Contract ${c.id} invalidated by fault injection.`,
        true,
      );
      return;
    }
    default:
      reject(
        'HV_INVALID_COMMAND',
        'kind must be decoherence_spike, instability, capability_revocation or contract_invalidation.',
      );
  }
}
