import { describe, expect, it } from 'vitest';
import { type Actor, DEFAULT_CONFIG, ERROR_CODES, MESSAGES, renderMessage } from '../src/index.js';
import { OPERATOR, quotaOf, registerCmd, registration, signedReport } from '../src/scenario/builder.js';
import { isCanonicalOrder } from '../src/trace/canonical.js';
import { messageOf, rejects, SEEN_REJECTIONS } from './expect.js';
import { activeVhm, boundPhi, boundQ, fleet, World } from './world.js';

const viewer = (tenant: string): Actor => ({ kind: 'tenant', tenant, role: 'viewer' });

describe('administration', () => {
  it('refuses a second genesis, tenant actions by tenants, duplicates and bad quotas', () => {
    const f = fleet();
    rejects(f.w, OPERATOR, { type: 'genesis', config: DEFAULT_CONFIG }, 'HV_LIFECYCLE_INVALID');
    rejects(f.w, f.a1, { type: 'tenant.create', name: 'x', quota: quotaOf({}) }, 'HV_FORBIDDEN');
    rejects(f.w, OPERATOR, { type: 'tenant.create', name: 'acme', quota: quotaOf({}) }, 'HV_CONFLICT');
    rejects(
      f.w,
      OPERATOR,
      { type: 'tenant.create', name: 'neg', quota: quotaOf({ cpu: -1 }) },
      'HV_INVALID_COMMAND',
    );
    rejects(
      f.w,
      OPERATOR,
      { type: 'tenant.create', name: 'frac', quota: quotaOf({ cpu: 1.5 }) },
      'HV_INVALID_COMMAND',
    );
    rejects(
      f.w,
      OPERATOR,
      { type: 'tenant.setQuota', tenant: f.t1, quota: quotaOf({ vhms: 0 }) },
      'HV_QUOTA_EXCEEDED',
    );
    rejects(
      f.w,
      OPERATOR,
      { type: 'tenant.setQuota', tenant: 'tenant-99', quota: quotaOf({}) },
      'HV_NOT_FOUND',
    );
    rejects(f.w, f.a1, { type: 'clock.advance', ticks: 5 }, 'HV_FORBIDDEN');
    rejects(f.w, OPERATOR, { type: 'clock.advance', ticks: 0 }, 'HV_INVALID_COMMAND');
    rejects(f.w, OPERATOR, { type: 'firmware.trust', measurement: 'XYZ' }, 'HV_INVALID_COMMAND');
    rejects(f.w, OPERATOR, { type: 'nope' } as never, 'HV_INVALID_COMMAND');
  });
});

describe('providers and attestation', () => {
  it('accepts only valid signatures, matching identities and trusted firmware', () => {
    const w = new World();
    const reg = registration('qpu-x', 'Q', { qubits: 8 }, 7);
    const cmd = registerCmd(reg, 7);
    rejects(
      w,
      OPERATOR,
      { ...cmd, auth: { signature: 'ab', verified: false } } as never,
      'HV_SIGNATURE_INVALID',
    );
    rejects(w, { kind: 'provider', name: 'other' }, cmd, 'HV_FORBIDDEN');
    rejects(
      w,
      OPERATOR,
      registerCmd(registration('bad', 'Q', { qubits: 8, memory: 5 }, 7), 7),
      'HV_INVALID_COMMAND',
    );
    w.ok({ kind: 'provider', name: 'qpu-x' }, cmd);
    rejects(
      w,
      OPERATOR,
      registerCmd(registration('qpu-x', 'Q', { qubits: 8 }, 8), 8),
      'HV_ATTESTATION_MISMATCH',
    );
    w.op({ type: 'firmware.trust', measurement: 'aaaaaaaaaaaaaaaa' });
    rejects(w, OPERATOR, { type: 'firmware.trust', measurement: 'aaaaaaaaaaaaaaaa' }, 'HV_CONFLICT');
    rejects(
      w,
      OPERATOR,
      registerCmd(registration('qpu-y', 'Q', { qubits: 8 }, 9), 9),
      'HV_FIRMWARE_UNTRUSTED',
    );
    const k = w.created(
      w.do(
        registerCmd(registration('h', 'K', { memory: 10, cpu: 1 }, 10, { firmware: 'aaaaaaaaaaaaaaaa' }), 10),
      ),
      'provider',
    );
    rejects(
      w,
      OPERATOR,
      { type: 'calibration.issue', provider: k, from: 0, until: 10 },
      'HV_DOMAIN_MISMATCH',
    );
    rejects(
      w,
      OPERATOR,
      { type: 'calibration.issue', provider: 'provider-1', from: 10, until: 10 },
      'HV_INVALID_COMMAND',
    );
  });

  it('refuses replayed, unsigned and foreign reports', () => {
    const f = fleet();
    const r1 = signedReport(
      { provider: f.q, seq: 1, qubits: [{ qubit: 0, t1: 100, t2: 80, fidelity: 9990, readoutError: 100 }] },
      3,
    );
    f.w.ok({ kind: 'provider', name: 'qpu-1' }, { type: 'report.q', ...r1 });
    rejects(f.w, { kind: 'provider', name: 'qpu-1' }, { type: 'report.q', ...r1 }, 'HV_CONFLICT');
    const r2 = signedReport({ provider: f.q, seq: 2, qubits: [] }, 3);
    rejects(
      f.w,
      { kind: 'provider', name: 'qpu-1' },
      { type: 'report.q', report: r2.report, auth: { signature: r2.auth.signature, verified: false } },
      'HV_SIGNATURE_INVALID',
    );
    rejects(f.w, { kind: 'provider', name: 'phi-1' }, { type: 'report.q', ...r2 }, 'HV_FORBIDDEN');
    rejects(f.w, f.a1, { type: 'report.q', ...r2 }, 'HV_FORBIDDEN');
    // A well-formed Q report about a Φ provider (a Φ report sent as report.q fails its schema).
    const r3 = signedReport({ provider: f.phi, seq: 1, qubits: [] }, 4);
    rejects(f.w, OPERATOR, { type: 'report.q', ...r3 }, 'HV_DOMAIN_MISMATCH');
  });

  it('refuses report rows that are not objects (found by the model test: a null row threw)', () => {
    const f = fleet();
    const q = signedReport({ provider: f.q, seq: 1, qubits: [null as never] }, 3);
    rejects(f.w, { kind: 'provider', name: 'qpu-1' }, { type: 'report.q', ...q }, 'HV_INVALID_COMMAND');
    const phi = signedReport({ provider: f.phi, seq: 1, envelopes: [7 as never] }, 4);
    rejects(f.w, { kind: 'provider', name: 'phi-1' }, { type: 'report.phi', ...phi }, 'HV_INVALID_COMMAND');
  });

  it('raises threshold alerts from Q metrics', () => {
    const f = fleet();
    const r = signedReport(
      { provider: f.q, seq: 1, qubits: [{ qubit: 0, t1: 10, t2: 5, fidelity: 9000, readoutError: 900 }] },
      3,
    );
    const res = f.w.ok({ kind: 'provider', name: 'qpu-1' }, { type: 'report.q', ...r });
    expect(res.entries.filter((e) => e.type === 'alert.raised').map((e) => e.payload.metric)).toEqual([
      't1',
      't2',
      'fidelity',
      'readoutError',
    ]);
  });
});

