import { checkAll, type Entry, replay, type State, stateHash } from '@xdv/core';
import { type Http, must, ok } from './http.js';
import { Evidence, type ProviderRef, type TenantRef, type VhmRef, World } from './world.js';

// The XDV-084 tests that apply to a single-node hypervisor, driven only through the REST API.
// Each test builds its own tenants, VHMs and providers, so tests are independent and order-free,
// except the replay tests (§9), which run last so that the trace they check holds everything else.

export type Status = 'pass' | 'fail' | 'not_applicable';

export interface TestResult {
  id: string;
  section: string;
  module: string;
  title: string;
  mandatory: boolean;
  status: Status;
  reason: string | null;
  evidence: { codes: string[]; seqs: number[]; notes: string[] };
}

export interface Shared {
  t1: TenantRef;
  t2: TenantRef;
  /** Filled by the replay test for the report. */
  replay: { ok: boolean; entries: number; head: string; stateHash: string | null; detail: string } | null;
  invariants: { ok: boolean; violations: number; detail: string } | null;
}

export interface TestDef {
  id: string;
  section: string;
  module: string;
  title: string;
  mandatory: boolean;
  notApplicable?: string;
  run?: (w: World, ev: Evidence, s: Shared) => Promise<void>;
}

const FAR = 1_000_000_000;
const Q_OPS = ['h', 'cx', 'measure'];

async function qSetup(w: World): Promise<{ q: ProviderRef; cal: string }> {
  const q = await w.provider('Q', { qubits: 100 }, Q_OPS);
  return { q, cal: await w.calibration(q, 0, FAR) };
}
const qBody = (q: ProviderRef, cal: string, budget = 50, qubits = 4) => ({
  domain: 'Q',
  provider: q.id,
  q: { qubits, budget, calibration: cal },
});
const kBody = (k: ProviderRef, base: number, size = 4096, irqs: number[] = []) => ({
  domain: 'K',
  provider: k.id,
  k: { base, size, cpu: 1, irqs },
});
const phiBody = (p: ProviderRef, start: number, duration = FAR, tolerance = 5000) => ({
  domain: 'PHI',
  provider: p.id,
  phi: { start, duration, tolerance },
});

async function binding(
  w: World,
  id: string,
): Promise<{ container: string | null; envelope: string | null; state: string }> {
  return ok('read binding', w.http.get(`/v1/bindings/${id}`));
}
async function contract(
  w: World,
  id: string,
): Promise<{ status: string; consumed: number; reason: string | null }> {
  return ok('read contract', w.http.get(`/v1/contracts/${id}`));
}
async function liveState(w: World): Promise<State> {
  const r = await ok('read state', w.http.get<{ state: State }>(`/v1/replay/state?l=${FAR}`));
  return r.state;
}
/** Trace rows as `type:outcome:code`, ids stripped: what two runs of a fault script must agree on. */
function shape(entries: Entry[]): string[] {
  return entries.map(
    (e) => `${e.type}:${e.outcome}:${typeof e.payload.code === 'string' ? e.payload.code : ''}`,
  );
}
function seqOf(body: unknown): number {
  const s = (body as { seq?: unknown }).seq;
  must(typeof s === 'number', `reply names no trace seq: ${JSON.stringify(body)}`);
  return s;
}

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

/** Download and replay the whole trace with @xdv/core. */
async function replayTrace(w: World): Promise<{ trace: Entry[]; result: ReturnType<typeof replay> }> {
  const trace = await w.trace();
  const result = replay(trace.map((e) => ({ seq: e.seq, text: e.text, hash: e.hash })));
  return { trace, result };
}

/** Run a deterministic fault script twice, each time on fresh objects; both runs must agree. */
async function twice(ev: Evidence, label: string, script: () => Promise<string[]>): Promise<void> {
  const one = await script();
  const two = await script();
  must(
    JSON.stringify(one) === JSON.stringify(two),
    `${label}: two runs of the same script differ:\n${one.join(' | ')}\n${two.join(' | ')}`,
  );
  ev.note(`${label}: ${one.length} steps, identical in two runs`);
}

