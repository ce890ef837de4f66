import { type Command, scenario } from '@xdv/core';
import { activeVhm, boundPhi, boundQ, fleet } from '../../core/test/world.js';

/**
 * A realistic command stream (tenants, providers, nested VHMs, Q and Φ bindings, a signed report,
 * capability revocation, rejections, termination cascade), and the state hash it ends in.
 */
export function richWorkload(): { commands: Command[]; finalHash: string; finalSeq: number } {
  const f = fleet();
  const { w } = f;
  const child = activeVhm(
    w,
    f.a1,
    f.t1,
    'child',
    { vhm: f.vhm, cap: f.root },
    scenario.quotaOf({ memory: 4096, cpu: 2, qubits: 5, envelopes: 1 }),
  );
  boundQ(f);
  const phi = boundPhi(f, 0, 1000);
  w.do({
    type: 'report.q',
    ...scenario.signedReport(
      { provider: f.q, seq: 1, qubits: [{ qubit: 0, t1: 10, t2: 100, fidelity: 9999, readoutError: 10 }] },
      3,
    ),
    actor: scenario.OPERATOR,
  } as Command);
  w.do({
    type: 'report.phi',
    ...scenario.signedReport(
      {
        provider: f.phi,
        seq: 1,
        envelopes: [{ envelope: phi.envelope, stability: 9000, noise: 10, drift: 10, impact: 5 }],
      },
      4,
    ),
    actor: scenario.OPERATOR,
  } as Command);
  const derived = w.created(
    w.ok(f.a1, { type: 'cap.derive', vhm: child.vhm, capability: child.root, rights: ['BIND_K'] }),
    'capability',
  );
  w.ok(f.a1, { type: 'cap.revoke', vhm: child.vhm, capability: child.root });
  w.as(f.a2, { type: 'vhm.pause', vhm: f.vhm }); // another tenant: rejected
  w.ok(f.a1, { type: 'process.spawn', vhm: f.vhm, capability: f.root, name: 'p1' });
  const other = activeVhm(w, f.a2, f.t2, 'other');
  boundQ(f, other.vhm, other.root, 20, 50, f.a2);
  w.ok(f.a1, { type: 'vhm.terminate', vhm: f.vhm });
  w.ok(f.a1, { type: 'vhm.release', vhm: f.vhm });
  w.op({ type: 'clock.advance', ticks: 5 });
  void derived;
  return { commands: w.commands, finalHash: w.snapshot(), finalSeq: w.state.seq };
}
