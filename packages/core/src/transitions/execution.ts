import { requireRunning, useCapability, writableVhm } from '../engine/access.js';
import { type Ctx, emit, nextId } from '../engine/context.js';
import type { Refusal } from '../engine/outcome.js';
import { int, text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';
import type { Binding, Domain, Vhm } from '../model/state.js';
import { invalidateContract, terminateEnvelope } from './resources.js';

function activeBinding(ctx: Ctx, v: Vhm, id: string, d: Domain): Binding {
  const b = ctx.state.bindings[id];
  if (!b || b.vhm !== v.id) reject('HV_NOT_FOUND', { id, kind: 'binding', vhm: v.id });
  if (b.domain !== d) reject('HV_DOMAIN_MISMATCH', { binding: b.id, found: b.domain, needed: d });
  if (b.state !== 'active')
    reject('HV_LIFECYCLE_INVALID', { id: b.id, kind: 'binding', needed: ['active'], state: b.state });
  return b;
}

/** A Q job: checked against calibration before execution, then charged to the decoherence budget. */
export function runQJob(ctx: Ctx, cmd: CommandOf<'q.job'>): Refusal | undefined {
  const s = ctx.state;
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  requireRunning(v);
  const b = activeBinding(ctx, v, text('binding', cmd.binding, 64), 'Q');
  const cap = useCapability(ctx, v, text('capability', cmd.capability, 64), 'EXECUTE_Q');
  const cost = int('cost', cmd.cost, 1, 1_000_000_000);
  const ops = Array.isArray(cmd.operations) ? cmd.operations.map((o) => text('operation', o, 32)) : [];
  const c = s.contracts[b.contract]!;
  const q = c.q!;
  const p = s.providers[c.provider]!;
  const cal = s.calibrations[q.calibration]!;
  if (s.l < cal.from || s.l >= cal.until)
    reject('Q_ERR_CALIBRATION_INVALID', {
      calibration: cal.id,
      from: cal.from,
      l: s.l,
      reason: 'outside_validity',
      stage: 'job',
      until: cal.until,
    });
  if (p.health !== 'ok') reject('Q_ERR_HARDWARE_FAILURE', { provider: p.name, stage: 'job' });
  const unsupported =
    p.features.operations.length > 0 ? ops.filter((o) => !p.features.operations.includes(o)) : [];
  if (unsupported.length > 0) reject('Q_ERR_GATE_UNSUPPORTED', { operations: unsupported, provider: p.name });
  const remaining = q.budget - c.consumed;
  if (cost > remaining) {
    emit(ctx, {
      capability: cap.id,
      contract: c.id,
      domain: 'Q',
      payload: { binding: b.id, code: 'Q_ERR_DECOHERENCE_EXCEEDED', cost, remaining },
      tenant: v.tenant,
      type: 'q.job.refused',
      vhm: v.id,
    });
    invalidateContract(
      ctx,
      c,
      'Q_ERR_DECOHERENCE_EXCEEDED',
      { contract: c.id, cost, reason: 'decoherence_exceeded', remaining },
      false,
    );
    return {
      params: { contract: c.id, cost, remaining },
      refused: 'Q_ERR_DECOHERENCE_EXCEEDED',
    };
  }
  c.consumed += cost;
  const job = nextId(ctx, 'job');
  emit(ctx, {
    capability: cap.id,
    contract: c.id,
    domain: 'Q',
    payload: {
      binding: b.id,
      container: b.container,
      cost,
      job,
      operations: ops,
      remaining: q.budget - c.consumed,
    },
    tenant: v.tenant,
    type: 'q.job.executed',
    vhm: v.id,
  });
  return undefined;
}

/** A Φ transform: only inside its coherence window; outside it the envelope is invalidated. */
export function runPhiTransform(ctx: Ctx, cmd: CommandOf<'phi.transform'>): Refusal | undefined {
  const s = ctx.state;
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  requireRunning(v);
  const b = activeBinding(ctx, v, text('binding', cmd.binding, 64), 'PHI');
  const cap = useCapability(ctx, v, text('capability', cmd.capability, 64), 'EXECUTE_PHI');
  const transform = text('transform', cmd.transform, 32);
  const impact = int('impact', cmd.impact, 0, 10000);
  const c = s.contracts[b.contract]!;
  const p = s.providers[c.provider]!;
  const env = s.envelopes[b.envelope!]!;
  if (p.features.operations.length > 0 && !p.features.operations.includes(transform))
    reject('PHI_ERR_TRANSFORM_UNSUPPORTED', { provider: p.name, transform });
  if (s.l < env.start || s.l >= env.end) {
    emit(ctx, {
      capability: cap.id,
      contract: c.id,
      domain: 'PHI',
      payload: {
        code: 'PHI_ERR_COHERENCE_TIMEOUT',
        end: env.end,
        envelope: env.id,
        l: s.l,
        start: env.start,
        transform,
      },
      tenant: v.tenant,
      type: 'phi.transform.refused',
      vhm: v.id,
    });
    terminateEnvelope(ctx, env.id, 'PHI_ERR_COHERENCE_TIMEOUT');
    invalidateContract(
      ctx,
      c,
      'PHI_ERR_COHERENCE_TIMEOUT',
      { end: env.end, envelope: env.id, l: s.l, reason: 'outside_window', start: env.start },
      false,
    );
    return {
      params: { end: env.end, envelope: env.id, l: s.l, reason: 'outside_window', start: env.start },
      refused: 'PHI_ERR_COHERENCE_TIMEOUT',
    };
  }
  emit(ctx, {
    capability: cap.id,
    contract: c.id,
    domain: 'PHI',
    payload: { envelope: env.id, impact, transform },
    tenant: v.tenant,
    type: 'phi.transform.applied',
    vhm: v.id,
  });
  return undefined;
}
