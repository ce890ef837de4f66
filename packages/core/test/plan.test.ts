import { describe, expect, it } from 'vitest';
import { nodeSha256 } from '../node/sha256.js';
import { admit, type PlanCommand, plan, renderMessage, stateHash } from '../src/index.js';
import { OPERATOR, quotaOf } from '../src/scenario/builder.js';
import { fleet } from './world.js';

const q = quotaOf({ memory: 4096, cpu: 2, qubits: 5, envelopes: 0 });

/** A VHM created, validated and activated, then a K contract in it: later steps name earlier ids. */
function vhmWithK(tenant: string, k: string): PlanCommand[] {
  return [
    { type: 'vhm.create', tenant, name: 'planned', quota: q, parent: null, capability: null },
    { type: 'vhm.validate', vhm: { $ref: '0.vhm' } },
    { type: 'vhm.activate', vhm: { $ref: '0.vhm' } },
    {
      type: 'contract.allocate',
      vhm: { $ref: '0.vhm' },
      capability: { $ref: '0.capability' },
      domain: 'K',
      provider: k,
      k: { size: 1024, cpu: 1 },
    },
  ];
}

describe('plan: a sequence of commands previewed as one', () => {
  it('applies every step to a copy, resolves placeholders, and reports deltas and invariants', () => {
    const f = fleet();
    const before = stateHash(f.w.state, nodeSha256);
    const p = plan(f.w.state, vhmWithK(f.t1, f.k), f.a1, { admit, hasher: nodeSha256 });
    expect(p.refused).toBeNull();
    expect(p.steps.map((s) => s.wouldBe)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    const vhm = p.steps[0]!.created.vhm!;
    expect(vhm).toMatch(/^vhm-\d+$/);
    expect(f.w.state.vhms[vhm]).toBeUndefined();
    // The placeholder became the id step 0 created, and the actor is the caller's own.
    expect(p.steps[3]!.command).toMatchObject({
      vhm,
      capability: p.steps[0]!.created.capability,
      actor: f.a1,
    });
    // Per step: the contract moves the provider's memory and the VHM's quota use.
    expect(p.steps[3]!.capacity).toContainEqual(
      expect.objectContaining({ provider: f.k, resource: 'memory', after: expect.any(Number) }),
    );
    const mem = p.steps[3]!.capacity.find((c) => c.resource === 'memory')!;
    expect(mem.after - mem.before).toBe(1024);
    expect(p.steps[3]!.quota).toContainEqual({
      vhm,
      resource: 'memory',
      before: 0,
      after: 1024,
      quota: 4096,
    });
    // Over the whole plan: the same deltas, from the committed state to after the last step.
    expect(p.capacity.find((c) => c.resource === 'memory')!.before).toBe(mem.before);
    expect(p.invariants.violations).toEqual([]);
    expect(p.invariants.checked).toBeGreaterThan(10);
    // Entries continue the chain seq by seq.
    const seqs = p.steps.flatMap((s) => s.entries.map((e) => e.seq));
    expect(seqs).toEqual(seqs.map((_, i) => f.w.state.seq + 1 + i));
    // Nothing was committed.
    expect(stateHash(f.w.state, nodeSha256)).toBe(before);
  });

  it('is deterministic: the same state and commands give the same plan', () => {
    const f = fleet();
    const a = plan(f.w.state, vhmWithK(f.t1, f.k), f.a1);
    const b = plan(f.w.state, vhmWithK(f.t1, f.k), f.a1);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('stops at the first refused step with its code, params and step index', () => {
    const f = fleet();
    const cmds = vhmWithK(f.t1, f.k);
    // More memory than the VHM's quota: the contract step is refused.
    cmds[3] = { ...cmds[3]!, k: { size: 1 << 20, cpu: 1 } };
    cmds.push({ type: 'vhm.pause', vhm: { $ref: '0.vhm' } });
    const p = plan(f.w.state, cmds, f.a1);
    expect(p.refused).toMatchObject({ step: 3, code: 'HV_QUOTA_EXCEEDED' });
    expect(p.steps).toHaveLength(4);
    expect(p.steps[3]!.wouldBe).toBe('rejected');
    expect(renderMessage(p.refused!.code, p.refused!.params)).toMatch(/quota/i);
  });

  it('refuses a placeholder no earlier accepted step created, without stepping it', () => {
    const f = fleet();
    for (const ref of ['1.vhm', '0.binding', 'x', 7] as const) {
      const p = plan(
        f.w.state,
        [
          { type: 'vhm.create', tenant: f.t1, name: 'n', quota: q, parent: null, capability: null },
          { type: 'vhm.validate', vhm: { $ref: ref } },
        ],
        f.a1,
      );
      expect(p.refused).toEqual({
        step: 1,
        code: 'HV_INVALID_COMMAND',
        params: {
          field: 'commands.1.vhm',
          reason: 'unresolved_ref',
          ref: typeof ref === 'string' ? ref : null,
          step: 1,
        },
      });
      expect(p.steps).toHaveLength(1);
      expect(renderMessage('HV_INVALID_COMMAND', p.refused!.params)).toContain('commands.1.vhm');
    }
  });

  it('scopes every step to the caller: a tenant cannot plan within another tenant', () => {
    const f = fleet();
    // Tenant 2 names tenant 1's VHM: refused exactly as the single command would be.
    const p = plan(f.w.state, [{ type: 'vhm.pause', vhm: f.vhm }], f.a2);
    const single = plan(f.w.state, [{ type: 'vhm.pause', vhm: 'vhm-999999' }], f.a2);
    expect(p.refused?.code).toBe(single.refused?.code);
    expect(JSON.stringify(p.refused?.params).replaceAll(f.vhm, 'vhm-999999')).toBe(
      JSON.stringify(single.refused?.params),
    );
    // An `actor` inside a command body is overridden by the caller's.
    const forged = plan(f.w.state, [{ type: 'tenant.create', name: 'x', quota: q, actor: OPERATOR }], f.a2);
    expect(forged.refused?.code).toBe('HV_FORBIDDEN');
  });
});