export const TESTS: TestDef[] = [
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
  {
    id: 'hypervisor.vhm.isolation',
    section: '7.1',
    module: 'hypervisor/vhm_isolation_tests',
    title: 'Resource cross-binding between VHMs is refused; another tenant sees nothing',
    mandatory: true,
    run: async (w, ev, s) => {
      const k = await w.provider('K', { memory: 1 << 22, cpu: 64 });
      const { q, cal } = await qSetup(w);
      const a = await w.vhm(s.t1);
      const b = await w.vhm(s.t1);
      const kc = await w.allocate(a, kBody(k, 0));
      const { binding: qb } = await w.bind(a, qBody(q, cal));
      const vhms = [a.id, b.id];
      await w.rejected(
        ev,
        "bind another VHM's contract",
        () => w.http.post(`/v1/vhms/${b.id}/bindings`, { capability: b.root, contract: kc }, b.token),
        'HV_CONTRACT_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        "activate another VHM's contract",
        () => w.http.post(`/v1/contracts/${kc}/activate`, { capability: b.root }, b.token),
        'HV_CAP_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        "run a job on another VHM's Q binding",
        () => w.http.post(`/v1/bindings/${qb}/jobs`, { capability: b.root, cost: 1 }, b.token),
        'HV_CAP_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        'another tenant allocates in the VHM',
        () =>
          w.http.post(`/v1/vhms/${a.id}/contracts`, { capability: a.root, ...kBody(k, 1 << 20) }, s.t2.admin),
        'HV_NOT_FOUND',
        { vhms },
      );
      for (const path of [
        `/v1/vhms/${a.id}`,
        `/v1/contracts/${kc}`,
        `/v1/bindings/${qb}`,
        `/v1/vhms/${a.id}/capabilities`,
      ]) {
        const r = await w.http.get(path, s.t2.admin);
        must(
          r.status === 404 && r.body.code === 'HV_NOT_FOUND',
          `another tenant reading ${path} got ${r.status}`,
        );
      }
      const list = await ok(
        'list as other tenant',
        w.http.get<{ items: Array<{ id: string }> }>('/v1/vhms?limit=500', s.t2.admin),
      );
      must(!list.items.some((v) => v.id === a.id), "another tenant's VHM list shows the VHM");
      const tr = await ok(
        'trace as other tenant',
        w.http.get<{ items: Entry[] }>(`/v1/trace?vhm=${a.id}&limit=1000`, s.t2.admin),
      );
      must(
        tr.items.every((e) => e.tenant === s.t2.id),
        "another tenant's trace shows the VHM's entries",
      );
      ev.note('4 reads by another tenant answered 404; its lists and trace omit the VHM');
    },
  },
  {
    id: 'hypervisor.nested.virtualization',
    section: '7.2',
    module: 'hypervisor/nested_virtualization_tests',
    title: 'A nested VHM has its own capability root: parent capabilities are refused in it',
    mandatory: true,
    run: async (w, ev, s) => {
      const k = await w.provider('K', { memory: 1 << 22, cpu: 64 });
      const a = await w.vhm(s.t1);
      const pc = await w.allocate(a, kBody(k, 0));
      const r = await ok(
        'spawn nested VHM',
        w.http.post<{ created: { vhm: string; capability: string } }>(
          '/v1/vhms',
          { name: w.name('child'), quota: { memory: 1 << 16, cpu: 4 }, parent: a.id, capability: a.root },
          a.token,
        ),
      );
      const child: VhmRef = { id: r.created.vhm, root: r.created.capability, token: a.token };
      await ok('validate child', w.http.post(`/v1/vhms/${child.id}/validate`, undefined, a.token));
      await ok('activate child', w.http.post(`/v1/vhms/${child.id}/activate`, undefined, a.token));
      must(child.root !== a.root, 'the child reuses the parent capability');
      const vhms = [a.id, child.id];
      await w.rejected(
        ev,
        'parent capability used in the child',
        () =>
          w.http.post(
            `/v1/vhms/${child.id}/contracts`,
            { capability: a.root, ...kBody(k, 1 << 20) },
            a.token,
          ),
        'HV_CAP_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        'child capability used in the parent',
        () =>
          w.http.post(
            `/v1/vhms/${a.id}/contracts`,
            { capability: child.root, ...kBody(k, 1 << 20) },
            a.token,
          ),
        'HV_CAP_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        "child binds the parent's contract",
        () => w.http.post(`/v1/vhms/${child.id}/bindings`, { capability: child.root, contract: pc }, a.token),
        'HV_CONTRACT_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        'parent capability spawns a grandchild',
        () =>
          w.http.post(
            '/v1/vhms',
            { name: w.name('gc'), quota: { memory: 1024 }, parent: child.id, capability: a.root },
            a.token,
          ),
        'HV_CAP_FOREIGN',
        { vhms },
      );
      await w.allocate(child, kBody(k, 1 << 20));
      ev.note('the child allocates with its own root capability');
    },
  },
  {
    id: 'distributed.global_ordering',
    section: '8.1',
    module: 'distributed/ordering_tests',
    title: 'Global logical ordering across nodes',
    mandatory: false,
    notApplicable:
      'single-node hypervisor: one totally ordered trace, no cluster to order across (ordering is covered by §4.1 and §11)',
  },
  {
    id: 'distributed.consensus',
    section: '8.2',
    module: 'distributed/consensus_tests',
    title: 'Φ-native consensus determinism',
    mandatory: false,
    notApplicable: 'single-node hypervisor: no consensus protocol between nodes',
  },
  {
    id: 'distributed.node_failure',
    section: '8.3',
    module: 'distributed/consensus_tests',
    title: 'Node failure handling',
    mandatory: false,
    notApplicable: 'single-node hypervisor: no node to disconnect (Q/Φ hardware faults are covered by §10)',
  },
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
  {
    id: 'performance.fairness',
    section: '11',
    module: 'kernel/scheduler_tests',
    title: 'Scheduler fairness: dispatches between weighted VHMs follow their weights over N ticks',
    mandatory: true,
    run: async (w, ev, s) => {
      const a = await w.vhm(s.t1);
      const b = await w.vhm(s.t1);
      await ok(
        'weight',
        w.http.call('PUT', `/v1/vhms/${a.id}/schedule`, {
          token: a.token,
          body: { weight: 300, maxQueued: 100 },
        }),
      );
      await ok(
        'weight',
        w.http.call('PUT', `/v1/vhms/${b.id}/schedule`, {
          token: b.token,
          body: { weight: 100, maxQueued: 100 },
        }),
      );
      const N = 40;
      for (const v of [a, b]) {
        const p = await w.process(v);
        for (let i = 0; i < N; i++)
          await ok(
            'submit',
            w.http.post(
              '/v1/scheduler/units',
              { vhm: v.id, capability: v.root, process: p, domain: 'K' },
              v.token,
            ),
          );
      }
      const start = (await w.head()).seq;
      for (let i = 0; i < N; i++) await ok('tick', w.http.post('/v1/scheduler/tick'));
      const r = await ok(
        'decisions',
        w.http.get<{ items: Entry[] }>(`/v1/trace?after=${start}&type=sched.decision&limit=1000`),
      );
      const count = { a: 0, b: 0 };
      for (const e of r.items)
        for (const d of e.payload.dispatched as Array<{ vhm: string }>) {
          if (d.vhm === a.id) count.a++;
          if (d.vhm === b.id) count.b++;
        }
      must(count.b > 0, 'the weight-100 VHM was starved');
      must(
        Math.abs(count.a - 3 * count.b) <= 4,
        `dispatches ${count.a}:${count.b} do not follow weights 300:100`,
      );
      ev.note(`${N} ticks: weight 300 got ${count.a}, weight 100 got ${count.b}`);
      // Leave no queued units behind to compete with later tests.
      for (const v of [a, b])
        await ok('terminate', w.http.post(`/v1/vhms/${v.id}/terminate`, undefined, v.token));
    },
  },
  {
    id: 'performance.no_starvation',
    section: '11',
    module: 'kernel/scheduler_tests',
    title: 'Absence of starvation: deterministic aging dispatches a low-priority unit within its bound',
    mandatory: true,
    run: async (w, ev, s) => {
      const cfg = await ok(
        'scheduler config',
        w.http.get<{ config: { agingThreshold: number; agingStep: number } }>('/v1/scheduler'),
      );
      const a = await w.vhm(s.t1);
      const p = await w.process(a);
      const submit = (priority: number) =>
        ok(
          'submit',
          w.http.post<{ created: { unit: string } }>(
            '/v1/scheduler/units',
            { vhm: a.id, capability: a.root, process: p, domain: 'K', priority },
            a.token,
          ),
        );
      const HIGH = 3;
      await submit(HIGH);
      const lowReply = await submit(0);
      const low = lowReply.created.unit;
      const lowL = (lowReply as unknown as { l: number }).l;
      // Each round a fresh high-priority unit arrives in the same VHM and the scheduler ticks.
      // Without aging the low unit would wait forever; with it, once the low unit has waited the
      // aging bound it outranks every newcomer, so no later dispatch of this VHM may skip it. (Only
      // this VHM's dispatches are judged: other VHMs' units share the lane on a shared service.)
      const bound = Math.ceil(HIGH / cfg.config.agingStep) * cfg.config.agingThreshold;
      for (let i = 0; i < 200; i++) {
        await submit(HIGH);
        // Aging counts clock ticks waited: let one pass each round (only the clock moves L).
        await ok('advance clock', w.http.post('/v1/clock/advance', { ticks: 1 }));
        const t = await ok('tick', w.http.post<{ entries: Entry[] }>('/v1/scheduler/tick'));
        const dec = t.entries.find((e) => e.type === 'sched.decision');
        if (!dec) continue;
        const mine = (dec.payload.dispatched as Array<{ unit: string; vhm: string; waited: number }>).filter(
          (x) => x.vhm === a.id,
        );
        const waited = dec.l - lowL;
        if (mine.some((x) => x.unit === low)) {
          ev.seq(dec.seq);
          ev.note(
            `low-priority unit dispatched after waiting ${waited} L (aging bound ${bound} L, round ${i + 1})`,
          );
          return;
        }
        must(
          !(mine.length > 0 && waited > bound + 2),
          `at L ${dec.l} a newer high-priority unit was dispatched although the low unit had waited ${waited} L (bound ${bound})`,
        );
      }
      must(false, 'the low-priority unit starved for 200 rounds');
    },
  },
  {
    id: 'performance.release_correctness',
    section: '11',
    module: 'kernel/scheduler_tests',
    title: 'Resource release correctness: capacity returns exactly after terminate',
    mandatory: true,
    run: async (w, ev, s) => {
      const k = await w.provider('K', { memory: 1 << 22, cpu: 64 });
      const { q, cal } = await qSetup(w);
      const p = await w.provider('PHI', { envelopes: 4 }, ['rotate']);
      const provs = [k, q, p];
      const alloc = async () => {
        const out: Record<string, unknown> = {};
        for (const x of provs)
          out[x.id] = (
            await ok('provider', w.http.get<{ allocated: unknown }>(`/v1/providers/${x.id}`))
          ).allocated;
        return JSON.stringify(out);
      };
      const tenantCarved = async () =>
        JSON.stringify(
          (await ok('tenant', w.http.get<{ carved: unknown }>(`/v1/tenants/${s.t1.id}`))).carved,
        );
      const before = await alloc();
      const carvedBefore = await tenantCarved();
      const a = await w.vhm(s.t1);
      await w.bind(a, kBody(k, 0, 8192, [9]));
      await w.bind(a, qBody(q, cal, 50, 7));
      await w.bind(a, phiBody(p, (await w.head()).l));
      const r = await ok(
        'spawn nested',
        w.http.post<{ created: { vhm: string; capability: string } }>(
          '/v1/vhms',
          {
            name: w.name('child'),
            quota: { memory: 1 << 16, cpu: 4, qubits: 2 },
            parent: a.id,
            capability: a.root,
          },
          a.token,
        ),
      );
      const child: VhmRef = { id: r.created.vhm, root: r.created.capability, token: a.token };
      await ok('validate', w.http.post(`/v1/vhms/${child.id}/validate`, undefined, a.token));
      await ok('activate', w.http.post(`/v1/vhms/${child.id}/activate`, undefined, a.token));
      await w.bind(child, kBody(k, 1 << 20, 4096));
      await w.bind(child, qBody(q, cal, 10, 2));
      const during = JSON.parse(await alloc()) as Record<
        string,
        { memory: number; qubits: number; envelopes: number; cpu: number }
      >;
      must(
        during[k.id]!.memory === 8192 + 4096 && during[k.id]!.cpu === 2,
        `K allocated ${JSON.stringify(during[k.id])}`,
      );
      must(during[q.id]!.qubits === 9, `Q allocated ${JSON.stringify(during[q.id])}`);
      must(during[p.id]!.envelopes === 1, `Φ allocated ${JSON.stringify(during[p.id])}`);
      const t = await ok('terminate', w.http.post(`/v1/vhms/${a.id}/terminate`, undefined, a.token));
      ev.seq(seqOf(t));
      const after = await alloc();
      must(after === before, `capacity did not return exactly: before ${before}, after ${after}`);
      const st = await liveState(w);
      for (const id of [a.id, child.id]) {
        must(st.vhms[id]?.state === 'terminated', `${id} is ${st.vhms[id]?.state}`);
        const live = Object.values(st.contracts).filter(
          (c) => c.vhm === id && (c.status === 'active' || c.status === 'issued'),
        );
        must(live.length === 0, `${id} still holds ${live.map((c) => c.id).join(', ')}`);
        must(
          !Object.values(st.containers).some((c) => c.vhm === id && c.live),
          `${id} keeps a live Q container`,
        );
        must(
          !Object.values(st.envelopes).some((e) => e.vhm === id && e.live),
          `${id} keeps a live Φ envelope`,
        );
      }
      await ok('release', w.http.post(`/v1/vhms/${a.id}/release`, undefined, a.token));
      const carvedAfter = await tenantCarved();
      must(
        carvedAfter === carvedBefore,
        `tenant quota carve did not return: ${carvedBefore} vs ${carvedAfter}`,
      );
      ev.note(
        'K, Q and Φ allocations and the tenant quota returned exactly after terminate + release (incl. a nested VHM)',
      );
    },
  },
  {
    id: 'replay.equivalence',
    section: '9.1',
    module: 'replay/replay_equivalence_tests',
    title: 'Replay equivalence: T_replay == T_original byte for byte, same final state',
    mandatory: true,
    run: async (w, ev, s) => {
      const head = await w.head();
      const { trace, result } = await replayTrace(w);
      must(trace.length > 0, 'the trace is empty');
      must(result.ok, `replay mismatch: ${JSON.stringify(result.mismatch ?? result.violations.slice(0, 3))}`);
      must(result.entries === trace.length, `replay verified ${result.entries} of ${trace.length} entries`);
      const last = trace.at(-1)!;
      must(
        result.state.head === last.hash && result.state.seq === last.seq,
        'the replayed head differs from the trace',
      );
      if (head.seq === last.seq)
        must(head.hash === last.hash, `head hash ${head.hash} differs from the last entry`);
      const served = await ok(
        'replay state',
        w.http.get<{ seq: number; state: State }>(`/v1/replay/state?l=${last.l}`),
      );
      const mine = stateHash(result.state);
      let detail = `${result.entries} entries, ${result.commands} commands replayed; head ${last.hash}`;
      if (served.seq === last.seq) {
        const theirs = stateHash(served.state);
        must(theirs === mine, `state hash at seq ${last.seq}: service ${theirs}, local replay ${mine}`);
        detail += `; state hash ${mine} equals the service's`;
      } else detail += `; service moved on to seq ${served.seq}, state hash not compared`;
      ev.seq(last.seq);
      ev.note(detail);
      s.replay = { ok: true, entries: result.entries, head: last.hash, stateHash: mine, detail };
    },
  },
  {
    id: 'replay.invariants',
    section: '9.2',
    module: 'replay/replay_equivalence_tests',
    title: 'Replay invariant validation: isolation, conservation, ordering hold on the replayed state',
    mandatory: true,
    run: async (w, ev, s) => {
      const { trace, result } = await replayTrace(w);
      const violations = [...result.violations, ...checkAll(result.state)];
      const v = await ok(
        'verify chain',
        w.http.get<{ ok: boolean; entries: number; mismatch: unknown }>('/v1/trace/verify'),
      );
      const live = await ok(
        'invariants',
        w.http.get<{ ok: boolean; checked: string[]; violations: unknown[] }>('/v1/invariants'),
      );
      s.invariants = {
        ok: violations.length === 0 && live.ok,
        violations: violations.length + live.violations.length,
        detail: `${live.checked.length} invariants checked on ${trace.length} replayed entries and on the live state`,
      };
      must(
        violations.length === 0,
        `invariant violations on replay: ${JSON.stringify(violations.slice(0, 5))}`,
      );
      must(v.ok, `the service's chain verification failed: ${JSON.stringify(v.mismatch)}`);
      must(live.ok, `live invariant violations: ${JSON.stringify(live.violations.slice(0, 5))}`);
      ev.note(s.invariants.detail);
      ev.note(`/v1/trace/verify ok over ${v.entries} entries`);
    },
  },
  {
    id: 'performance.clock_monotonicity',
    section: '11',
    module: 'replay/replay_equivalence_tests',
    title: 'Logical clock monotonicity across the whole trace',
    mandatory: true,
    run: async (w, ev) => {
      const trace = await w.trace();
      let groupL = -1;
      for (let i = 0; i < trace.length; i++) {
        const e = trace[i]!;
        must(e.seq === i + 1, `seq ${e.seq} at position ${i + 1}: gap or reorder`);
        if (e.outcome === 'effect') {
          must(e.l === groupL, `effect ${e.seq} at L ${e.l}, its command at L ${groupL}`);
          continue;
        }
        // Only an accepted clock tick moves L, by exactly its ticks; every other command, and any
        // refused one, happens at the L it found (XDV-082 §4.3: the clock alone orders time).
        const cmd = e.payload.command as { type?: string; ticks?: number } | undefined;
        const tick = e.outcome === 'accepted' && cmd?.type === 'clock.advance' ? (cmd.ticks ?? 0) : 0;
        const expected = groupL < 0 ? e.l : groupL + tick;
        must(
          e.l === expected,
          `command ${e.seq} (${cmd?.type ?? e.type}, ${e.outcome}) at L ${e.l}, expected L ${expected}`,
        );
        groupL = e.l;
      }
      ev.note(
        `${trace.length} entries: seq contiguous, L moved only by accepted clock ticks, effects share their command's L`,
      );
    },
  },
];

