import { describe, expect, it } from 'vitest';
import { quotaOf } from '../src/scenario/builder.js';
import { activeVhm, boundPhi, boundQ, fleet, World } from './world.js';

describe('a whole VHM life', () => {
  it('creates, nests, binds Q and Φ, terminates the tree and releases it with every invariant intact', () => {
    const f = fleet();
    const { w } = f;
    expect(w.state.vhms[f.vhm]!.state).toBe('active');
    const child = activeVhm(
      w,
      f.a1,
      f.t1,
      'child',
      { vhm: f.vhm, cap: f.root },
      quotaOf({ memory: 4096, cpu: 2, qubits: 5, envelopes: 1 }),
    );
    expect(w.state.vhms[child.vhm]!.depth).toBe(2);
    expect(w.state.vhms[f.vhm]!.carved.qubits).toBe(5);
    const q = boundQ(f);
    const phi = boundPhi(f, 0, 1000);
    const qc = w.state.bindings[q.binding]!.container!;
    expect(w.state.containers[qc]!.live).toBe(true);
    expect(w.state.envelopes[phi.envelope]!.live).toBe(true);
    expect(w.state.providers[f.q]!.allocated.qubits).toBe(10);
    const r = w.ok(f.a1, { type: 'vhm.terminate', vhm: f.vhm });
    const types = r.entries.map((e) => e.type);
    // Children first: the nested VHM terminates before its parent.
    expect(types.indexOf('vhm.terminated')).toBeLessThan(types.lastIndexOf('vhm.terminated'));
    expect(r.entries.find((e) => e.type === 'vhm.terminated')!.vhm).toBe(child.vhm);
    expect(w.state.containers[qc]!.live).toBe(false);
    expect(w.state.providers[f.q]!.allocated.qubits).toBe(0);
    expect(w.state.providers[f.phi]!.allocated.envelopes).toBe(0);
    expect(w.state.vhms[child.vhm]!.state).toBe('terminated');
    w.ok(f.a1, { type: 'vhm.release', vhm: f.vhm });
    expect(w.state.vhms[child.vhm]!.state).toBe('released');
    expect(w.state.tenants[f.t1]!.carved.vhms).toBe(0);
    expect(w.violations()).toEqual([]);
  });

  it('seals a gap-free hash chain in which only clock ticks move L', () => {
    const w = new World();
    w.op({ type: 'tenant.create', name: 'a', quota: quotaOf({ vhms: 1 }) });
    w.op({ type: 'clock.advance', ticks: 3 });
    w.op({ type: 'tenant.create', name: 'a', quota: quotaOf({ vhms: 1 }) });
    const es = w.entries();
    es.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      if (i > 0) expect(e.prev).toBe(es[i - 1]!.hash);
    });
    // genesis (2 entries), tenant.create (2), clock.advance (2), the refused tenant.create (1).
    expect(es.map((e) => e.l)).toEqual([0, 0, 0, 0, 3, 3, 3]);
    expect(es.slice(0, 2).map((e) => e.payload.protocol ?? null)).toEqual([null, 2]);
    expect(es[6]!.outcome).toBe('rejected');
    expect(es[6]!.payload.code).toBe('HV_CONFLICT');
  });
});
