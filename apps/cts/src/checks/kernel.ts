// §4 kernel conformance: scheduler determinism, capability enforcement, memory isolation.

import type { Entry } from '@xdv/core';
import { must, ok } from '../http.js';
import type { TenantRef, VhmRef, World } from '../world.js';
import { kBody, phiBody, replayTrace } from './support.js';
import type { TestDef } from './types.js';

/** Submit a fixed script of units and ticks; the decisions, with run-local names for ids. */
async function schedulerScript(w: World, t: TenantRef): Promise<{ decisions: string[]; seqs: number[] }> {
  const a = await w.vhm(t);
  const b = await w.vhm(t);
  const names = new Map<string, string>([
    [a.id, 'A'],
    [b.id, 'B'],
  ]);
  await ok(
    'set schedule',
    w.http.call('PUT', `/v1/vhms/${a.id}/schedule`, { token: t.admin, body: { weight: 200, maxQueued: 64 } }),
  );
  await ok(
    'set schedule',
    w.http.call('PUT', `/v1/vhms/${b.id}/schedule`, { token: t.admin, body: { weight: 100, maxQueued: 64 } }),
  );
  const procs: Array<[VhmRef, string]> = [];
  for (const v of [a, b, a, b]) {
    const p = await w.process(v);
    names.set(p, `${names.get(v.id)}.p${procs.length}`);
    procs.push([v, p]);
  }
  const start = (await w.head()).seq;
  const units: string[] = [];
  const submit = async (i: number, priority: number, quanta: number) => {
    const [v, p] = procs[i]!;
    const r = await ok(
      'submit unit',
      w.http.post<{ created: { unit: string } }>(
        '/v1/scheduler/units',
        { vhm: v.id, capability: v.root, process: p, domain: 'K', priority, quanta },
        v.token,
      ),
    );
    names.set(r.created.unit, `u${units.length}`);
    units.push(r.created.unit);
  };
  const tick = () => ok('tick', w.http.post('/v1/scheduler/tick'));
  // A fixed interleaving: priorities, quanta and arrival during running work all matter.
  await submit(0, 1, 2);
  await submit(1, 5, 1);
  await submit(2, 0, 3);
  await tick();
  await submit(3, 2, 2);
  await tick();
  await submit(1, 9, 1);
  for (let i = 0; i < 14; i++) await tick();
  const r = await ok(
    'read decisions',
    w.http.get<{ items: Entry[] }>(`/v1/trace?after=${start}&type=sched.decision&limit=1000`),
  );
  const rename = (id: string) => names.get(id) ?? null;
  const decisions = r.items.map((e) => {
    const p = e.payload as {
      completed: string[];
      requeued: string[];
      dispatched: Array<{
        unit: string;
        vhm: string;
        domain: string;
        process: string;
        priority: number;
        waited: number;
      }>;
    };
    return JSON.stringify({
      completed: p.completed.map(rename).filter(Boolean),
      requeued: p.requeued.map(rename).filter(Boolean),
      dispatched: p.dispatched
        .filter((d) => names.has(d.unit))
        .map((d) => ({
          unit: rename(d.unit),
          vhm: rename(d.vhm),
          process: rename(d.process),
          domain: d.domain,
          priority: d.priority,
          waited: d.waited,
        })),
    });
  });
  return { decisions, seqs: r.items.map((e) => e.seq) };
}

