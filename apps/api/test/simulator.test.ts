import { createXdvClient, signReport } from '@xdv/client';
import { attempt, providerKeys, Simulator } from '@xdv/provider-sim';
import { describe, expect, it } from 'vitest';
import { startApi } from './harness.js';

// The simulated providers through the public API: deterministic for a seed, and each fault path
// (forged signature, expired calibration, stability breach) behaves as the spec requires.

async function traceOf(seed: number, steps: number): Promise<string[]> {
  const api = await startApi();
  try {
    const sim = new Simulator({
      driveClock: true,
      base: api.base,
      operatorToken: api.operator,
      seed,
      demo: true,
      rates: { spike: 150, breach: 150, hardware: 20 },
    });
    await sim.setup();
    for (let i = 0; i < steps; i++) await sim.step();
    const rows = await api.app.ledger.entries({ afterSeq: 0, limit: 100000 });
    return rows.map((e) => e.hash);
  } finally {
    await api.close();
  }
}

describe('simulated providers', () => {
  // Three fresh databases and 75 simulated steps: minutes on a loaded two-core machine.
  it('are deterministic: the same seed on fresh databases gives an identical trace', {
    timeout: 360_000,
  }, async () => {
    const a = await traceOf(7, 25);
    const b = await traceOf(7, 25);
    expect(a.length).toBeGreaterThan(300);
    expect(b).toEqual(a);
    const c = await traceOf(8, 25);
    expect(c).not.toEqual(a);
  });

  it('exercise the fault paths end to end: forged signature, expired calibration, stability breach', async () => {
    const api = await startApi();
    try {
      const sim = new Simulator({
        driveClock: true,
        base: api.base,
        operatorToken: api.operator,
        seed: 3,
        demo: true,
        rates: { spike: 0, breach: 0, hardware: 0 },
      });
      await sim.setup();
      const op = createXdvClient({ baseUrl: api.base, token: api.operator });
      const state = () => api.app.ledger.state;
      const aurora = sim.providers.find((p) => p.spec.name === 'qpu-aurora')!;
      // A report signed with the wrong key is refused, and the refusal is in the trace.
      const report = {
        provider: aurora.id!,
        seq: state().providers[aurora.id!]!.lastReportSeq + 1,
        qubits: [],
      };
      const forged = await attempt(
        op.POST('/v1/providers/{provider}/reports/q', {
          params: { path: { provider: aurora.id! } },
          body: signReport(report, providerKeys(999).secretKey),
        }),
      );
      expect(forged).toEqual({ ok: false, code: 'HV_SIGNATURE_INVALID' });
      const last = (await api.app.ledger.entries({ afterSeq: state().seq - 1 }))[0]!;
      expect(last.outcome).toBe('rejected');
      expect(last.payload.code).toBe('HV_SIGNATURE_INVALID');

      // A calibration that expires: a job on a contract under it is refused before execution.
      const web = Object.values(state().vhms).find((v) => v.name === 'web')!;
      const capability = web.capabilities[0]!;
      const cal = (
        await op.POST('/v1/providers/{provider}/calibrations', {
          params: { path: { provider: aurora.id! } },
          body: { from: 0, until: state().l + 3 },
        })
      ).created.calibration!;
      const contract = (
        await op.POST('/v1/vhms/{vhm}/contracts', {
          params: { path: { vhm: web.id } },
          body: {
            capability,
            domain: 'Q',
            provider: aurora.id!,
            q: { qubits: 1, budget: 10, calibration: cal },
          },
        })
      ).created.contract!;
      await op.POST('/v1/contracts/{contract}/activate', {
        params: { path: { contract } },
        body: { capability },
      });
      const binding = (
        await op.POST('/v1/vhms/{vhm}/bindings', {
          params: { path: { vhm: web.id } },
          body: { capability, contract },
        })
      ).created.binding!;
      await op.POST('/v1/bindings/{binding}/validate', {
        params: { path: { binding } },
        body: { capability },
      });
      await op.POST('/v1/bindings/{binding}/activate', {
        params: { path: { binding } },
        body: { capability },
      });
      await op.POST('/v1/clock/advance', { body: { ticks: 5 } });
      const job = await attempt(
        op.POST('/v1/bindings/{binding}/jobs', {
          params: { path: { binding } },
          body: { capability, cost: 1 },
        }),
      );
      expect(job).toEqual({ ok: false, code: 'Q_ERR_CALIBRATION_INVALID' });
      expect(state().contracts[contract]!.consumed).toBe(0);

      // A stability breach from the Φ provider terminates the envelope and escalates.
      const breaching = new Simulator({
        driveClock: true,
        base: api.base,
        operatorToken: api.operator,
        seed: 3,
        demo: false,
        rates: { spike: 0, breach: 1000, hardware: 0 },
      });
      await breaching.setup();
      const liveBefore = Object.values(state().envelopes)
        .filter((e) => e.live)
        .map((e) => e.id);
      expect(liveBefore.length).toBeGreaterThan(0);
      await breaching.step();
      const ended = liveBefore.filter((id) => !state().envelopes[id]!.live);
      expect(ended).toHaveLength(1);
      const env = state().envelopes[ended[0]!]!;
      expect(env.reason).toBe('PHI_ERR_STABILITY_BREACH');
      const fault = Object.values(state().faults).findLast(
        (x) => x.code === 'PHI_ERR_STABILITY_BREACH' && x.level === 'domain',
      );
      expect(fault?.contract).toBe(env.contract);
      expect(state().contracts[env.contract]!.status).toBe('revoked');
    } finally {
      await api.close();
    }
  });
});
