import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeSha256 } from '../node/sha256.js';
import {
  type Actor,
  type Command,
  canonicalJson,
  checkAll,
  cloneState,
  DEFAULT_CONFIG,
  type Entry,
  RIGHTS,
  renderFault,
  renderMessage,
  replay,
  type State,
  stateHash,
  step,
  TRANSITIONS,
} from '../src/index.js';
import * as scenario from '../src/scenario/builder.js';
import { quotaOf } from '../src/scenario/builder.js';
import { isCanonicalOrder } from '../src/trace/canonical.js';
import { activeVhm, fleet } from './world.js';

// Model-based property tests: random and hostile command sequences against a small fleet. After
// every step the complete invariant set holds; a rejection changes nothing but the clock and the
// trace; and the whole trace replays to the same state hash.

type Body = Record<string, unknown>;

/** The fleet every run starts from (signing registrations is slow, so it is built once). */
const base = (() => {
  const f = fleet();
  // A second VHM for tenant 2 and a nested one in vhm-1, so cross-tenant and nesting paths are live.
  activeVhm(f.w, f.a2, f.t2, 'other');
  activeVhm(
    f.w,
    f.a1,
    f.t1,
    'child',
    { vhm: f.vhm, cap: f.root },
    quotaOf({ memory: 1 << 16, cpu: 4, qubits: 5, envelopes: 1 }),
  );
  return f;
})();
const baseEntries: Entry[] = base.w.entries();

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const ids = (kind: string, n: number) => pick(Array.from({ length: n }, (_, i) => `${kind}-${i + 1}`));
const vhm = ids('vhm', 5);
const cap = ids('cap', 8);
const contract = ids('contract', 8);
const binding = ids('binding', 6);
const proc = ids('proc', 3);
const provider = ids('provider', 5);
const domain = pick(['K', 'Q', 'PHI'] as const);
const small = fc.integer({ min: 0, max: 12 });
const qty = pick([0, 1, 2, 5, 10, 30, 60, 4096, 1 << 18, 1 << 22]);
const rights = fc.subarray([...RIGHTS]);
const quota = fc.record({ vhms: small, memory: qty, cpu: small, qubits: qty, envelopes: small });

const actor: fc.Arbitrary<Actor> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Actor>({ kind: 'operator' }) },
  { weight: 4, arbitrary: fc.constant<Actor>({ kind: 'tenant', tenant: 'tenant-1', role: 'admin' }) },
  { weight: 2, arbitrary: fc.constant<Actor>({ kind: 'tenant', tenant: 'tenant-2', role: 'admin' }) },
  fc.constant<Actor>({ kind: 'tenant', tenant: 'tenant-1', role: 'viewer' }),
  fc.constant<Actor>({ kind: 'tenant', tenant: 'tenant-9', role: 'admin' }),
  fc.constant<Actor>({ kind: 'provider', name: 'qpu-1' }),
);

