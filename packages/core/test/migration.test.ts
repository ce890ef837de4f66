import { describe, expect, it } from 'vitest';
import type { CommandBody } from '../src/index.js';
import { signedReport } from '../src/scenario/builder.js';
import { rejects } from './expect.js';
import { boundPhi, boundQ, type Fleet, fleet } from './world.js';

// Φ live migration (XDV-083 §9.3): an envelope moves live only when the provider supports it, the
// contract is named for transfer, its stability guarantee holds and its coherence window is
// renegotiated; by default it is terminated and reinitialised. Nothing asked is ever ignored.

const PHI_PROVIDER_SEED = 4;

function stability(f: Fleet, envelope: string, value: number, seq = 1): void {
  const r = f.w.as(
    { kind: 'provider', name: 'phi-1' },
    {
      type: 'report.phi',
      ...signedReport(
        { provider: f.phi, seq, envelopes: [{ envelope, stability: value, noise: 0, drift: 0, impact: 0 }] },
        PHI_PROVIDER_SEED,
      ),
    },
  );
  if (r.error) throw new Error(`report refused: ${r.error.code}`);
}

function migrate(f: Fleet, extra: Partial<Extract<CommandBody, { type: 'vhm.migrate' }>>): CommandBody {
  return {
    type: 'vhm.migrate',
    vhm: f.vhm,
    capability: f.root,
    target: f.k2,
    qPolicy: 'reinit',
    transferContracts: [],
    ...extra,
  };
}

describe('Φ migration', () => {
  it('terminates and reinitialises an envelope by default, over the same window', () => {
    const f = fleet({ liveTransfer: true });
    const phi = boundPhi(f, 0, 100);
    const r = f.w.ok(f.a1, migrate(f, {}));
    expect(f.w.state.envelopes[phi.envelope]!.live).toBe(false);
    const now = f.w.state.bindings[phi.binding]!.envelope!;
    expect(now).not.toBe(phi.envelope);
    expect(f.w.state.envelopes[now]).toMatchObject({ start: 0, end: 100, live: true, lastStability: null });
    expect(r.entries.map((e) => e.type)).toContain('phi.envelope.allocated');
    expect(f.w.state.migrations['mig-1']).toMatchObject({ phiPolicy: 'reinit', reinitialised: [now] });
    expect(f.w.violations()).toEqual([]);
  });

  it('moves an envelope live when supported, named, stable, with its window renegotiated to [L, end)', () => {
    const f = fleet({ liveTransfer: true });
    const phi = boundPhi(f, 0, 100, 8000);
    stability(f, phi.envelope, 9000);
    f.w.op({ type: 'clock.advance', ticks: 30 });
    const r = f.w.ok(f.a1, migrate(f, { phiPolicy: 'live', transferContracts: [phi.contract] }));
    const env = f.w.state.envelopes[phi.envelope]!;
    expect(f.w.state.bindings[phi.binding]!.envelope).toBe(phi.envelope);
    expect(env).toMatchObject({ live: true, start: 30, end: 100, lastStability: 9000 });
    expect(f.w.state.contracts[phi.contract]!.phi).toEqual({ start: 30, duration: 70, tolerance: 8000 });
    const moved = r.entries.find((e) => e.type === 'phi.envelope.transferred')!;
    expect(moved.payload).toEqual({
      end: 100,
      envelope: phi.envelope,
      stability: 9000,
      start: 30,
      tolerance: 8000,
      transferContract: phi.contract,
    });
    expect(f.w.state.migrations['mig-1']).toMatchObject({ phiPolicy: 'live', transferred: [phi.envelope] });
    expect(f.w.violations()).toEqual([]);
    // The window still closes where it always would.
    f.w.op({ type: 'clock.advance', ticks: 70 });
    expect(f.w.state.envelopes[phi.envelope]!.live).toBe(false);
    expect(f.w.violations()).toEqual([]);
  });

  it('refuses what it cannot honour, and changes nothing', () => {
    const f = fleet({ liveTransfer: true });
    const phi = boundPhi(f, 0, 100, 8000);
    const q = boundQ(f);
    // Named for transfer with the reinit policy: refused, not ignored (it used to be ignored).
    rejects(f.w, f.a1, migrate(f, { transferContracts: [phi.contract] }), 'HV_MIGRATION_UNSUPPORTED');
    rejects(f.w, f.a1, migrate(f, { transferContracts: [q.contract] }), 'HV_MIGRATION_UNSUPPORTED');
    // Live without naming the contract.
    stability(f, phi.envelope, 9000);
    rejects(f.w, f.a1, migrate(f, { phiPolicy: 'live' }), 'HV_MIGRATION_UNSUPPORTED');
    // Unknown or foreign contract ids answer alike.
    rejects(f.w, f.a1, migrate(f, { phiPolicy: 'live', transferContracts: ['contract-99'] }), 'HV_NOT_FOUND');
    // A bad policy value.
    rejects(f.w, f.a1, migrate(f, { phiPolicy: 'teleport' as 'live' }), 'HV_INVALID_COMMAND');
    expect(f.w.state.envelopes[phi.envelope]!.live).toBe(true);
    // A reading below tolerance ends the envelope (XDV-033): there is nothing left to move live.
    stability(f, phi.envelope, 7000, 2);
    expect(f.w.state.envelopes[phi.envelope]!.live).toBe(false);
    rejects(f.w, f.a1, migrate(f, { phiPolicy: 'live', transferContracts: [phi.contract] }), 'HV_NOT_FOUND');
    expect(f.w.violations()).toEqual([]);
  });

  it('refuses live Φ migration on a provider without support, or an envelope never reported', () => {
    const f = fleet();
    const phi = boundPhi(f, 0, 100, 8000);
    rejects(
      f.w,
      f.a1,
      migrate(f, { phiPolicy: 'live', transferContracts: [phi.contract] }),
      'HV_MIGRATION_UNSUPPORTED',
    );
    const g = fleet({ liveTransfer: true });
    const gphi = boundPhi(g, 0, 100, 8000);
    rejects(
      g.w,
      g.a1,
      migrate(g, { phiPolicy: 'live', transferContracts: [gphi.contract] }),
      'HV_MIGRATION_UNSUPPORTED',
    );
  });
});