describe('VHM lifecycle and nesting', () => {
  it('rejects every transition outside the lifecycle graph', () => {
    const f = fleet();
    const { w } = f;
    const v = w.created(
      w.ok(f.a1, {
        type: 'vhm.create',
        tenant: f.t1,
        name: 'x',
        quota: quotaOf({}),
        parent: null,
        capability: null,
      }),
      'vhm',
    );
    rejects(w, f.a1, { type: 'vhm.activate', vhm: v }, 'HV_LIFECYCLE_INVALID');
    rejects(w, f.a1, { type: 'vhm.pause', vhm: v }, 'HV_LIFECYCLE_INVALID');
    rejects(w, f.a1, { type: 'vhm.release', vhm: v }, 'HV_LIFECYCLE_INVALID');
    w.ok(f.a1, { type: 'vhm.validate', vhm: v });
    rejects(w, f.a1, { type: 'vhm.validate', vhm: v }, 'HV_LIFECYCLE_INVALID');
    rejects(w, f.a1, { type: 'vhm.resume', vhm: v }, 'HV_LIFECYCLE_INVALID');
    w.ok(f.a1, { type: 'vhm.activate', vhm: v });
    rejects(w, f.a1, { type: 'vhm.resume', vhm: v }, 'HV_LIFECYCLE_INVALID');
    w.ok(f.a1, { type: 'vhm.pause', vhm: v });
    w.ok(f.a1, { type: 'vhm.resume', vhm: v });
    w.ok(f.a1, { type: 'vhm.terminate', vhm: v });
    rejects(w, f.a1, { type: 'vhm.terminate', vhm: v }, 'HV_LIFECYCLE_INVALID');
    rejects(w, f.a1, { type: 'vhm.activate', vhm: v }, 'HV_LIFECYCLE_INVALID');
    w.ok(f.a1, { type: 'vhm.release', vhm: v });
    rejects(w, f.a1, { type: 'vhm.release', vhm: v }, 'HV_LIFECYCLE_INVALID');
  });

  it('enforces tenant scope, viewer read-only, quotas and names', () => {
    const f = fleet();
    rejects(
      f.w,
      viewer(f.t1),
      { type: 'vhm.create', tenant: f.t1, name: 'v', quota: quotaOf({}), parent: null, capability: null },
      'HV_FORBIDDEN',
    );
    rejects(
      f.w,
      f.a2,
      { type: 'vhm.create', tenant: f.t1, name: 'v', quota: quotaOf({}), parent: null, capability: null },
      'HV_NOT_FOUND',
    );
    rejects(
      f.w,
      f.a1,
      {
        type: 'vhm.create',
        tenant: f.t1,
        name: 'big',
        quota: quotaOf({ qubits: 1000 }),
        parent: null,
        capability: null,
      },
      'HV_QUOTA_EXCEEDED',
    );
    rejects(
      f.w,
      f.a1,
      {
        type: 'vhm.create',
        tenant: f.t1,
        name: 'Bad Name',
        quota: quotaOf({}),
        parent: null,
        capability: null,
      },
      'HV_INVALID_COMMAND',
    );
    // Another tenant's VHM answers exactly like one that never existed: same code, same params shape.
    expect(rejects(f.w, f.a2, { type: 'vhm.pause', vhm: f.vhm }, 'HV_NOT_FOUND')).toEqual({
      id: f.vhm,
      kind: 'vhm',
    });
    expect(rejects(f.w, f.a2, { type: 'vhm.pause', vhm: 'vhm-999' }, 'HV_NOT_FOUND')).toEqual({
      id: 'vhm-999',
      kind: 'vhm',
    });
    expect(rejects(f.w, viewer(f.t1), { type: 'vhm.pause', vhm: f.vhm }, 'HV_FORBIDDEN')).toEqual({
      reason: 'viewer_read_only',
    });
  });

  it('files a probe of another tenant under the prober, without the target VHM', () => {
    const f = fleet();
    const r = f.w.as(f.a2, { type: 'vhm.terminate', vhm: f.vhm });
    expect(r.error?.code).toBe('HV_NOT_FOUND');
    expect(r.entries[0]!.tenant).toBe(f.t2);
    expect(r.entries[0]!.vhm).toBeNull();
    expect(f.w.state.vhms[f.vhm]!.state).toBe('active');
  });

  it('carves nested quota from the parent, bounds depth, and gives each VHM its own capability root', () => {
    const f = fleet();
    const { w } = f;
    const small = quotaOf({ memory: 1024, cpu: 1, qubits: 1, envelopes: 0 });
    rejects(
      w,
      f.a1,
      {
        type: 'vhm.create',
        tenant: f.t1,
        name: 'c',
        quota: quotaOf({ qubits: 21 }),
        parent: f.vhm,
        capability: f.root,
      },
      'HV_QUOTA_EXCEEDED',
    );
    const c2 = activeVhm(w, f.a1, f.t1, 'c2', { vhm: f.vhm, cap: f.root }, small);
    const c3 = activeVhm(w, f.a1, f.t1, 'c3', { vhm: c2.vhm, cap: c2.root }, small);
    rejects(
      w,
      f.a1,
      {
        type: 'vhm.create',
        tenant: f.t1,
        name: 'c4',
        quota: quotaOf({}),
        parent: c3.vhm,
        capability: c3.root,
      },
      'HV_DEPTH_EXCEEDED',
    );
    // The parent's capability is not valid inside the child (XDV-084 §7.2).
    rejects(
      w,
      f.a1,
      {
        type: 'vhm.create',
        tenant: f.t1,
        name: 'c4',
        quota: quotaOf({}),
        parent: c2.vhm,
        capability: f.root,
      },
      'HV_CAP_FOREIGN',
    );
    rejects(
      w,
      f.a1,
      {
        type: 'contract.allocate',
        vhm: c2.vhm,
        capability: f.root,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 1, budget: 1, calibration: f.cal },
      },
      'HV_CAP_FOREIGN',
    );
    // Pausing a parent pauses the subtree; a child cannot resume inside a paused parent.
    w.ok(f.a1, { type: 'vhm.pause', vhm: f.vhm });
    expect(w.state.vhms[c3.vhm]!.state).toBe('paused');
    rejects(w, f.a1, { type: 'vhm.resume', vhm: c2.vhm }, 'HV_LIFECYCLE_INVALID');
  });
});

