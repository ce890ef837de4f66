import { describe, expect, it } from 'vitest';
import { type CommandBody, renderMessage, scopeState } from '../src/index.js';
import { activeVhm, boundPhi, boundQ, fleet } from './world.js';

// A tenant learns nothing of another tenant: a foreign id answers exactly like one that never
// existed (same code, same params and message once the id is replaced), and a conflict says the
// resource is unavailable, never whose it is.

function answer(f: ReturnType<typeof fleet>, body: CommandBody) {
  const r = f.w.as(f.a2, body);
  expect(r.error).not.toBeNull();
  return {
    code: r.error!.code,
    params: r.error!.params,
    message: renderMessage(r.error!.code, r.error!.params),
  };
}

describe('foreign ids answer like ids that never existed', () => {
  const f = fleet();
  const q = boundQ(f);
  const b = activeVhm(f.w, f.a2, f.t2, 'b');
  const peer = activeVhm(f.w, f.a1, f.t1, 'peer');
  f.w.ok(f.a1, {
    type: 'ipc.open',
    a: f.vhm,
    capabilityA: f.root,
    b: peer.vhm,
    capabilityB: peer.root,
    rights: ['MSG'],
  });
  const ipc = Object.keys(f.w.state.ipcs)[0]!;
  const same = (make: (id: string) => CommandBody, foreign: string, missing: string) => {
    const a = answer(f, make(foreign));
    const m = answer(f, make(missing));
    expect(a.code).toBe(m.code);
    expect(JSON.stringify(a.params).replaceAll(foreign, 'ID')).toBe(
      JSON.stringify(m.params).replaceAll(missing, 'ID'),
    );
    expect(a.message.replaceAll(foreign, 'ID')).toBe(m.message.replaceAll(missing, 'ID'));
  };

  it('a capability, on use and on derive', () => {
    const alloc = (cap: string): CommandBody => ({
      type: 'contract.allocate',
      vhm: b.vhm,
      capability: cap,
      domain: 'K',
      provider: f.k,
      k: { base: 1 << 19, size: 16, cpu: 1, irqs: [] },
    });
    same(alloc, f.root, 'cap-777');
    same(
      (cap) => ({ type: 'cap.derive', vhm: b.vhm, capability: cap, rights: ['BIND_K'] }),
      f.root,
      'cap-777',
    );
    same((cap) => ({ type: 'cap.revoke', vhm: b.vhm, capability: cap }), f.root, 'cap-777');
    same(
      (cap) => ({ type: 'snapshot.take', vhm: b.vhm, capability: cap, include: ['K'] }),
      f.root,
      'cap-777',
    );
  });

  it('a contract, a binding, an IPC contract', () => {
    same(
      (c) => ({ type: 'binding.request', vhm: b.vhm, capability: b.root, contract: c }),
      q.contract,
      'contract-777',
    );
    same(
      (c) => ({ type: 'contract.release', vhm: b.vhm, capability: b.root, contract: c }),
      q.contract,
      'contract-777',
    );
    same(
      (x) => ({ type: 'q.job', vhm: b.vhm, capability: b.root, binding: x, cost: 1, operations: [] }),
      q.binding,
      'binding-777',
    );
    same((x) => ({ type: 'ipc.close', ipc: x }), ipc, 'ipc-777');
  });
});

describe('conflicts never name another tenant’s object', () => {
  it('a K range or a Φ window held by another tenant is just unavailable', () => {
    const f = fleet();
    f.w.ok(f.a1, {
      type: 'contract.allocate',
      vhm: f.vhm,
      capability: f.root,
      domain: 'K',
      provider: f.k,
      k: { base: 0, size: 4096, cpu: 1, irqs: [] },
    });
    const phi = boundPhi(f, 0, 100);
    const b = activeVhm(f.w, f.a2, f.t2, 'b');
    const k = answer(f, {
      type: 'contract.allocate',
      vhm: b.vhm,
      capability: b.root,
      domain: 'K',
      provider: f.k,
      k: { base: 1024, size: 16, cpu: 1, irqs: [] },
    });
    expect(k.code).toBe('HV_MEMORY_OVERLAP');
    expect(k.params).toEqual({ provider: 'host-a', range: [1024, 1040], reason: 'unavailable' });
    expect(k.message).toMatch(/unavailable to you/);
    const w = answer(f, {
      type: 'contract.allocate',
      vhm: b.vhm,
      capability: b.root,
      domain: 'PHI',
      provider: f.phi,
      phi: { start: 50, duration: 10, tolerance: 5000 },
    });
    expect(w.code).toBe('HV_WINDOW_OVERLAP');
    expect(w.params).toEqual({ provider: 'phi-1', reason: 'unavailable', window: [50, 60] });
    expect(JSON.stringify(w)).not.toContain(phi.contract);
    expect(w.message).not.toMatch(/IPC/);
  });

  it('a tenant sees its own allocation on shared providers, the operator the fleet’s', () => {
    const f = fleet();
    boundQ(f, f.vhm, f.root, 7);
    const b = activeVhm(f.w, f.a2, f.t2, 'b');
    boundQ(f, b.vhm, b.root, 3, 100, f.a2);
    const s = f.w.state;
    expect(s.providers[f.q]!.allocated.qubits).toBe(10);
    expect(scopeState(s, f.a1).providers[f.q]!.allocated.qubits).toBe(7);
    expect(scopeState(s, f.a2).providers[f.q]!.allocated.qubits).toBe(3);
    expect(scopeState(s, { kind: 'operator' }).providers[f.q]!.allocated.qubits).toBe(10);
  });
});

describe('self-service K placement', () => {
  it('places a K range at the lowest free base when none is given, deterministically, and refuses when none fits', () => {
    const f = fleet();
    const alloc = (vhm: string, cap: string, actor: typeof f.a1, k: Record<string, unknown>) =>
      f.w.as(actor, {
        type: 'contract.allocate',
        vhm,
        capability: cap,
        domain: 'K',
        provider: f.k,
        k,
      } as never);
    // The operator pins one range at 4096; the tenants place theirs.
    expect(alloc(f.vhm, f.root, f.a1, { base: 4096, size: 1024, cpu: 1, irqs: [] }).error).toBeNull();
    const a = alloc(f.vhm, f.root, f.a1, { size: 4096, cpu: 1 });
    expect(a.error).toBeNull();
    const ca = f.w.created(a, 'contract');
    expect(f.w.state.contracts[ca]!.k).toEqual({ base: 0, cpu: 1, irqs: [], size: 4096 });
    const b = activeVhm(f.w, f.a2, f.t2, 'b');
    const r = alloc(b.vhm, b.root, f.a2, { size: 100, cpu: 1 });
    expect(r.error).toBeNull();
    // After [0, 4096) and [4096, 5120): the first gap that fits.
    expect(f.w.state.contracts[f.w.created(r, 'contract')]!.k!.base).toBe(5120);
    const huge = alloc(b.vhm, b.root, f.a2, { size: 1 << 22, cpu: 0 });
    expect(huge.error?.code).toBe('HV_CAPACITY_EXCEEDED');
    expect(huge.error?.params).toEqual({
      provider: 'host-a',
      reason: 'no_contiguous_range',
      requested: 1 << 22,
      resource: 'memory',
    });
    expect(f.w.violations()).toEqual([]);
  });
});
