// §6 Φ-domain conformance: coherence windows, stability breach, envelope isolation.

import { must, ok } from '../http.js';
import { binding, contract, FAR, liveState, phiBody, seqOf } from './support.js';
import type { TestDef } from './types.js';

export const PHI_DOMAIN_TESTS: TestDef[] = [
  {
    id: 'domain.phi.coherence_window',
    section: '6.1',
    module: 'domain/phi_integrity_tests',
    title: 'A transform outside the coherence window is rejected and invalidates the envelope',
    mandatory: true,
    run: async (w, ev, s) => {
      const p = await w.provider('PHI', { envelopes: 8 }, ['rotate']);
      const a = await w.vhm(s.t1);
      const l = (await w.head()).l;
      const inside = await w.bind(a, phiBody(p, l, 100_000));
      await ok(
        'transform inside the window',
        w.http.post(
          `/v1/bindings/${inside.binding}/transforms`,
          { capability: a.root, transform: 'rotate' },
          a.token,
        ),
      );
      const outside = await w.bind(a, phiBody(p, l + 100_000, 100));
      const env = (await binding(w, outside.binding)).envelope;
      const r = await w.http.post(
        `/v1/bindings/${outside.binding}/transforms`,
        { capability: a.root, transform: 'rotate' },
        a.token,
      );
      must(
        r.status >= 400 && r.body.code === 'PHI_ERR_COHERENCE_TIMEOUT',
        `transform outside the window answered ${r.status} ${JSON.stringify(r.body)}`,
      );
      const seq = seqOf(r.body);
      const g = await w.group(seq);
      const types = g.map((e) => e.type);
      must(g[0]?.outcome === 'rejected', 'the refusal is not logged as a rejection');
      must(!types.includes('phi.transform.applied'), 'the transform was applied');
      const st = await liveState(w);
      must(env && st.envelopes[env]?.live === false, `envelope ${env} is still live`);
      must((await contract(w, outside.contract)).status === 'revoked', 'the Φ contract was not invalidated');
      must(
        st.envelopes[(await binding(w, inside.binding)).envelope!]?.live === true,
        'the in-window envelope was disturbed',
      );
      ev.code('PHI_ERR_COHERENCE_TIMEOUT');
      ev.seq(seq);
      ev.note(`group ${seq}: ${types.join(', ')}`);
    },
  },
  {
    id: 'domain.phi.stability_breach',
    section: '6.2',
    module: 'domain/phi_integrity_tests',
    title: 'A signed stability report below tolerance terminates the envelope and escalates',
    mandatory: true,
    run: async (w, ev, s) => {
      const p = await w.provider('PHI', { envelopes: 8 }, ['rotate']);
      const a = await w.vhm(s.t1);
      const l = (await w.head()).l;
      const { contract: c, binding: b } = await w.bind(a, phiBody(p, l, FAR, 5000));
      const env = (await binding(w, b)).envelope!;
      await ok('report within tolerance', w.phiReport(p, env, 9000));
      must(
        (await liveState(w)).envelopes[env]?.live === true,
        'a report within tolerance ended the envelope',
      );
      const r = await ok('report below tolerance', w.phiReport(p, env, 4000));
      const seq = seqOf(r);
      const types = (await w.group(seq)).map((e) => e.type);
      const st = await liveState(w);
      must(st.envelopes[env]?.live === false, `envelope ${env} survived a breach`);
      must(
        st.envelopes[env]?.reason === 'PHI_ERR_STABILITY_BREACH',
        `envelope ended with ${st.envelopes[env]?.reason}`,
      );
      must((await contract(w, c)).status === 'revoked', 'the Φ contract was not invalidated');
      must(types.includes('fault.escalated'), `no fault escalation in ${types.join(', ')}`);
      const fault = Object.values(st.faults).find(
        (f) => f.contract === c && f.code === 'PHI_ERR_STABILITY_BREACH',
      );
      must(fault, 'no PHI_ERR_STABILITY_BREACH fault recorded');
      ev.code('PHI_ERR_STABILITY_BREACH');
      ev.seq(seq);
      ev.note(`report group ${seq}: ${types.join(', ')}`);
      // A forged report (wrong key) is refused: the breach path cannot be triggered by anyone.
      const forged = { provider: p.id, seq: ++p.reportSeq, envelopes: [] };
      const rf = await w.http.post(`/v1/providers/${p.id}/reports/phi`, {
        report: forged,
        signature: 'ab'.repeat(3309),
      });
      must(rf.status >= 400, `a report with a forged signature was accepted (${rf.status})`);
      ev.code(String(rf.body.code));
    },
  },
  {
    id: 'domain.phi.envelope_isolation',
    section: '6.3',
    module: 'domain/phi_integrity_tests',
    title: "Another VHM cannot use, bind or overlap a VHM's envelope",
    mandatory: true,
    run: async (w, ev, s) => {
      const p = await w.provider('PHI', { envelopes: 8 }, ['rotate']);
      const a = await w.vhm(s.t1);
      const b = await w.vhm(s.t1);
      const l = (await w.head()).l;
      const { contract: c, binding: bd } = await w.bind(a, phiBody(p, l, 10_000));
      const vhms = [a.id, b.id];
      await w.rejected(
        ev,
        "transform on another VHM's envelope",
        () =>
          w.http.post(`/v1/bindings/${bd}/transforms`, { capability: b.root, transform: 'rotate' }, b.token),
        'HV_CAP_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        "bind another VHM's Φ contract",
        () => w.http.post(`/v1/vhms/${b.id}/bindings`, { capability: b.root, contract: c }, b.token),
        'HV_CONTRACT_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        "overlap another VHM's coherence window",
        () =>
          w.http.post(
            `/v1/vhms/${b.id}/contracts`,
            { capability: b.root, ...phiBody(p, l + 5, 100) },
            b.token,
          ),
        'HV_WINDOW_OVERLAP',
        { vhms },
      );
      await w.rejected(
        ev,
        'another tenant transforms the envelope',
        () =>
          w.http.post(
            `/v1/bindings/${bd}/transforms`,
            { capability: b.root, transform: 'rotate' },
            s.t2.admin,
          ),
        'HV_NOT_FOUND',
        { vhms, logged: false },
      );
      must(
        (await w.http.get(`/v1/bindings/${bd}`, s.t2.admin)).status === 404,
        'another tenant can read the Φ binding',
      );
    },
  },
];