describe('capabilities', () => {
  it('derives only subsets, rejects revoked, foreign, missing and rightless capabilities, and cascades revocation', () => {
    const f = fleet();
    const { w } = f;
    const d1 = w.created(
      w.ok(f.a1, { type: 'cap.derive', vhm: f.vhm, capability: f.root, rights: ['ALLOC_Q', 'EXECUTE_Q'] }),
      'capability',
    );
    const d2 = w.created(
      w.ok(f.a1, { type: 'cap.derive', vhm: f.vhm, capability: d1, rights: ['EXECUTE_Q'] }),
      'capability',
    );
    expect(
      rejects(
        w,
        f.a1,
        { type: 'cap.derive', vhm: f.vhm, capability: d1, rights: ['IPC'] },
        'HV_CAP_ESCALATION',
      ),
    ).toEqual({ capability: d1, missing: ['IPC'] });
    expect(
      rejects(
        w,
        f.a1,
        { type: 'cap.derive', vhm: f.vhm, capability: d1, rights: ['FLY' as never] },
        'HV_INVALID_COMMAND',
      ),
    ).toEqual({ field: 'rights.0', keyword: 'enum', reason: 'schema', type: 'cap.derive' });
    rejects(
      w,
      f.a1,
      {
        type: 'contract.allocate',
        vhm: f.vhm,
        capability: d2,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 1, budget: 5, calibration: f.cal },
      },
      'HV_CAP_RIGHTS',
    );
    rejects(
      w,
      f.a1,
      {
        type: 'contract.allocate',
        vhm: f.vhm,
        capability: 'cap-999',
        domain: 'Q',
        provider: f.q,
        q: { qubits: 1, budget: 5, calibration: f.cal },
      },
      'HV_CAP_INVALID',
    );
    const other = activeVhm(w, f.a1, f.t1, 'other');
    rejects(
      w,
      f.a1,
      {
        type: 'contract.allocate',
        vhm: other.vhm,
        capability: d1,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 1, budget: 5, calibration: f.cal },
      },
      'HV_CAP_FOREIGN',
    );
    const r = w.ok(f.a1, { type: 'cap.revoke', vhm: f.vhm, capability: d1 });
    expect(r.entries.filter((e) => e.type === 'cap.revoked').map((e) => e.capability)).toEqual([d2, d1]);
    rejects(
      w,
      f.a1,
      {
        type: 'contract.allocate',
        vhm: f.vhm,
        capability: d1,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 1, budget: 5, calibration: f.cal },
      },
      'HV_CAP_REVOKED',
    );
    rejects(w, f.a1, { type: 'cap.revoke', vhm: f.vhm, capability: d2 }, 'HV_CAP_REVOKED');
    rejects(w, f.a1, { type: 'cap.revoke', vhm: other.vhm, capability: f.root }, 'HV_CAP_FOREIGN');
    rejects(w, viewer(f.t1), { type: 'cap.issue', vhm: f.vhm, rights: ['IPC'] }, 'HV_FORBIDDEN');
    expect(w.state.capStats.issued - w.state.capStats.revoked).toBe(
      Object.values(w.state.capabilities).filter((c) => !c.revoked).length,
    );
  });
});

