import { describe, expect, it } from 'vitest';
import { alertGroups, alertViews, attentionOf, type State, scopeState } from '../src/index.js';
import { OPERATOR, signedReport } from '../src/scenario/builder.js';
import { rejects } from './expect.js';
import { boundPhi, boundQ, type Fleet, fleet } from './world.js';

const QPU = { kind: 'provider', name: 'qpu-1' } as const;
const PHI = { kind: 'provider', name: 'phi-1' } as const;

function reportQ(f: Fleet, seq: number, t1: number, readoutError = 100) {
  const r = signedReport(
    { provider: f.q, seq, qubits: [{ qubit: 3, t1, t2: 80, fidelity: 9990, readoutError }] },
    3,
  );
  return f.w.ok(QPU, { type: 'report.q', ...r });
}

function status(s: State, id: string) {
  return alertViews(s).find((a) => a.id === id);
}

describe('the alert lifecycle', () => {
  it('fires on a breach and resolves when a later report has the metric back in range', () => {
    const f = fleet();
    reportQ(f, 1, 10, 400);
    expect(alertViews(f.w.state).map((a) => [a.id, a.metric, a.status])).toEqual([
      ['alert-1', 't1', 'firing'],
      ['alert-2', 'readoutError', 'firing'],
    ]);
    // Still breaching T1, readout error back under its maximum: only that alert resolves.
    f.w.op({ type: 'clock.advance', ticks: 2 });
    reportQ(f, 2, 20, 100);
    expect(status(f.w.state, 'alert-1')?.status).toBe('firing');
    expect(status(f.w.state, 'alert-2')).toMatchObject({
      status: 'resolved',
      resolution: 'back_in_range',
      resolvedAt: 2,
    });
    expect(status(f.w.state, 'alert-3')?.status).toBe('firing');
    f.w.op({ type: 'clock.advance', ticks: 1 });
    reportQ(f, 3, 100);
    expect(alertViews(f.w.state).map((a) => a.status)).toEqual(['resolved', 'resolved', 'resolved']);
    expect(f.w.violations()).toEqual([]);
  });

  it('resolves an envelope alert when the envelope ends, and rates a stability breach critical', () => {
    const f = fleet();
    const { envelope } = boundPhi(f, 0, 100, 8000);
    const r = signedReport(
      { provider: f.phi, seq: 1, envelopes: [{ envelope, stability: 100, noise: 0, drift: 0, impact: 0 }] },
      4,
    );
    f.w.ok(PHI, { type: 'report.phi', ...r });
    const [a] = alertViews(f.w.state);
    // The breach terminated the envelope: nothing is left to fix, so the alert is not firing.
    expect(a).toMatchObject({
      metric: 'stability',
      severity: 'critical',
      status: 'resolved',
      resolution: 'subject_ended',
    });
    expect(attentionOf(f.w.state).filter((i) => i.kind === 'alert')).toEqual([]);
  });

  it('groups alerts by subject, firing and critical first', () => {
    const f = fleet();
    reportQ(f, 1, 10, 400);
    f.w.op({ type: 'clock.advance', ticks: 1 });
    reportQ(f, 2, 10);
    const groups = alertGroups(f.w.state);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      key: `${f.q}/qubit 3`,
      status: 'firing',
      severity: 'warning',
      firing: 2,
      total: 3,
      metrics: ['t1', 'readoutError'],
      firingIds: ['alert-1', 'alert-3'],
      acknowledged: false,
    });
  });
});

