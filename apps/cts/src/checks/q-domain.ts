// §5 Q-domain conformance: no-cloning, decoherence budget, calibration validity.

import { must, ok } from '../http.js';
import { binding, contract, kBody, liveState, Q_OPS, qBody, qSetup, seqOf } from './support.js';
import type { TestDef } from './types.js';

export const Q_DOMAIN_TESTS: TestDef[] = [
  {
    id: 'domain.q.no_cloning',
    section: '5.1',
    module: 'domain/q_no_cloning_tests',
    title: 'Q containers cannot be duplicated, snapshotted or serialised; migration reinitialises',
    mandatory: true,
    run: async (w, ev, s) => {
      const { q, cal } = await qSetup(w);
      const k = await w.provider('K', { memory: 1 << 22, cpu: 64 });
      const k2 = await w.provider('K', { memory: 1 << 22, cpu: 64 });
      const a = await w.vhm(s.t1);
      await w.allocate(a, kBody(k, 0));
      const { contract: qc, binding: qb } = await w.bind(a, qBody(q, cal));
      const vhms = [a.id];
      await w.rejected(
        ev,
        'second binding of a bound Q contract',
        () => w.http.post(`/v1/vhms/${a.id}/bindings`, { capability: a.root, contract: qc }, a.token),
        'HV_CONFLICT',
        { vhms },
      );
      await w.rejected(
        ev,
        'snapshot including Q',
        () => w.http.post(`/v1/vhms/${a.id}/snapshots`, { capability: a.root, include: ['K', 'Q'] }, a.token),
        'HV_NO_CLONE',
        { vhms },
      );
      await w.rejected(
        ev,
        'snapshot including PHI',
        () => w.http.post(`/v1/vhms/${a.id}/snapshots`, { capability: a.root, include: ['PHI'] }, a.token),
        'HV_NO_CLONE',
        { vhms },
      );
      const snap = await ok(
        'K snapshot',
        w.http.post<{ created: { snapshot: string } }>(
          `/v1/vhms/${a.id}/snapshots`,
          { capability: a.root },
          a.token,
        ),
      );
      const snaps = await ok(
        'list snapshots',
        w.http.get<{ items: Array<{ id: string; content: Record<string, unknown> }> }>(
          `/v1/vhms/${a.id}/snapshots`,
        ),
      );
      const mine = snaps.items.find((x) => x.id === snap.created.snapshot);
      must(mine, 'the snapshot is not listed');
      must(
        JSON.stringify(Object.keys(mine.content).sort()) === '["contracts","k","processes"]',
        `snapshot content has ${Object.keys(mine.content).join(', ')}`,
      );
      // "Serialise": no API response may carry container internals, only handles and metadata.
      const before = await binding(w, qb);
      const state = await liveState(w);
      const container = state.containers[before.container!];
      must(container, 'the active Q binding has no container');
      const allowed = ['contract', 'createdL', 'id', 'live', 'provider', 'qubits', 'vhm'];
      const extra = Object.keys(container).filter((x) => !allowed.includes(x));
      must(extra.length === 0, `a Q container exposes ${extra.join(', ')}`);
      const dump = JSON.stringify([state.containers, state.envelopes, state.snapshots, before]);
      for (const word of ['amplitude', 'statevector', 'stateVector', 'density', 'wavefunction', 'qstate'])
        must(!dump.includes(word), `an API response mentions ${word}`);
      await w.rejected(
        ev,
        'live Q migration without hardware support',
        () =>
          w.http.post(
            `/v1/vhms/${a.id}/migrations`,
            { capability: a.root, target: k2.id, qPolicy: 'live', transferContracts: [qc] },
            a.token,
          ),
        'HV_MIGRATION_UNSUPPORTED',
        { vhms },
      );
      await ok(
        'migrate',
        w.http.post(`/v1/vhms/${a.id}/migrations`, { capability: a.root, target: k2.id }, a.token),
      );
      const after = await binding(w, qb);
      const st2 = await liveState(w);
      must(
        st2.containers[before.container!]?.live === false,
        `old container ${before.container} is still live after migration`,
      );
      must(
        after.container && after.container !== before.container,
        `binding ${qb} kept container ${after.container}: not reinitialised`,
      );
      const live = Object.values(st2.containers).filter((c) => c.contract === qc && c.live);
      must(live.length === 1, `contract ${qc} has ${live.length} live containers`);
      ev.note(`migration reinitialised ${before.container} as ${after.container}`);
    },
  },
  {
    id: 'domain.q.decoherence_budget',
    section: '5.2',
    module: 'domain/q_no_cloning_tests',
    title: 'A job beyond the decoherence budget is rejected, invalidates the contract and escalates',
    mandatory: true,
    run: async (w, ev, s) => {
      const { q, cal } = await qSetup(w);
      const a = await w.vhm(s.t1);
      const { contract: c, binding: b } = await w.bind(a, qBody(q, cal, 10));
      await ok(
        'job within budget',
        w.http.post(`/v1/bindings/${b}/jobs`, { capability: a.root, cost: 4, operations: ['h'] }, a.token),
      );
      const r = await w.http.post(`/v1/bindings/${b}/jobs`, { capability: a.root, cost: 20 }, a.token);
      must(
        r.status === 409 && r.body.code === 'Q_ERR_DECOHERENCE_EXCEEDED',
        `over-budget job answered ${r.status} ${JSON.stringify(r.body)}`,
      );
      const seq = seqOf(r.body);
      const g = await w.group(seq);
      const types = g.map((e) => e.type);
      must(
        g[0]?.outcome === 'rejected' && g[0].payload.code === 'Q_ERR_DECOHERENCE_EXCEEDED',
        'the refusal is not logged as a rejection',
      );
      must(types.includes('q.job.refused'), `no q.job.refused in ${types.join(', ')}`);
      must(types.includes('fault.escalated'), `no fault escalation in ${types.join(', ')}`);
      must(!types.includes('q.job.executed'), 'the refused job was executed');
      const ct = await contract(w, c);
      must(ct.status === 'revoked', `contract is ${ct.status}, not invalidated`);
      must(ct.consumed === 4, `budget consumed ${ct.consumed}, expected 4`);
      ev.code('Q_ERR_DECOHERENCE_EXCEEDED');
      ev.seq(seq);
      ev.note(`group ${seq}: ${types.join(', ')}`);
    },
  },
  {
    id: 'domain.q.calibration',
    section: '5.3',
    module: 'domain/q_no_cloning_tests',
    title: 'A Q job under an expired calibration is rejected before execution',
    mandatory: true,
    run: async (w, ev, s) => {
      const q = await w.provider('Q', { qubits: 100 }, Q_OPS);
      const l = (await w.head()).l;
      const cal = await w.calibration(q, l, l + 40);
      const a = await w.vhm(s.t1);
      const { binding: b } = await w.bind(a, qBody(q, cal, 100));
      await ok(
        'job under a valid calibration',
        w.http.post(`/v1/bindings/${b}/jobs`, { capability: a.root, cost: 1 }, a.token),
      );
      await ok('advance clock', w.http.post('/v1/clock/advance', { ticks: 50 }));
      await w.rejected(
        ev,
        'job after the calibration expired',
        () => w.http.post(`/v1/bindings/${b}/jobs`, { capability: a.root, cost: 1 }, a.token),
        'Q_ERR_CALIBRATION_INVALID',
        { vhms: [a.id] },
      );
      for (const seq of ev.seqs) {
        const types = (await w.group(seq)).map((e) => e.type);
        must(!types.includes('q.job.executed'), `entry ${seq}: the job executed anyway`);
      }
    },
  },
];