describe('contracts and conservation', () => {
  it('keeps memory ranges and interrupt vectors disjoint across VHMs', () => {
    const f = fleet();
    const { w } = f;
    const other = activeVhm(w, f.a2, f.t2, 'db');
    w.ok(f.a1, {
      type: 'contract.allocate',
      vhm: f.vhm,
      capability: f.root,
      domain: 'K',
      provider: f.k,
      k: { base: 0, size: 4096, cpu: 2, irqs: [3, 4] },
    });
    rejects(
      w,
      f.a2,
      {
        type: 'contract.allocate',
        vhm: other.vhm,
        capability: other.root,
        domain: 'K',
        provider: f.k,
        k: { base: 4095, size: 10, cpu: 1, irqs: [] },
      },
      'HV_MEMORY_OVERLAP',
    );
    rejects(
      w,
      f.a2,
      {
        type: 'contract.allocate',
        vhm: other.vhm,
        capability: other.root,
        domain: 'K',
        provider: f.k,
        k: { base: 8192, size: 10, cpu: 1, irqs: [4] },
      },
      'HV_IRQ_CONFLICT',
    );
    rejects(
      w,
      f.a2,
      {
        type: 'contract.allocate',
        vhm: other.vhm,
        capability: other.root,
        domain: 'K',
        provider: f.k,
        k: { base: 1 << 22, size: 10, cpu: 1, irqs: [] },
      },
      'HV_CAPACITY_EXCEEDED',
    );
    rejects(
      w,
      f.a2,
      {
        type: 'contract.allocate',
        vhm: other.vhm,
        capability: other.root,
        domain: 'K',
        provider: f.k,
        k: { base: 8192, size: 10, cpu: 500, irqs: [] },
      },
      'HV_CAPACITY_EXCEEDED',
    );
    rejects(
      w,
      f.a2,
      {
        type: 'contract.allocate',
        vhm: other.vhm,
        capability: other.root,
        domain: 'K',
        provider: f.q,
        k: { base: 8192, size: 10, cpu: 1, irqs: [] },
      },
      'HV_DOMAIN_MISMATCH',
    );
    rejects(
      w,
      f.a2,
      {
        type: 'contract.allocate',
        vhm: other.vhm,
        capability: other.root,
        domain: 'K',
        provider: f.k,
        k: { base: 8192, size: 1 << 19, cpu: 1, irqs: [] },
      },
      'HV_QUOTA_EXCEEDED',
    );
    w.ok(f.a2, {
      type: 'contract.allocate',
      vhm: other.vhm,
      capability: other.root,
      domain: 'K',
      provider: f.k,
      k: { base: 4096, size: 10, cpu: 1, irqs: [5] },
    });
  });

  it('never allocates more qubits than a provider has, even under conflicting requests', () => {
    const f = fleet();
    const { w } = f;
    const vhms = [f.vhm, activeVhm(w, f.a1, f.t1, 'b').vhm, activeVhm(w, f.a2, f.t2, 'c').vhm];
    const caps = [f.root, ...vhms.slice(1).map((v) => w.state.vhms[v]!.capabilities[0]!)];
    const actors = [f.a1, f.a1, f.a2];
    let granted = 0;
    for (let i = 0; i < 12; i++) {
      const j = i % 3;
      const r = w.as(actors[j]!, {
        type: 'contract.allocate',
        vhm: vhms[j]!,
        capability: caps[j]!,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 7, budget: 10, calibration: f.cal },
      });
      if (!r.error) granted++;
      else expect(['Q_ERR_RESOURCE_UNAVAILABLE', 'HV_QUOTA_EXCEEDED']).toContain(r.error.code);
    }
    expect(granted * 7).toBeLessThanOrEqual(50);
    expect(w.state.providers[f.q]!.allocated.qubits).toBe(granted * 7);
    expect(w.violations()).toEqual([]);
  });

  it('refuses calibrations that are foreign or expired, and overlapping Φ windows without a sharing contract', () => {
    const f = fleet();
    const { w } = f;
    const cal2 = w.created(
      w.op({ type: 'calibration.issue', provider: f.q, from: 500, until: 600 }),
      'calibration',
    );
    rejects(
      w,
      f.a1,
      {
        type: 'contract.allocate',
        vhm: f.vhm,
        capability: f.root,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 1, budget: 5, calibration: cal2 },
      },
      'Q_ERR_CALIBRATION_INVALID',
    );
    rejects(
      w,
      f.a1,
      {
        type: 'contract.allocate',
        vhm: f.vhm,
        capability: f.root,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 1, budget: 5, calibration: 'cal-77' },
      },
      'Q_ERR_CALIBRATION_INVALID',
    );
    rejects(
      w,
      f.a1,
      {
        type: 'contract.allocate',
        vhm: f.vhm,
        capability: f.root,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 60, budget: 5, calibration: f.cal },
      },
      'Q_ERR_RESOURCE_UNAVAILABLE',
    );
    w.ok(f.a1, {
      type: 'contract.allocate',
      vhm: f.vhm,
      capability: f.root,
      domain: 'PHI',
      provider: f.phi,
      phi: { start: 100, duration: 50, tolerance: 8000 },
    });
    const other = activeVhm(w, f.a1, f.t1, 'other');
    rejects(
      w,
      f.a1,
      {
        type: 'contract.allocate',
        vhm: other.vhm,
        capability: other.root,
        domain: 'PHI',
        provider: f.phi,
        phi: { start: 140, duration: 50, tolerance: 8000 },
      },
      'HV_WINDOW_OVERLAP',
    );
    // L moves only on clock ticks: let the clock pass the end of a [0, 5) window.
    w.op({ type: 'clock.advance', ticks: 10 });
    rejects(
      w,
      f.a1,
      {
        type: 'contract.allocate',
        vhm: other.vhm,
        capability: other.root,
        domain: 'PHI',
        provider: f.phi,
        phi: { start: 0, duration: 5, tolerance: 8000 },
      },
      'PHI_ERR_COHERENCE_TIMEOUT',
    );
    // Adjacent windows are fine: [100,150) and [150,200).
    w.ok(f.a1, {
      type: 'contract.allocate',
      vhm: other.vhm,
      capability: other.root,
      domain: 'PHI',
      provider: f.phi,
      phi: { start: 150, duration: 50, tolerance: 8000 },
    });
    w.ok(f.a1, {
      type: 'ipc.open',
      a: f.vhm,
      capabilityA: f.root,
      b: other.vhm,
      capabilityB: other.root,
      rights: ['PHI_SHARE'],
    });
    w.ok(f.a1, {
      type: 'contract.allocate',
      vhm: other.vhm,
      capability: other.root,
      domain: 'PHI',
      provider: f.phi,
      phi: { start: 120, duration: 10, tolerance: 8000 },
    });
    expect(w.violations()).toEqual([]);
  });

  it('follows issued → active → released with no skipped transition', () => {
    const f = fleet();
    const { w } = f;
    const c = w.created(
      w.ok(f.a1, {
        type: 'contract.allocate',
        vhm: f.vhm,
        capability: f.root,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 2, budget: 5, calibration: f.cal },
      }),
      'contract',
    );
    const c2 = w.created(
      w.ok(f.a1, {
        type: 'contract.allocate',
        vhm: f.vhm,
        capability: f.root,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 2, budget: 5, calibration: f.cal },
      }),
      'contract',
    );
    w.ok(f.a1, { type: 'contract.release', vhm: f.vhm, capability: f.root, contract: c2 });
    expect(w.state.contracts[c2]!.status).toBe('revoked');
    w.ok(f.a1, { type: 'contract.activate', vhm: f.vhm, capability: f.root, contract: c });
    rejects(
      w,
      f.a1,
      { type: 'contract.activate', vhm: f.vhm, capability: f.root, contract: c },
      'HV_LIFECYCLE_INVALID',
    );
    w.ok(f.a1, { type: 'contract.release', vhm: f.vhm, capability: f.root, contract: c });
    expect(w.state.contracts[c]!.status).toBe('released');
    rejects(
      w,
      f.a1,
      { type: 'contract.release', vhm: f.vhm, capability: f.root, contract: c },
      'HV_LIFECYCLE_INVALID',
    );
    rejects(w, f.a1, { type: 'contract.revoke', contract: c, reason: 'x' }, 'HV_FORBIDDEN');
    rejects(w, OPERATOR, { type: 'contract.revoke', contract: c, reason: 'x' }, 'HV_LIFECYCLE_INVALID');
  });
});