/** Well-typed commands over ids that may or may not exist, belong to someone else, or be revoked. */
const body: fc.Arbitrary<Body> = fc.oneof(
  fc.record({ type: fc.constant('clock.advance'), ticks: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ type: fc.constant('sched.tick') }),
  fc.record({
    type: fc.constant('vhm.create'),
    tenant: ids('tenant', 3),
    name: pick(['a', 'b', 'web']),
    quota,
    parent: fc.option(vhm, { nil: null }),
    capability: fc.option(cap, { nil: null }),
  }),
  fc.record({
    type: pick(['vhm.validate', 'vhm.activate', 'vhm.pause', 'vhm.resume', 'vhm.terminate', 'vhm.release']),
    vhm,
  }),
  fc.record({ type: fc.constant('vhm.setSchedule'), vhm, weight: small, maxQueued: small }),
  fc.record({ type: fc.constant('cap.derive'), vhm, capability: cap, rights }),
  fc.record({ type: fc.constant('cap.issue'), vhm, rights }),
  fc.record({ type: fc.constant('cap.revoke'), vhm, capability: cap }),
  fc.record({
    type: fc.constant('contract.allocate'),
    vhm,
    capability: cap,
    domain,
    provider,
    k: fc.record({
      base: pick([0, 4096, 1 << 20]),
      size: qty,
      cpu: small,
      irqs: fc.array(small, { maxLength: 3 }),
    }),
    q: fc.record({ qubits: qty, budget: small, calibration: ids('cal', 2) }),
    phi: fc.record({
      start: fc.integer({ min: 0, max: 80 }),
      duration: small,
      tolerance: pick([0, 5000, 9000]),
    }),
  }),
  fc.record({
    type: pick(['contract.activate', 'contract.release', 'binding.request']),
    vhm,
    capability: cap,
    contract,
  }),
  fc.record({ type: fc.constant('contract.revoke'), contract, reason: fc.constant('test') }),
  fc.record({
    type: pick(['binding.validate', 'binding.activate', 'binding.release']),
    vhm,
    capability: cap,
    binding,
  }),
  fc.record({
    type: fc.constant('q.job'),
    vhm,
    capability: cap,
    binding,
    cost: small,
    operations: fc.subarray(['h', 'cx', 'measure', 'teleport']),
  }),
  fc.record({
    type: fc.constant('phi.transform'),
    vhm,
    capability: cap,
    binding,
    transform: pick(['rotate', 'project', 'smash']),
    impact: small,
  }),
  fc.record({
    type: fc.constant('snapshot.take'),
    vhm,
    capability: cap,
    include: fc.subarray(['K', 'Q', 'PHI']),
  }),
  fc.record({
    type: fc.constant('vhm.migrate'),
    vhm,
    capability: cap,
    target: provider,
    qPolicy: pick(['reinit', 'live']),
    transferContracts: fc.subarray(['contract-1', 'contract-2', 'contract-3']),
  }),
  fc.record({
    type: fc.constant('ipc.open'),
    a: vhm,
    capabilityA: cap,
    b: vhm,
    capabilityB: cap,
    rights: fc.subarray(['MSG', 'PHI_SHARE']),
  }),
  fc.record({ type: fc.constant('ipc.close'), ipc: ids('ipc', 2) }),
  fc.record({ type: fc.constant('alert.acknowledge'), alert: ids('alert', 3), note: pick(['seen', '']) }),
  fc.record({ type: fc.constant('process.spawn'), vhm, capability: cap, name: fc.constant('p') }),
  fc.record({ type: fc.constant('process.exit'), vhm, capability: cap, process: proc }),
  fc.record({
    type: fc.constant('sched.submit'),
    vhm,
    capability: cap,
    process: proc,
    domain,
    contract: fc.option(contract, { nil: null }),
    priority: small,
    quanta: small,
  }),
  fc.record({
    type: fc.constant('fault.inject'),
    kind: pick(['decoherence_spike', 'instability', 'capability_revocation', 'contract_invalidation']),
    target: fc.oneof(contract, cap, ids('env', 3)),
    amount: pick([0, 1, 5, 100, 9000]),
  }),
  fc.record({
    type: fc.constant('report.error'),
    report: fc.record({
      provider,
      seq: small,
      code: pick(['Q_ERR_HARDWARE_FAILURE', 'PHI_ERR_HARDWARE_FAILURE', 'Q_ERR_MEASUREMENT_FAILURE']),
      contract: fc.option(contract, { nil: null }),
      message: fc.constant('x'),
    }),
    auth: fc.record({ signature: fc.constant('00'), verified: fc.boolean() }),
  }),
  fc.record({
    type: fc.constant('report.phi'),
    report: fc.record({
      provider,
      seq: small,
      envelopes: fc.array(
        fc.record({
          envelope: ids('env', 3),
          stability: pick([100, 6000, 9999]),
          noise: small,
          drift: small,
          impact: small,
        }),
        { maxLength: 2 },
      ),
    }),
    auth: fc.record({ signature: fc.constant('00'), verified: fc.constant(true) }),
  }),
  fc.record({
    type: fc.constant('report.q'),
    report: fc.record({
      provider,
      seq: small,
      qubits: fc.array(
        fc.record({
          qubit: pick([0, 1, 49, 50]),
          t1: pick([10, 120]),
          t2: pick([5, 60]),
          fidelity: pick([9000, 9990]),
          readoutError: pick([100, 900]),
        }),
        { maxLength: 2 },
      ),
    }),
    auth: fc.record({ signature: fc.constant('00'), verified: fc.boolean() }),
  }),
  // Operator administration and provider registration: the fleet's own identity keys (seeds 1–4,
  // so a re-registration re-attests or changes capacity) and a key nobody registered with.
  fc.record({ type: fc.constant('genesis'), config: fc.constant(DEFAULT_CONFIG) }),
  fc.record({
    type: fc.constant('firmware.trust'),
    measurement: pick(['f1f2f3f4f5f6f7f8a1a2a3a4a5a6a7a8', 'a0'.repeat(16), 'XYZ']),
  }),
  fc.record({ type: fc.constant('tenant.create'), name: pick(['acme', 'initech']), quota }),
  fc.record({ type: fc.constant('tenant.setQuota'), tenant: ids('tenant', 3), quota }),
  fc.record({
    type: fc.constant('calibration.issue'),
    provider,
    from: fc.integer({ min: 0, max: 80 }),
    until: fc.integer({ min: 0, max: 200 }),
  }),
  fc.record({
    type: fc.constant('provider.register'),
    registration: fc
      .tuple(
        pick([
          ['host-a', 'K', 1],
          ['qpu-1', 'Q', 3],
          ['phi-1', 'PHI', 4],
          ['new-1', 'Q', 7],
        ] as const),
        fc.record({ memory: qty, cpu: small, qubits: qty, envelopes: small }),
        pick(['f1f2f3f4f5f6f7f8a1a2a3a4a5a6a7a8', 'a0'.repeat(16)]),
        fc.boolean(),
      )
      .map(([[name, d, seed], capacity, firmware, liveTransfer]) => ({
        name,
        domain: d,
        capacity: {
          memory: d === 'K' ? capacity.memory : 0,
          cpu: d === 'K' ? capacity.cpu : 0,
          qubits: d === 'Q' ? capacity.qubits : 0,
          envelopes: d === 'PHI' ? capacity.envelopes : 0,
        },
        publicKey: scenario.providerKeys(seed).publicKey,
        firmware,
        features: { liveTransfer, operations: ['h', 'rotate'] },
      })),
    auth: fc.record({ signature: fc.constant('00'), verified: fc.boolean() }),
  }),
);