export const KERNEL_TESTS: TestDef[] = [
  {
    id: 'kernel.scheduler.determinism',
    section: '4.1',
    module: 'kernel/scheduler_tests',
    title: 'Scheduler determinism: S0, I -> T1 == T2, and the trace replays to the same decisions',
    mandatory: true,
    run: async (w, ev, s) => {
      const one = await schedulerScript(w, s.t1);
      const two = await schedulerScript(w, s.t1);
      must(one.decisions.length > 0, 'the script produced no scheduler decisions');
      must(
        JSON.stringify(one.decisions) === JSON.stringify(two.decisions),
        `decision sequences differ:\n${one.decisions.join('\n')}\n---\n${two.decisions.join('\n')}`,
      );
      must(
        one.decisions.some((d) => d.includes('"dispatched":[{')),
        'no unit was ever dispatched',
      );
      for (const q of [...one.seqs, ...two.seqs]) ev.seq(q);
      const { result } = await replayTrace(w);
      must(result.ok, `local replay mismatch: ${JSON.stringify(result.mismatch)}`);
      const last = Math.max(...two.seqs);
      must(result.entries >= last, `replay stopped at ${result.entries}, before decision ${last}`);
      ev.note(
        `${one.decisions.length} decisions identical in two runs; local replay regenerated all ${result.entries} entries byte for byte`,
      );
    },
  },
  {
    id: 'kernel.capability.enforcement',
    section: '4.2',
    module: 'kernel/capability_tests',
    title: 'Unauthorized, forged and revoked capabilities are rejected, logged, and mutate nothing',
    mandatory: true,
    run: async (w, ev, s) => {
      const k = await w.provider('K', { memory: 1 << 22, cpu: 64 });
      const phi = await w.provider('PHI', { envelopes: 4 }, ['rotate']);
      const a = await w.vhm(s.t1);
      const b = await w.vhm(s.t1);
      const onlyK = await w.derive(a, a.root, ['BIND_K']);
      const revoked = await w.derive(a, a.root, ['BIND_K', 'PROCESS']);
      const grandchild = await w.derive(a, revoked, ['BIND_K']);
      await ok(
        'revoke capability',
        w.http.post(`/v1/vhms/${a.id}/capabilities/${revoked}/revoke`, undefined, a.token),
      );
      const vhms = [a.id, b.id];
      const alloc =
        (cap: string, body: object, token = a.token) =>
        () =>
          w.http.post(`/v1/vhms/${a.id}/contracts`, { capability: cap, ...body }, token);
      const l = (await w.head()).l;
      await w.rejected(
        ev,
        'domain call without the right (ALLOC_PHI)',
        alloc(onlyK, phiBody(phi, l)),
        'HV_CAP_RIGHTS',
        { vhms },
      );
      await w.rejected(ev, 'tenant viewer token', alloc(a.root, kBody(k, 0), s.t1.viewer), 'HV_FORBIDDEN', {
        vhms,
      });
      await w.rejected(ev, "another tenant's admin", alloc(a.root, kBody(k, 0), s.t2.admin), 'HV_NOT_FOUND', {
        vhms,
      });
      await w.rejected(
        ev,
        'forged (nonexistent) capability',
        alloc('cap-987654321', kBody(k, 0)),
        'HV_CAP_INVALID',
        { vhms },
      );
      await w.rejected(
        ev,
        "forged (another VHM's) capability",
        alloc(b.root, kBody(k, 0)),
        'HV_CAP_FOREIGN',
        { vhms },
      );
      await w.rejected(ev, 'revoked capability reuse', alloc(revoked, kBody(k, 0)), 'HV_CAP_REVOKED', {
        vhms,
      });
      await w.rejected(
        ev,
        'capability derived from a revoked one',
        alloc(grandchild, kBody(k, 0)),
        'HV_CAP_REVOKED',
        { vhms },
      );
      await w.rejected(
        ev,
        'revoked capability spawning a process',
        () => w.http.post(`/v1/vhms/${a.id}/processes`, { capability: revoked, name: 'x' }, a.token),
        'HV_CAP_REVOKED',
        { vhms },
      );
      // A dry run must predict the same refusal.
      const dry = await w.http.post<{ wouldBe: string; error: { code: string } | null }>(
        `/v1/vhms/${a.id}/contracts?dryRun=true`,
        { capability: revoked, ...kBody(k, 0) },
        a.token,
      );
      must(
        dry.body.wouldBe === 'rejected' && dry.body.error?.code === 'HV_CAP_REVOKED',
        `dry run answered ${JSON.stringify(dry.body)}`,
      );
    },
  },
  {
    id: 'kernel.memory.isolation',
    section: '4.3',
    module: 'kernel/memory_isolation_tests',
    title: 'Cross-process and cross-VHM memory access is refused and logged',
    mandatory: true,
    run: async (w, ev, s) => {
      const k = await w.provider('K', { memory: 1 << 22, cpu: 64 });
      const a = await w.vhm(s.t1);
      const b = await w.vhm(s.t1);
      const pa = await w.process(a);
      await w.process(b);
      await w.allocate(a, kBody(k, 0, 65536, [5]));
      const vhms = [a.id, b.id];
      await w.rejected(
        ev,
        "exit another VHM's process",
        () => w.http.post(`/v1/vhms/${b.id}/processes/${pa}/exit`, { capability: b.root }, b.token),
        'HV_NOT_FOUND',
        { vhms },
      );
      await w.rejected(
        ev,
        "exit a process with another VHM's capability",
        () => w.http.post(`/v1/vhms/${a.id}/processes/${pa}/exit`, { capability: b.root }, b.token),
        'HV_CAP_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        "schedule another VHM's process",
        () =>
          w.http.post(
            '/v1/scheduler/units',
            { vhm: b.id, capability: b.root, process: pa, domain: 'K' },
            b.token,
          ),
        'HV_NOT_FOUND',
        { vhms },
      );
      await w.rejected(
        ev,
        "overlap another VHM's memory range",
        () =>
          w.http.post(
            `/v1/vhms/${b.id}/contracts`,
            { capability: b.root, ...kBody(k, 32768, 4096) },
            b.token,
          ),
        'HV_MEMORY_OVERLAP',
        { vhms },
      );
      await w.rejected(
        ev,
        "take another VHM's interrupt vector",
        () =>
          w.http.post(
            `/v1/vhms/${b.id}/contracts`,
            { capability: b.root, ...kBody(k, 1 << 20, 4096, [5]) },
            b.token,
          ),
        'HV_IRQ_CONFLICT',
        { vhms },
      );
      // Isolation is not blanket refusal: a disjoint range and vector are granted.
      await w.allocate(b, kBody(k, 65536, 4096, [6]));
      ev.note('disjoint range [65536, 69632) with vector 6 granted');
    },
  },
];