describe('bindings', () => {
  it('needs a valid capability, a contract of the same VHM and an attested, healthy provider', () => {
    const f = fleet();
    const { w } = f;
    const other = activeVhm(w, f.a1, f.t1, 'other');
    const c = w.created(
      w.ok(f.a1, {
        type: 'contract.allocate',
        vhm: f.vhm,
        capability: f.root,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 2, budget: 5, calibration: f.cal },
      }),
      'contract',
    );
    rejects(
      w,
      f.a1,
      { type: 'binding.request', vhm: other.vhm, capability: other.root, contract: c },
      'HV_CONTRACT_FOREIGN',
    );
    rejects(
      w,
      f.a2,
      { type: 'binding.request', vhm: f.vhm, capability: f.root, contract: c },
      'HV_NOT_FOUND',
    );
    const b = w.created(
      w.ok(f.a1, { type: 'binding.request', vhm: f.vhm, capability: f.root, contract: c }),
      'binding',
    );
    rejects(w, f.a1, { type: 'binding.request', vhm: f.vhm, capability: f.root, contract: c }, 'HV_CONFLICT');
    rejects(
      w,
      f.a1,
      { type: 'binding.activate', vhm: f.vhm, capability: f.root, binding: b },
      'HV_LIFECYCLE_INVALID',
    );
    w.ok(f.a1, { type: 'binding.validate', vhm: f.vhm, capability: f.root, binding: b });
    rejects(
      w,
      f.a1,
      { type: 'binding.validate', vhm: f.vhm, capability: f.root, binding: b },
      'HV_LIFECYCLE_INVALID',
    );
    rejects(
      w,
      f.a1,
      { type: 'binding.activate', vhm: f.vhm, capability: f.root, binding: b },
      'HV_CONTRACT_INVALID',
    );
    // A hardware failure report degrades the provider: no new validation.
    const c2 = w.created(
      w.ok(f.a1, {
        type: 'contract.allocate',
        vhm: f.vhm,
        capability: f.root,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 2, budget: 5, calibration: f.cal },
      }),
      'contract',
    );
    const b2 = w.created(
      w.ok(f.a1, { type: 'binding.request', vhm: f.vhm, capability: f.root, contract: c2 }),
      'binding',
    );
    const rep = signedReport(
      { provider: f.q, seq: 1, code: 'Q_ERR_HARDWARE_FAILURE', contract: null, message: 'cryostat warm' },
      3,
    );
    const res = w.ok({ kind: 'provider', name: 'qpu-1' }, { type: 'report.error', ...rep });
    expect(res.entries.find((e) => e.type === 'fault.escalated')!.payload.level).toBe('system');
    rejects(
      w,
      f.a1,
      { type: 'binding.validate', vhm: f.vhm, capability: f.root, binding: b2 },
      'Q_ERR_HARDWARE_FAILURE',
    );
  });
});

describe('Q execution', () => {
  it('charges the decoherence budget and invalidates the contract when a job exceeds it', () => {
    const f = fleet();
    const { w } = f;
    const { contract, binding } = boundQ(f, f.vhm, f.root, 4, 30);
    const qc = w.state.bindings[binding]!.container!;
    w.ok(f.a1, { type: 'q.job', vhm: f.vhm, capability: f.root, binding, cost: 20, operations: ['h'] });
    expect(w.state.contracts[contract]!.consumed).toBe(20);
    rejects(
      w,
      f.a1,
      { type: 'q.job', vhm: f.vhm, capability: f.root, binding, cost: 1, operations: ['toffoli'] },
      'Q_ERR_GATE_UNSUPPORTED',
    );
    const r = w.as(f.a1, {
      type: 'q.job',
      vhm: f.vhm,
      capability: f.root,
      binding,
      cost: 11,
      operations: ['h'],
    });
    expect(r.error?.code).toBe('Q_ERR_DECOHERENCE_EXCEEDED');
    expect(r.error?.params).toEqual({ contract, cost: 11, remaining: r.entries[1]!.payload.remaining! });
    expect(Object.keys(r.entries[0]!.payload)).toEqual(['actor', 'code', 'command', 'params']);
    expect(messageOf(r)).toMatch(
      /^Job cost 11 exceeds the remaining budget \d+; contract contract-\d+ is invalidated\.$/,
    );
    SEEN_REJECTIONS.push(r.error!);
    expect(r.entries.map((e) => e.type)).toEqual([
      'q.job',
      'q.job.refused',
      'q.container.destroyed',
      'binding.released',
      'contract.revoked',
      'fault.escalated',
    ]);
    expect(w.state.contracts[contract]!.status).toBe('revoked');
    expect(w.state.containers[qc]!.live).toBe(false);
    expect(w.state.providers[f.q]!.allocated.qubits).toBe(0);
    rejects(
      w,
      f.a1,
      { type: 'q.job', vhm: f.vhm, capability: f.root, binding, cost: 1, operations: [] },
      'HV_LIFECYCLE_INVALID',
    );
    expect(w.violations()).toEqual([]);
  });

  it('rejects a job against an expired calibration before executing it', () => {
    const f = fleet();
    const { w } = f;
    const cal = w.created(
      w.op({ type: 'calibration.issue', provider: f.q, from: 0, until: w.state.l + 30 }),
      'calibration',
    );
    const contract = w.created(
      w.ok(f.a1, {
        type: 'contract.allocate',
        vhm: f.vhm,
        capability: f.root,
        domain: 'Q',
        provider: f.q,
        q: { qubits: 1, budget: 50, calibration: cal },
      }),
      'contract',
    );
    w.ok(f.a1, { type: 'contract.activate', vhm: f.vhm, capability: f.root, contract });
    const binding = w.created(
      w.ok(f.a1, { type: 'binding.request', vhm: f.vhm, capability: f.root, contract }),
      'binding',
    );
    w.ok(f.a1, { type: 'binding.validate', vhm: f.vhm, capability: f.root, binding });
    w.ok(f.a1, { type: 'binding.activate', vhm: f.vhm, capability: f.root, binding });
    w.op({ type: 'clock.advance', ticks: 40 });
    rejects(
      w,
      f.a1,
      { type: 'q.job', vhm: f.vhm, capability: f.root, binding, cost: 1, operations: [] },
      'Q_ERR_CALIBRATION_INVALID',
    );
    expect(w.state.contracts[contract]!.consumed).toBe(0);
  });
});

