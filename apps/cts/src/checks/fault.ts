// §10 fault injection: each fault script runs twice on fresh objects and both runs must agree.

import { must, ok } from '../http.js';
import { binding, contract, FAR, liveState, phiBody, qBody, qSetup, seqOf, shape, twice } from './support.js';
import type { TestDef } from './types.js';

export const FAULT_TESTS: TestDef[] = [
  {
    id: 'fault.decoherence_spike',
    section: '10',
    module: 'fault_injection/decoherence_fault_tests',
    title: 'Q decoherence spike: charged, then beyond budget invalidates and escalates; reproducible',
    mandatory: true,
    run: async (w, ev, s) => {
      await twice(ev, 'decoherence spike', async () => {
        const { q, cal } = await qSetup(w);
        const a = await w.vhm(s.t1);
        const { contract: c, binding: b } = await w.bind(a, qBody(q, cal, 20));
        const out: string[] = [];
        const spike = async (amount: number) => {
          const r = await ok(
            'inject spike',
            w.http.post('/v1/faults/inject', { kind: 'decoherence_spike', target: c, amount }),
          );
          out.push(...shape(await w.group(seqOf(r))));
          ev.seq(seqOf(r));
        };
        await spike(5);
        must((await contract(w, c)).consumed === 5, 'a spike within budget was not charged');
        await spike(100);
        const ct = await contract(w, c);
        must(
          ct.status === 'revoked' && ct.reason === 'Q_ERR_DECOHERENCE_EXCEEDED',
          `contract is ${ct.status} (${ct.reason})`,
        );
        const j = await w.http.post(`/v1/bindings/${b}/jobs`, { capability: a.root, cost: 1 }, a.token);
        must(j.status >= 400, 'a job ran on an invalidated contract');
        out.push(`job:${j.status}:${String(j.body.code)}`);
        ev.code('Q_ERR_DECOHERENCE_EXCEEDED');
        return out;
      });
    },
  },
  {
    id: 'fault.instability',
    section: '10',
    module: 'fault_injection/coherence_instability_tests',
    title: 'Φ instability injection: within tolerance tolerated, below terminates; reproducible',
    mandatory: true,
    run: async (w, ev, s) => {
      await twice(ev, 'instability', async () => {
        const p = await w.provider('PHI', { envelopes: 4 }, ['rotate']);
        const a = await w.vhm(s.t1);
        const l = (await w.head()).l;
        const { binding: b } = await w.bind(a, phiBody(p, l, FAR, 6000));
        const env = (await binding(w, b)).envelope!;
        const out: string[] = [];
        for (const amount of [7000, 3000]) {
          const r = await ok(
            'inject instability',
            w.http.post('/v1/faults/inject', { kind: 'instability', target: env, amount }),
          );
          out.push(...shape(await w.group(seqOf(r))));
          ev.seq(seqOf(r));
          const live = (await liveState(w)).envelopes[env]?.live;
          must(live === amount >= 6000, `after stability ${amount} the envelope live=${live}`);
        }
        const t = await w.http.post(
          `/v1/bindings/${b}/transforms`,
          { capability: a.root, transform: 'rotate' },
          a.token,
        );
        must(t.status >= 400, 'a transform ran on a terminated envelope');
        out.push(`transform:${t.status}:${String(t.body.code)}`);
        ev.code('PHI_ERR_STABILITY_BREACH');
        return out;
      });
    },
  },
  {
    id: 'fault.capability_revocation',
    section: '10',
    module: 'fault_injection/decoherence_fault_tests',
    title: 'Capability revocation mid-execution: the subtree stops working, nothing else does; reproducible',
    mandatory: true,
    run: async (w, ev, s) => {
      await twice(ev, 'capability revocation', async () => {
        const { q, cal } = await qSetup(w);
        const a = await w.vhm(s.t1);
        const { binding: b } = await w.bind(a, qBody(q, cal, 100));
        const exec = await w.derive(a, a.root, ['EXECUTE_Q']);
        const sub = await w.derive(a, exec, ['EXECUTE_Q']);
        const job = (cap: string) =>
          w.http.post(`/v1/bindings/${b}/jobs`, { capability: cap, cost: 1 }, a.token);
        const out: string[] = [];
        must((await job(sub)).status === 201, 'the job before revocation failed');
        const r = await ok(
          'inject revocation',
          w.http.post('/v1/faults/inject', { kind: 'capability_revocation', target: exec }),
        );
        out.push(...shape(await w.group(seqOf(r))));
        ev.seq(seqOf(r));
        for (const cap of [exec, sub]) {
          const j = await job(cap);
          must(
            j.body.code === 'HV_CAP_REVOKED',
            `a job with revoked ${cap} answered ${j.status} ${String(j.body.code)}`,
          );
          out.push(`job:${j.status}:${String(j.body.code)}`);
        }
        must((await job(a.root)).status === 201, 'the fault spread beyond the revoked subtree');
        ev.code('HV_CAP_REVOKED');
        return out;
      });
    },
  },
  {
    id: 'fault.contract_invalidation',
    section: '10',
    module: 'fault_injection/decoherence_fault_tests',
    title: 'Contract invalidation: binding released, fault escalated, other VHMs untouched; reproducible',
    mandatory: true,
    run: async (w, ev, s) => {
      await twice(ev, 'contract invalidation', async () => {
        const { q, cal } = await qSetup(w);
        const a = await w.vhm(s.t1);
        const b = await w.vhm(s.t1);
        const { contract: c, binding: bd } = await w.bind(a, qBody(q, cal, 100));
        await w.bind(b, qBody(q, cal, 100));
        const other = await w.snapshot([b.id]);
        const r = await ok(
          'inject invalidation',
          w.http.post('/v1/faults/inject', { kind: 'contract_invalidation', target: c }),
        );
        const out = shape(await w.group(seqOf(r)));
        ev.seq(seqOf(r));
        must(
          out.some((x) => x.startsWith('fault.escalated')),
          'no fault escalation',
        );
        must((await contract(w, c)).status === 'revoked', 'the contract is still valid');
        must((await binding(w, bd)).state === 'released', 'the binding was not released');
        must((await w.snapshot([b.id])) === other, 'the fault changed another VHM');
        const j = await w.http.post(`/v1/bindings/${bd}/jobs`, { capability: a.root, cost: 1 }, a.token);
        must(j.status >= 400, 'a job ran on an invalidated contract');
        out.push(`job:${j.status}:${String(j.body.code)}`);
        ev.code('HV_CONTRACT_INVALID');
        return out;
      });
    },
  },
  {
    id: 'fault.network_partition',
    section: '10',
    module: 'fault_injection/decoherence_fault_tests',
    title: 'Network partition',
    mandatory: false,
    notApplicable:
      'single-node hypervisor: there is no network between nodes to partition (the API offers no such fault kind)',
  },
];