/** Values of the wrong shape, for any field. */
const garbage = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  pick([-1, 1.5, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY]),
  fc.string({ maxLength: 3 }),
  fc.constant('x'.repeat(300)),
  fc.constant({}),
  fc.constant([]),
  fc.constant([null]),
  fc.constant([{}]),
  fc.boolean(),
);

/** A command, sometimes with one field (possibly nested) replaced by garbage. */
const hostile: fc.Arbitrary<Command> = fc
  .tuple(body, actor, fc.option(fc.tuple(fc.nat(), fc.nat(), garbage), { freq: 4 }))
  .map(([b, a, g]) => {
    const cmd: Body = structuredClone(b);
    if (g) {
      const [i, j, value] = g;
      const keys = Object.keys(cmd).filter((k) => k !== 'type');
      const k = keys[i % keys.length];
      if (k !== undefined) {
        const inner = cmd[k];
        if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
          const innerKeys = Object.keys(inner);
          (inner as Body)[innerKeys[j % innerKeys.length] ?? 'x'] = value;
        } else if (Array.isArray(inner) && inner.length > 0) inner[j % inner.length] = value;
        else cmd[k] = value;
      }
    }
    return { ...cmd, actor: a } as unknown as Command;
  });

/** What a pure rejection leaves: the state one tick later (windows that close at that tick, closed). */
/** What any rejection leaves: the same state, only the trace (seq, head) moved; no time passes. */
function restingSuccessor(s: State): string {
  const c = cloneState(s);
  c.seq = 0;
  c.head = '';
  return stateHash(c, nodeSha256);
}