describe('Φ execution', () => {
  it('applies transforms inside the window and invalidates the envelope outside it', () => {
    const f = fleet();
    const { w } = f;
    const start = w.state.l + 10;
    const { contract, envelope, binding } = boundPhi(f, start, 20);
    const r0 = w.as(f.a1, {
      type: 'phi.transform',
      vhm: f.vhm,
      capability: f.root,
      binding,
      transform: 'rotate',
      impact: 5,
    });
    expect(r0.error?.code).toBe('PHI_ERR_COHERENCE_TIMEOUT');
    expect(r0.error?.params).toMatchObject({ envelope, reason: 'outside_window', start });
    expect(messageOf(r0)).toContain(`is outside the coherence window [${start}, ${start + 20})`);
    SEEN_REJECTIONS.push(r0.error!);
    expect(w.state.envelopes[envelope]!.live).toBe(false);
    expect(w.state.contracts[contract]!.status).toBe('revoked');
    const second = boundPhi(f, w.state.l + 2, 20);
    w.op({ type: 'clock.advance', ticks: 3 });
    rejects(
      w,
      f.a1,
      {
        type: 'phi.transform',
        vhm: f.vhm,
        capability: f.root,
        binding: second.binding,
        transform: 'warp',
        impact: 5,
      },
      'PHI_ERR_TRANSFORM_UNSUPPORTED',
    );
    w.ok(f.a1, {
      type: 'phi.transform',
      vhm: f.vhm,
      capability: f.root,
      binding: second.binding,
      transform: 'rotate',
      impact: 5,
    });
    // When the window ends the contract is reclaimed and the envelope terminated, with entries.
    const r = w.op({ type: 'clock.advance', ticks: 30 });
    expect(r.entries.map((e) => e.type)).toContain('phi.envelope.terminated');
    expect(w.state.contracts[second.contract]!.status).toBe('released');
    expect(w.state.providers[f.phi]!.allocated.envelopes).toBe(0);
    expect(w.violations()).toEqual([]);
  });

  it('terminates the envelope and escalates when a stability report breaches tolerance', () => {
    const f = fleet();
    const { w } = f;
    const { contract, envelope } = boundPhi(f, 0, 1000, 8000);
    const ok = signedReport(
      {
        provider: f.phi,
        seq: 1,
        envelopes: [{ envelope, stability: 9000, noise: 10, drift: 10, impact: 0 }],
      },
      4,
    );
    w.ok({ kind: 'provider', name: 'phi-1' }, { type: 'report.phi', ...ok });
    expect(w.state.envelopes[envelope]!.live).toBe(true);
    const bad = signedReport(
      {
        provider: f.phi,
        seq: 2,
        envelopes: [{ envelope, stability: 7000, noise: 2000, drift: 10, impact: 0 }],
      },
      4,
    );
    const r = w.ok({ kind: 'provider', name: 'phi-1' }, { type: 'report.phi', ...bad });
    const types = r.entries.map((e) => e.type);
    expect(types).toContain('phi.envelope.terminated');
    expect(r.entries.find((e) => e.type === 'fault.escalated')!.payload.code).toBe(
      'PHI_ERR_STABILITY_BREACH',
    );
    expect(w.state.contracts[contract]!.status).toBe('revoked');
    expect(w.state.envelopes[envelope]!.live).toBe(false);
  });
});