/** Run every test; a thrown CheckFailure (or any error) is that test's failure, never the suite's. */
export async function runAll(
  http: Http,
  opts: {
    prefix: string;
    seedBase: number;
    only?: (t: TestDef) => boolean;
    onResult?: (r: TestResult) => void;
  },
): Promise<{ results: TestResult[]; shared: Shared }> {
  const w = new World(http, opts.prefix, opts.seedBase);
  const shared: Shared = { t1: await w.tenant(), t2: await w.tenant(), replay: null, invariants: null };
  const results: TestResult[] = [];
  for (const t of TESTS.filter(opts.only ?? (() => true))) {
    const ev = new Evidence();
    let status: Status = 'pass';
    let reason: string | null = null;
    if (t.notApplicable || !t.run) {
      status = 'not_applicable';
      reason = t.notApplicable ?? 'not implemented';
    } else {
      try {
        await t.run(w, ev, shared);
      } catch (e) {
        status = 'fail';
        reason = e instanceof Error ? e.message : String(e);
      }
    }
    const r: TestResult = {
      id: t.id,
      section: t.section,
      module: t.module,
      title: t.title,
      mandatory: t.mandatory,
      status,
      reason,
      evidence: { codes: ev.codes, seqs: ev.seqs, notes: ev.notes },
    };
    results.push(r);
    opts.onResult?.(r);
  }
  return { results, shared };
}