describe('alert.acknowledge', () => {
  it('records the operator and the note in the trace, once', () => {
    const f = fleet();
    reportQ(f, 1, 10);
    const before = f.w.state.alerts['alert-1']!;
    expect(before.ack).toBeUndefined();
    const r = f.w.ok(OPERATOR, {
      type: 'alert.acknowledge',
      alert: 'alert-1',
      note: 'recalibrating qubit 3',
    });
    expect(r.entries.map((e) => [e.type, e.outcome])).toEqual([
      ['alert.acknowledge', 'accepted'],
      ['alert.acknowledged', 'effect'],
    ]);
    expect(r.entries[1]!.payload).toEqual({ alert: 'alert-1', note: 'recalibrating qubit 3' });
    expect(f.w.state.alerts['alert-1']!.ack).toEqual({ l: 0, note: 'recalibrating qubit 3' });
    // Acknowledged but still firing: it leaves the attention strip, not the alert list.
    expect(alertGroups(f.w.state)[0]).toMatchObject({ status: 'firing', acknowledged: true });
    expect(attentionOf(f.w.state).some((i) => i.kind === 'alert')).toBe(false);
    // A later breach of the same subject is new: the group needs someone again.
    f.w.op({ type: 'clock.advance', ticks: 1 });
    reportQ(f, 2, 11);
    expect(alertGroups(f.w.state)[0]).toMatchObject({
      firing: 2,
      acknowledged: false,
      firingIds: ['alert-1', 'alert-2'],
    });
    expect(attentionOf(f.w.state).some((i) => i.kind === 'alert')).toBe(true);
    const again = rejects(
      f.w,
      OPERATOR,
      { type: 'alert.acknowledge', alert: 'alert-1', note: 'x' },
      'HV_CONFLICT',
    );
    expect(again).toMatchObject({ alert: 'alert-1', reason: 'alert_acknowledged' });
  });

  it('refuses tenants, unknown ids and empty notes, changing nothing but the record of the refusal', () => {
    const f = fleet();
    reportQ(f, 1, 10);
    const domain = f.w.domainHash();
    rejects(f.w, f.a1, { type: 'alert.acknowledge', alert: 'alert-1', note: 'seen' }, 'HV_FORBIDDEN');
    rejects(f.w, OPERATOR, { type: 'alert.acknowledge', alert: 'alert-9', note: 'seen' }, 'HV_NOT_FOUND');
    rejects(f.w, OPERATOR, { type: 'alert.acknowledge', alert: 'alert-1', note: '' }, 'HV_INVALID_COMMAND');
    expect(f.w.domainHash()).toBe(domain);
  });
});

describe('the attention list', () => {
  it('names VHMs fault escalation paused, stale providers and unacknowledged firing alerts', () => {
    const f = fleet();
    // Nothing reported yet, but only just registered: not stale.
    expect(attentionOf(f.w.state)).toEqual([]);
    f.w.op({ type: 'clock.advance', ticks: 11 });
    const stale = attentionOf(f.w.state).filter((i) => i.kind === 'provider_stale');
    expect(stale.map((i) => (i.kind === 'provider_stale' ? i.name : ''))).toEqual(['qpu-1', 'phi-1']);
    reportQ(f, 1, 10);
    const kinds = attentionOf(f.w.state).map((i) => i.kind);
    expect(kinds).toEqual(['provider_stale', 'alert']);
    // Three domain faults in one VHM escalate: each spike exhausts a Q contract's budget.
    for (let i = 0; i < 3; i++) {
      const { contract } = boundQ(f, f.vhm, f.root, 2, 10);
      f.w.ok(OPERATOR, { type: 'fault.inject', kind: 'decoherence_spike', target: contract, amount: 1000 });
    }
    expect(attentionOf(f.w.state)[0]).toMatchObject({ kind: 'vhm_paused', vhm: f.vhm, action: 'resume' });
  });

  it('shows a tenant only what its scoped state holds', () => {
    const f = fleet();
    const { envelope } = boundPhi(f, 0, 100, 8000);
    const r = signedReport(
      {
        provider: f.phi,
        seq: 1,
        envelopes: [{ envelope, stability: 9000, noise: 2000, drift: 0, impact: 0 }],
      },
      4,
    );
    f.w.ok(PHI, { type: 'report.phi', ...r });
    expect(attentionOf(f.w.state).filter((i) => i.kind === 'alert')).toHaveLength(1);
    expect(attentionOf(scopeState(f.w.state, f.a1)).filter((i) => i.kind === 'alert')).toHaveLength(1);
    expect(attentionOf(scopeState(f.w.state, f.a2)).filter((i) => i.kind === 'alert')).toHaveLength(0);
  });
});