describe('snapshots, migration and IPC', () => {
  it('snapshots K only and refuses to clone Q or Φ state', () => {
    const f = fleet();
    const { w } = f;
    boundQ(f);
    w.ok(f.a1, {
      type: 'contract.allocate',
      vhm: f.vhm,
      capability: f.root,
      domain: 'K',
      provider: f.k,
      k: { base: 0, size: 64, cpu: 1, irqs: [9] },
    });
    rejects(
      w,
      f.a1,
      { type: 'snapshot.take', vhm: f.vhm, capability: f.root, include: ['K', 'Q'] },
      'HV_NO_CLONE',
    );
    rejects(
      w,
      f.a1,
      { type: 'snapshot.take', vhm: f.vhm, capability: f.root, include: ['PHI'] },
      'HV_NO_CLONE',
    );
    const r = w.ok(f.a1, { type: 'snapshot.take', vhm: f.vhm, capability: f.root, include: ['K'] });
    const snap = w.state.snapshots[w.created(r, 'snapshot')]!;
    expect(snap.content.k).toEqual([{ contract: 'contract-2', base: 0, size: 64, cpu: 1, irqs: [9] }]);
    expect(JSON.stringify(snap)).not.toContain('qc-');
  });

  it('migrates K, reinitialises Q and Φ by default, and moves Q live only with support and a transfer contract', () => {
    const f = fleet({ liveTransfer: false });
    const { w } = f;
    const k = w.created(
      w.ok(f.a1, {
        type: 'contract.allocate',
        vhm: f.vhm,
        capability: f.root,
        domain: 'K',
        provider: f.k,
        k: { base: 0, size: 64, cpu: 1, irqs: [9] },
      }),
      'contract',
    );
    const q = boundQ(f);
    const phi = boundPhi(f, 0, 1000);
    const qc = w.state.bindings[q.binding]!.container!;
    rejects(
      w,
      f.a1,
      {
        type: 'vhm.migrate',
        vhm: f.vhm,
        capability: f.root,
        target: f.k2,
        qPolicy: 'live',
        transferContracts: [q.contract],
      },
      'HV_MIGRATION_UNSUPPORTED',
    );
    w.ok(f.a1, {
      type: 'vhm.migrate',
      vhm: f.vhm,
      capability: f.root,
      target: f.k2,
      qPolicy: 'reinit',
      transferContracts: [],
    });
    expect(w.state.contracts[k]!.provider).toBe(f.k2);
    expect(w.state.providers[f.k]!.allocated.memory).toBe(0);
    expect(w.state.containers[qc]!.live).toBe(false);
    expect(w.state.bindings[q.binding]!.container).not.toBe(qc);
    expect(w.state.envelopes[phi.envelope]!.live).toBe(false);
    expect(w.violations()).toEqual([]);

    const g = fleet({ liveTransfer: true });
    const gq = boundQ(g);
    const gqc = g.w.state.bindings[gq.binding]!.container!;
    rejects(
      g.w,
      g.a1,
      {
        type: 'vhm.migrate',
        vhm: g.vhm,
        capability: g.root,
        target: g.k2,
        qPolicy: 'live',
        transferContracts: [],
      },
      'HV_MIGRATION_UNSUPPORTED',
    );
    const r = g.w.ok(g.a1, {
      type: 'vhm.migrate',
      vhm: g.vhm,
      capability: g.root,
      target: g.k2,
      qPolicy: 'live',
      transferContracts: [gq.contract],
    });
    expect(r.entries.map((e) => e.type)).toContain('q.container.transferred');
    expect(g.w.state.bindings[gq.binding]!.container).toBe(gqc);
    rejects(
      g.w,
      g.a1,
      {
        type: 'vhm.migrate',
        vhm: g.vhm,
        capability: g.root,
        target: g.q,
        qPolicy: 'reinit',
        transferContracts: [],
      },
      'HV_DOMAIN_MISMATCH',
    );
  });

  it('opens IPC only between two different active VHMs with consent on both sides', () => {
    const f = fleet();
    const { w } = f;
    const other = activeVhm(w, f.a1, f.t1, 'other');
    rejects(
      w,
      f.a1,
      { type: 'ipc.open', a: f.vhm, capabilityA: f.root, b: f.vhm, capabilityB: f.root, rights: ['MSG'] },
      'HV_IPC_INVALID',
    );
    rejects(
      w,
      f.a1,
      { type: 'ipc.open', a: f.vhm, capabilityA: f.root, b: other.vhm, capabilityB: f.root, rights: ['MSG'] },
      'HV_CAP_FOREIGN',
    );
    rejects(
      w,
      f.a1,
      { type: 'ipc.open', a: f.vhm, capabilityA: f.root, b: other.vhm, capabilityB: other.root, rights: [] },
      'HV_INVALID_COMMAND',
    );
    const theirs = activeVhm(w, f.a2, f.t2, 'theirs');
    rejects(
      w,
      f.a1,
      {
        type: 'ipc.open',
        a: f.vhm,
        capabilityA: f.root,
        b: theirs.vhm,
        capabilityB: theirs.root,
        rights: ['MSG'],
      },
      'HV_NOT_FOUND',
    );
    const ipc = w.created(
      w.ok(OPERATOR, {
        type: 'ipc.open',
        a: f.vhm,
        capabilityA: f.root,
        b: theirs.vhm,
        capabilityB: theirs.root,
        rights: ['MSG'],
      }),
      'ipc',
    );
    w.ok(f.a2, { type: 'ipc.close', ipc });
    rejects(w, f.a1, { type: 'ipc.close', ipc }, 'HV_LIFECYCLE_INVALID');
  });
});