function domainHash(s: State): string {
  const c = cloneState(s);
  c.seq = 0;
  c.head = '';
  return stateHash(c, nodeSha256);
}

const MAY_REFUSE = new Set(['q.job', 'phi.transform']);

/** Resolve `$kind:vhm:n` to the n-th most recent (1-based) such id held by that VHM, at run time. */
function resolve(cmd: Command, s: State): Command {
  const out: Record<string, unknown> = { ...cmd };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== 'string' || !v.startsWith('$')) continue;
    const [kind, vhm, n] = v.slice(1).split(':') as [string, string, string];
    const x = s.vhms[vhm];
    const envs = Object.values(s.envelopes)
      .filter((e) => e.vhm === vhm)
      .map((e) => e.id);
    const pool =
      kind === 'contract'
        ? x?.contracts
        : kind === 'binding'
          ? x?.bindings
          : kind === 'process'
            ? x?.processes
            : envs;
    out[k] = pool?.[pool.length - Number(n) - (kind === 'process' ? 1 : 0)] ?? `${kind}-999`;
  }
  return out as unknown as Command;
}

function runSequence(cmds: Command[]): void {
  const state = cloneState(base.w.state);
  const entries: Entry[] = [...baseEntries];
  for (const symbolic of cmds) {
    const cmd = resolve(symbolic, state);
    const resting = restingSuccessor(state);
    const before = stateHash(state, nodeSha256);
    let r: ReturnType<typeof step>;
    try {
      r = step(state, cmd, { hasher: nodeSha256 });
    } catch (e) {
      // Only a command that is not JSON at all (NaN, Infinity) may be refused by throwing, untouched.
      if (!(e instanceof TypeError && /must be plain JSON/.test(e.message)))
        throw new Error(`step threw on ${JSON.stringify(cmd)}: ${(e as Error).message}`);
      expect(stateHash(state, nodeSha256)).toBe(before);
      continue;
    }
    entries.push(...r.entries);
    const v = checkAll(state);
    if (v.length > 0) throw new Error(`after ${JSON.stringify(cmd)}: ${JSON.stringify(v)}`);
    if (r.error) {
      // Whatever a hostile command makes the core refuse renders as text a person can act on, from
      // params built in canonical key order.
      const text = renderMessage(r.error.code, r.error.params);
      expect(text, `${r.error.code} ${JSON.stringify(r.error.params)}`).not.toMatch(/undefined|\[object|NaN/);
      expect(isCanonicalOrder(r.error.params), `${r.error.code} params not in canonical order`).toBe(true);
    }
    if (r.error && !MAY_REFUSE.has(cmd.type)) {
      expect(domainHash(state), `rejected ${cmd.type} (${r.error.code}) changed state`).toBe(resting);
      expect(r.entries[0]!.outcome).toBe('rejected');
    }
  }
  // Every payload the core itself builds is in canonical key order, so sealing takes the native
  // JSON.stringify path (only a command entry carries the caller's own key order).
  for (const e of entries)
    if (e.outcome === 'effect')
      expect(JSON.stringify(e.payload), `${e.type} payload keys not in canonical order`).toBe(
        canonicalJson(e.payload),
      );
  for (const x of Object.values(state.faults))
    expect(renderFault(x.params), JSON.stringify(x.params)).not.toMatch(/undefined|\[object|NaN/);
  const rep = replay(entries, { hasher: nodeSha256 });
  expect(rep.mismatch).toBeNull();
  expect(rep.violations).toEqual([]);
  expect(stateHash(rep.state, nodeSha256)).toBe(stateHash(state, nodeSha256));
}

// Coherent commands: a VHM with its own root capability, a provider of the contract's domain, the
// calibration, small quantities. Far more of these are accepted, so deep states are reached.
const own = pick([
  ['vhm-1', 'cap-1'],
  ['vhm-3', 'cap-3'],
  ['vhm-1', 'cap-1'],
  ['vhm-1', 'cap-5'],
] as const);
const T1: Actor = { kind: 'tenant', tenant: 'tenant-1', role: 'admin' };
const coherent: fc.Arbitrary<Command> = fc
  .tuple(
    own,
    fc.noBias(fc.integer({ min: 1, max: 2 })),
    fc.noBias(fc.integer({ min: 0, max: 99 })),
    fc.noBias(fc.integer({ min: 0, max: 1 << 20 })),
    fc.oneof({ weight: 3, arbitrary: fc.constant(T1) }, fc.constant<Actor>({ kind: 'operator' })),
  )
  .map(([[v, c], n, r, k, a]): Command => {
    const at = { vhm: v, capability: c };
    // Symbolic: the n-th most recent contract / binding of this VHM, resolved when the command runs.
    const contract = `$contract:${v}:${n}`;
    const binding = `$binding:${v}:${n}`;
    const kinds = [
      {
        type: 'vhm.create',
        tenant: 'tenant-1',
        name: `n${r % 3}`,
        quota: { vhms: 0, memory: 8192, cpu: 1, qubits: 2, envelopes: 1 },
        parent: v,
        capability: c,
      },
      {
        type: 'contract.allocate',
        ...at,
        domain: 'K',
        provider: `provider-${1 + (r % 2)}`,
        k: { base: (r % 8) * 4096, size: 4096 * (1 + (r % 3)), cpu: r % 3, irqs: [r % 5] },
      },
      {
        type: 'contract.allocate',
        ...at,
        domain: 'Q',
        provider: 'provider-3',
        q: { qubits: 1 + (r % 12), budget: 1 + (r % 5), calibration: 'cal-1' },
      },
      {
        type: 'contract.allocate',
        ...at,
        domain: 'PHI',
        provider: 'provider-4',
        phi: { start: 20 + (r % 40), duration: 1 + (r % 30), tolerance: 5000 },
      },
      { type: 'contract.activate', ...at, contract },
      { type: 'binding.request', ...at, contract },
      { type: 'binding.validate', ...at, binding },
      { type: 'binding.activate', ...at, binding },
      { type: 'binding.release', ...at, binding },
      { type: 'contract.release', ...at, contract },
      { type: 'q.job', ...at, binding, cost: 1 + (r % 4), operations: ['h'] },
      { type: 'phi.transform', ...at, binding, transform: 'rotate', impact: r },
      { type: 'cap.derive', ...at, rights: ['BIND_K', 'ALLOC_Q', 'EXECUTE_Q', 'ALLOC_PHI', 'EXECUTE_PHI'] },
      { type: 'process.spawn', ...at, name: 'p' },
      {
        type: 'sched.submit',
        ...at,
        process: `$process:${v}:${r % 2}`,
        domain: 'K',
        contract: null,
        priority: r % 4,
        quanta: 1 + (r % 3),
      },
      {
        type: 'sched.submit',
        ...at,
        process: `$process:${v}:0`,
        domain: 'Q',
        contract,
        priority: 1,
        quanta: 2,
      },
      { type: 'snapshot.take', ...at, include: ['K'] },
      {
        type: 'vhm.migrate',
        ...at,
        target: `provider-${1 + (r % 2)}`,
        qPolicy: 'reinit',
        transferContracts: [],
      },
      {
        type: 'ipc.open',
        a: v,
        capabilityA: c,
        b: 'vhm-3',
        capabilityB: 'cap-3',
        rights: ['MSG', 'PHI_SHARE'],
      },
      { type: 'vhm.validate', vhm: `vhm-${4 + (r % 2)}` },
      { type: 'vhm.activate', vhm: `vhm-${4 + (r % 2)}` },
      { type: 'sched.tick' },
      { type: 'clock.advance', ticks: 1 + (r % 10) },
      { type: 'fault.inject', kind: 'decoherence_spike', target: contract, amount: 1 + (r % 3) },
      { type: 'fault.inject', kind: 'contract_invalidation', target: contract, amount: 0 },
      { type: 'fault.inject', kind: 'instability', target: `$envelope:${v}:${n}`, amount: r * 100 },
    ];
    // Lifecycle-ending commands are rare, or a run would spend itself on a dead VHM.
    const endings = [
      { type: 'cap.revoke', ...at },
      { type: 'vhm.pause', vhm: v },
      { type: 'vhm.resume', vhm: v },
      { type: 'vhm.terminate', vhm: v },
      { type: 'vhm.release', vhm: v },
    ];
    const body = k % 40 === 0 ? endings[(k >> 4) % endings.length]! : kinds[k % kinds.length]!;
    return { ...body, actor: a } as unknown as Command;
  });

/** A whole binding life in one go (allocate → activate → bind → validate → activate → use). */
const chain: fc.Arbitrary<Command[]> = fc
  .tuple(own, fc.noBias(fc.integer({ min: 0, max: 99 })), pick(['K', 'Q', 'PHI'] as const))
  .map(([[v, c], r, d]) => {
    const at = { vhm: v, capability: c, actor: T1 };
    const contract = `$contract:${v}:1`;
    const binding = `$binding:${v}:1`;
    const alloc =
      d === 'K'
        ? { domain: 'K', provider: 'provider-2', k: { base: r * 8192, size: 4096, cpu: 1, irqs: [100 + r] } }
        : d === 'Q'
          ? {
              domain: 'Q',
              provider: 'provider-3',
              q: { qubits: 1 + (r % 3), budget: 2 + (r % 4), calibration: 'cal-1' },
            }
          : { domain: 'PHI', provider: 'provider-4', phi: { start: 0, duration: 30 + r, tolerance: 4000 } };
    const use =
      d === 'Q'
        ? { type: 'q.job', binding, cost: 1 + (r % 3), operations: ['h', 'measure'] }
        : { type: 'phi.transform', binding, transform: 'rotate', impact: r };
    return [
      { type: 'contract.allocate', ...at, ...alloc },
      { type: 'contract.activate', ...at, contract },
      { type: 'binding.request', ...at, contract },
      { type: 'binding.validate', ...at, binding },
      { type: 'binding.activate', ...at, binding },
      { ...at, ...use },
      { ...at, ...use },
    ] as unknown as Command[];
  });

// FC_SCALE multiplies the run counts for a long local search (CI keeps the default).
const SCALE = Math.max(1, Number(process.env.FC_SCALE ?? 1));

describe('model-based: random and hostile command sequences', { timeout: 60_000 * SCALE }, () => {
  it('generate commands of every type in the transition table', () => {
    const types = new Set(fc.sample(body, { numRuns: 4000, seed: 1 }).map((b) => String(b.type)));
    expect(Object.keys(TRANSITIONS).filter((t) => !types.has(t))).toEqual([]);
  });

  it('keep every invariant after every step, reject without side effects, and replay to the same hash', () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 40 }), (cmds) => runSequence(cmds)),
      { numRuns: 200 * SCALE },
    );
  });

  it('keep every invariant on coherent sequences that mostly succeed, mixed with hostile ones', () => {
    const mixed = fc.oneof(
      { weight: 6, arbitrary: coherent.map((c) => [c]) },
      { weight: 1, arbitrary: chain },
      { weight: 1, arbitrary: hostile.map((c) => [c]) },
    );
    fc.assert(
      fc.property(fc.array(mixed, { minLength: 60, maxLength: 120 }), (groups) => runSequence(groups.flat())),
      { numRuns: 50 * SCALE },
    );
  });
});