describe('scheduler', () => {
  function schedWorld() {
    const f = fleet();
    const { w } = f;
    const b = activeVhm(w, f.a1, f.t1, 'b');
    const p1 = w.created(
      w.ok(f.a1, { type: 'process.spawn', vhm: f.vhm, capability: f.root, name: 'p' }),
      'process',
    );
    const p2 = w.created(
      w.ok(f.a1, { type: 'process.spawn', vhm: b.vhm, capability: b.root, name: 'p' }),
      'process',
    );
    return { f, w, b, p1, p2 };
  }
  const dispatched = (w: World) =>
    (
      w.results.at(-1)!.entries.find((e) => e.type === 'sched.decision')!.payload.dispatched as Array<{
        vhm: string;
        unit: string;
      }>
    ).map((d) => d.vhm);

  it('shares K fairly between VHMs by weight', () => {
    const { f, w, b, p1, p2 } = schedWorld();
    w.ok(f.a1, { type: 'vhm.setSchedule', vhm: f.vhm, weight: 200, maxQueued: 64 });
    for (let i = 0; i < 6; i++) {
      w.ok(f.a1, {
        type: 'sched.submit',
        vhm: f.vhm,
        capability: f.root,
        process: p1,
        domain: 'K',
        contract: null,
        priority: 0,
        quanta: 1,
      });
      w.ok(f.a1, {
        type: 'sched.submit',
        vhm: b.vhm,
        capability: b.root,
        process: p2,
        domain: 'K',
        contract: null,
        priority: 0,
        quanta: 1,
      });
    }
    const order: string[] = [];
    for (let i = 0; i < 9; i++) {
      w.op({ type: 'sched.tick' });
      order.push(...dispatched(w));
    }
    const a = order.filter((v) => v === f.vhm).length;
    expect(a).toBe(6);
    expect(order.length - a).toBe(3);
  });

  it('ages a low-priority unit so it is not starved by a stream of higher ones', () => {
    const { f, w, p1 } = schedWorld();
    w.ok(f.a1, { type: 'vhm.setSchedule', vhm: f.vhm, weight: 100, maxQueued: 1000 });
    const low = w.created(
      w.ok(f.a1, {
        type: 'sched.submit',
        vhm: f.vhm,
        capability: f.root,
        process: p1,
        domain: 'K',
        contract: null,
        priority: 0,
        quanta: 1,
      }),
      'unit',
    );
    let ran = false;
    for (let i = 0; i < 60 && !ran; i++) {
      w.ok(f.a1, {
        type: 'sched.submit',
        vhm: f.vhm,
        capability: f.root,
        process: p1,
        domain: 'K',
        contract: null,
        priority: 3,
        quanta: 1,
      });
      w.op({ type: 'sched.tick' });
      // Aging counts clock ticks waited, not commands submitted meanwhile.
      w.op({ type: 'clock.advance', ticks: 1 });
      ran = w.state.units[low]!.state !== 'waiting';
    }
    expect(ran).toBe(true);
  });

  it('enforces per-VHM queue quota, capability and operator-only ticks', () => {
    const { f, w, p1, b } = schedWorld();
    w.ok(f.a1, { type: 'vhm.setSchedule', vhm: f.vhm, weight: 100, maxQueued: 1 });
    w.ok(f.a1, {
      type: 'sched.submit',
      vhm: f.vhm,
      capability: f.root,
      process: p1,
      domain: 'K',
      contract: null,
      priority: 0,
      quanta: 1,
    });
    rejects(
      w,
      f.a1,
      {
        type: 'sched.submit',
        vhm: f.vhm,
        capability: f.root,
        process: p1,
        domain: 'K',
        contract: null,
        priority: 0,
        quanta: 1,
      },
      'HV_SCHED_QUOTA',
    );
    rejects(
      w,
      f.a1,
      {
        type: 'sched.submit',
        vhm: b.vhm,
        capability: b.root,
        process: p1,
        domain: 'K',
        contract: null,
        priority: 0,
        quanta: 1,
      },
      'HV_NOT_FOUND',
    );
    rejects(
      w,
      f.a1,
      {
        type: 'sched.submit',
        vhm: f.vhm,
        capability: f.root,
        process: p1,
        domain: 'Q',
        contract: null,
        priority: 0,
        quanta: 1,
      },
      'HV_INVALID_COMMAND',
    );
    rejects(w, f.a1, { type: 'sched.tick' }, 'HV_FORBIDDEN');
    rejects(w, f.a1, { type: 'process.exit', vhm: b.vhm, capability: b.root, process: p1 }, 'HV_NOT_FOUND');
  });
});

describe('faults', () => {
  it('injects only as operator, and contains every fault to the faulting VHM', () => {
    const f = fleet();
    const { w } = f;
    const q = boundQ(f, f.vhm, f.root, 2, 10);
    const other = activeVhm(w, f.a2, f.t2, 'bystander');
    const oq = boundQ(f, other.vhm, other.root, 2, 10, f.a2);
    rejects(
      w,
      f.a1,
      { type: 'fault.inject', kind: 'decoherence_spike', target: q.contract, amount: 50 },
      'HV_FORBIDDEN',
    );
    rejects(
      w,
      OPERATOR,
      { type: 'fault.inject', kind: 'decoherence_spike', target: 'contract-999', amount: 5 },
      'HV_NOT_FOUND',
    );
    const before = JSON.stringify(w.state.vhms[other.vhm]) + JSON.stringify(w.state.contracts[oq.contract]);
    w.op({ type: 'fault.inject', kind: 'decoherence_spike', target: q.contract, amount: 50 });
    w.op({ type: 'fault.inject', kind: 'contract_invalidation', target: boundQ(f).contract, amount: 0 });
    w.op({ type: 'fault.inject', kind: 'contract_invalidation', target: boundQ(f).contract, amount: 0 });
    // Three domain faults escalate to VHM level and pause the faulting VHM only.
    expect(w.state.vhms[f.vhm]!.state).toBe('paused');
    expect(Object.values(w.state.faults).some((x) => x.level === 'vhm' && x.vhm === f.vhm)).toBe(true);
    expect(JSON.stringify(w.state.vhms[other.vhm]) + JSON.stringify(w.state.contracts[oq.contract])).toBe(
      before,
    );
    const d = w.created(
      w.ok(f.a2, { type: 'cap.derive', vhm: other.vhm, capability: other.root, rights: ['EXECUTE_Q'] }),
      'capability',
    );
    w.op({ type: 'fault.inject', kind: 'capability_revocation', target: d, amount: 0 });
    expect(w.state.capabilities[d]!.revoked).toBe(true);
    expect(w.violations()).toEqual([]);
  });
});

// Runs last in this file: every rejection asserted above, with the params the core really produced.
describe('messages', () => {
  it('renders every rejection the scenarios produced as actionable text, never as undefined or [object …]', () => {
    expect(SEEN_REJECTIONS.length).toBeGreaterThan(90);
    const bad: string[] = [];
    for (const { code, params } of SEEN_REJECTIONS) {
      const text = renderMessage(code, params);
      if (text.length < 10 || /undefined|\[object|NaN/.test(text)) bad.push(`${code}: ${text}`);
      // The text is rendered from the params, so it names the ids they name.
      for (const v of Object.values(params))
        if (typeof v === 'string' && /^[a-z]+-\d+$/.test(v) && !text.includes(v))
          bad.push(`${code} ${JSON.stringify(params)}: ${text}`);
    }
    expect(bad).toEqual([]);
    // Params are built with their keys already sorted, at every level: canonical JSON's fast path.
    expect(SEEN_REJECTIONS.filter((r) => !isCanonicalOrder(r.params))).toEqual([]);
    // Most codes a command can be rejected with were exercised.
    const seen = new Set(SEEN_REJECTIONS.map((r) => r.code));
    expect(seen.size).toBeGreaterThan(30);
  });

  it('has exactly one template per declared code', () => {
    expect(Object.keys(MESSAGES).sort()).toEqual([...ERROR_CODES].sort());
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(renderMessage(code, {}).length, code).toBeGreaterThan(5);
  });
});
