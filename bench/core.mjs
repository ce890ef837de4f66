// bench/core: the hypervisor core's hot paths, each printed next to a ceiling measured in this run
// (see shared BENCHMARKS.md): apply throughput, replay throughput (node:crypto and the browser's
// noble hasher), and the incremental invariant cost as the fleet grows. Prints; never asserts.
// Env: XDV_BENCH_CORE_CMDS (commands in the apply mix, default 60000); XDV_BENCH_CORE_PARTS (a
// comma list of apply, replay, invariants; default all), to profile one part alone.
import { loadavg } from 'node:os';
import { checkAll, checkTouched, emptyState, nobleSha256, replay, scenario, step } from '@xdv/core';
import { nodeSha256 } from '@xdv/core/node';

const N_CMDS = Number(process.env.XDV_BENCH_CORE_CMDS ?? 60_000);
const PARTS = new Set((process.env.XDV_BENCH_CORE_PARTS ?? 'apply,replay,invariants').split(','));
const { OPERATOR, genesisCmd, quotaOf, registerCmd, registration, tenantAdmin } = scenario;

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
const line = (what, figure, unit, ceiling, ceilingUnit, ratio, target) =>
  console.log(
    `${what.padEnd(46)} ${fmt(figure).padStart(10)} ${unit.padEnd(11)} ceiling ${fmt(ceiling).padStart(10)} ${ceilingUnit.padEnd(11)} ratio ${ratio.toFixed(2)} (target ${target})  load ${load()}`,
  );
/** Median of three timed runs, in ms. */
function median3(fn) {
  const t = [];
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[1];
}

// ---------------------------------------------------------------------------------------------
// The fleet: two tenants, a K host, a Q and a Φ provider, a calibration (signed once).
const registrations = [
  registerCmd(registration('host-a', 'K', { memory: 2 ** 40, cpu: 10_000_000 }, 1), 1),
  registerCmd(
    registration('qpu-1', 'Q', { qubits: 10_000_000 }, 3, { operations: ['h', 'cx', 'measure'] }),
    3,
  ),
  registerCmd(registration('phi-1', 'PHI', { envelopes: 10_000_000 }, 4, { operations: ['rotate'] }), 4),
];
function fleetPrefix() {
  const big = quotaOf({
    vhms: 1_000_000,
    memory: 2 ** 40,
    cpu: 10_000_000,
    qubits: 10_000_000,
    envelopes: 10_000_000,
  });
  return [
    genesisCmd(),
    { type: 'tenant.create', name: 'acme', quota: big, actor: OPERATOR },
    { type: 'tenant.create', name: 'globex', quota: big, actor: OPERATOR },
    ...registrations,
    { type: 'calibration.issue', provider: 'provider-2', from: 0, until: 1_000_000_000, actor: OPERATOR },
  ];
}

/**
 * A realistic mix: each VHM is created, validated, activated; gets a K, a Q and a Φ contract, each
 * activated and bound; runs Q jobs and Φ transforms, a scheduled process, a snapshot; then a few
 * hostile commands are rejected; every fourth VHM is terminated and released at the end of its life.
 */
function mixCommands(n) {
  const cmds = fleetPrefix();
  const a = tenantAdmin('tenant-1');
  const b = tenantAdmin('tenant-2');
  let vhm = 0;
  let cap = 0;
  let contract = 0;
  let binding = 0;
  let proc = 0;
  let base = 0;
  while (cmds.length < n) {
    vhm++;
    cap++;
    const v = `vhm-${vhm}`;
    const c = `cap-${cap}`;
    const at = { vhm: v, capability: c, actor: a };
    cmds.push(
      {
        type: 'vhm.create',
        tenant: 'tenant-1',
        name: `v${vhm}`,
        quota: quotaOf({ memory: 1 << 20, cpu: 4, qubits: 8, envelopes: 2 }),
        parent: null,
        capability: null,
        actor: a,
      },
      { type: 'vhm.validate', vhm: v, actor: a },
      { type: 'vhm.activate', vhm: v, actor: a },
    );
    const bindings = [];
    for (const d of ['K', 'Q', 'PHI']) {
      if (d === 'K') base += 1 << 16;
      contract++;
      binding++;
      const k = `contract-${contract}`;
      const bd = `binding-${binding}`;
      bindings.push([d, bd, k]);
      const res =
        d === 'K'
          ? { provider: 'provider-1', k: { base, size: 1 << 16, cpu: 1, irqs: [] } }
          : d === 'Q'
            ? { provider: 'provider-2', q: { qubits: 4, budget: 100, calibration: 'cal-1' } }
            : // L advances one per command: a window opening now that closes before the next VHM's.
              { provider: 'provider-3', phi: { start: cmds.length, duration: 24, tolerance: 5000 } };
      cmds.push(
        { type: 'contract.allocate', ...at, domain: d, ...res },
        { type: 'contract.activate', ...at, contract: k },
        { type: 'binding.request', ...at, contract: k },
        { type: 'binding.validate', ...at, binding: bd },
        { type: 'binding.activate', ...at, binding: bd },
      );
    }
    const q = bindings[1];
    const phi = bindings[2];
    for (let i = 0; i < 4; i++)
      cmds.push({ type: 'q.job', ...at, binding: q[1], cost: 3, operations: ['h', 'cx', 'measure'] });
    cmds.push({ type: 'phi.transform', ...at, binding: phi[1], transform: 'rotate', impact: 10 });
    proc++;
    cmds.push(
      { type: 'process.spawn', ...at, name: 'worker' },
      {
        type: 'sched.submit',
        ...at,
        process: `proc-${proc}`,
        domain: 'K',
        contract: null,
        priority: 1,
        quanta: 1,
      },
      { type: 'sched.tick', actor: OPERATOR },
      { type: 'sched.tick', actor: OPERATOR },
      { type: 'snapshot.take', ...at, include: ['K'] },
      // Hostile: another tenant probing, a missing right, a parent's capability, over budget.
      { type: 'vhm.pause', vhm: v, actor: b },
      { type: 'snapshot.take', ...at, include: ['Q'] },
      { type: 'q.job', ...at, capability: 'cap-999999', binding: q[1], cost: 1, operations: [] },
      { type: 'contract.activate', ...at, contract: q[2] },
    );
    cap++; // cap.derive
    cmds.push({ type: 'cap.derive', ...at, rights: ['BIND_K'] });
    if (vhm % 4 === 0)
      cmds.push({ type: 'vhm.terminate', vhm: v, actor: a }, { type: 'vhm.release', vhm: v, actor: a });
  }
  return cmds;
}

// ---------------------------------------------------------------------------------------------
console.log(`bench/core  node ${process.version}  load ${load()}`);

const cmds = mixCommands(N_CMDS);
// 1. apply: commands per second through step with node:crypto. The entries are consumed as the
// ledger consumes them (handed on, then dropped once flushed), not all kept: holding 100k+ entries
// in one array measures the garbage collector's old generation, not the core.
let rejected = 0;
let bytes = 0;
const applyMs = median3(() => {
  const s = emptyState();
  rejected = 0;
  bytes = 0;
  for (const c of cmds) {
    const r = step(s, c, { hasher: nodeSha256 });
    if (r.error) rejected++;
    for (const e of r.entries) bytes += e.text.length;
  }
});
// The trace itself, for the replay part, from one more (untimed) run.
const traceEntries = [];
{
  const s = emptyState();
  for (const c of cmds) for (const e of step(s, c, { hasher: nodeSha256 }).entries) traceEntries.push(e);
}
const applyRate = (cmds.length / applyMs) * 1000;
const sortedEntries = traceEntries.map((e) => JSON.parse(e.text));
// Its ceiling: only sealing the entries those commands produced (serialise + SHA-256 + link).
const sealMs = median3(() => {
  let prev = '0'.repeat(64);
  for (const rest of sortedEntries) {
    rest.prev = prev;
    const text = JSON.stringify(rest);
    prev = nodeSha256(text);
  }
});
const sealRate = (cmds.length / sealMs) * 1000;
console.log(
  `apply mix: ${cmds.length} commands (${rejected} rejected), ${traceEntries.length} entries (${(traceEntries.length / cmds.length).toFixed(2)} per command, ${Math.round(bytes / traceEntries.length)} bytes each)`,
);
line(
  'apply: commands/s via step (node:crypto)',
  applyRate,
  'cmd/s',
  100_000,
  'cmd/s',
  applyRate / 100_000,
  '≥ 1.0 of 100k/s',
);
line(
  'apply vs sealing its entries only',
  applyRate,
  'cmd/s',
  sealRate,
  'cmd/s',
  applyRate / sealRate,
  'context',
);

// 2. replay: entries replayed through the core (hashes recomputed, chain and invariants checked).
const stored = traceEntries.map((e) => ({ seq: e.seq, text: e.text, hash: e.hash }));
/** The ceiling: serialise a key-sorted object, SHA-256 it, check the chain link, per entry. */
function ceilingMs(hash) {
  // Key-sorted objects (parsed from the canonical text), so plain JSON.stringify gives the same bytes.
  const objects = stored.map((e) => JSON.parse(e.text));
  return median3(() => {
    let prev = '0'.repeat(64);
    for (let i = 0; i < objects.length; i++) {
      const text = JSON.stringify(objects[i]);
      const h = hash(text);
      if (objects[i].prev !== prev || h !== stored[i].hash) throw new Error(`ceiling: chain broken at ${i}`);
      prev = h;
    }
  });
}
for (const [name, hasher] of PARTS.has('replay')
  ? [
      ['node:crypto', nodeSha256],
      ['noble, browser path', nobleSha256],
    ]
  : []) {
  let ok = true;
  const ms = median3(() => {
    const r = replay(stored, { hasher });
    ok = r.ok;
  });
  if (!ok) throw new Error('replay failed');
  const rate = (stored.length / ms) * 1000;
  const ceil = (stored.length / ceilingMs(hasher)) * 1000;
  line(`replay: entries/s (${name})`, rate, 'entries/s', ceil, 'entries/s', rate / ceil, '≥ 0.6');
}

// 3. Invariants as the fleet grows: the incremental check a command runs, and the full check.
function fleetOf(n) {
  const s = emptyState();
  for (const c of fleetPrefix()) step(s, c, { hasher: nodeSha256, invariants: false });
  const a = tenantAdmin('tenant-1');
  for (let i = 1; i <= n; i++) {
    const v = `vhm-${i}`;
    step(
      s,
      {
        type: 'vhm.create',
        tenant: 'tenant-1',
        name: `v${i}`,
        quota: quotaOf({ memory: 1 << 16, cpu: 1, qubits: 1, envelopes: 0 }),
        parent: null,
        capability: null,
        actor: a,
      },
      { hasher: nodeSha256, invariants: false },
    );
    if (i % 10 === 0) {
      step(s, { type: 'vhm.validate', vhm: v, actor: a }, { hasher: nodeSha256, invariants: false });
      step(s, { type: 'vhm.activate', vhm: v, actor: a }, { hasher: nodeSha256, invariants: false });
      step(
        s,
        {
          type: 'contract.allocate',
          vhm: v,
          capability: s.vhms[v].capabilities[0],
          domain: 'K',
          provider: 'provider-1',
          k: { base: i << 16, size: 1 << 16, cpu: 1, irqs: [] },
          actor: a,
        },
        { hasher: nodeSha256, invariants: false },
      );
    }
  }
  return s;
}
let baseIncremental = null;
for (const n of PARTS.has('invariants') ? [1_000, 10_000, 100_000] : []) {
  const s = fleetOf(n);
  // The touched set of a typical command: one provider, one VHM, one tenant.
  const touched = {
    providers: new Set(['provider-1']),
    vhms: new Set([`vhm-${n}`]),
    tenants: new Set(['tenant-1']),
  };
  const reps = 200_000;
  const incMs = median3(() => {
    for (let i = 0; i < reps; i++) checkTouched(s, touched);
  });
  const incUs = (incMs * 1000) / reps;
  baseIncremental ??= incUs;
  let v = [];
  const fullMs = median3(() => {
    v = checkAll(s);
  });
  if (v.length > 0) throw new Error(`invariants broken at ${n}: ${v[0].invariant}`);
  line(
    `incremental invariants/command, ${n.toLocaleString('en-US')} VHMs`,
    incUs,
    'µs',
    baseIncremental,
    'µs @1k',
    incUs / baseIncremental,
    '≈ 1.0 (flat)',
  );
  line(
    `full checkAll, ${n.toLocaleString('en-US')} VHMs (contrast)`,
    fullMs * 1000,
    'µs',
    incUs,
    'µs incr.',
    (fullMs * 1000) / incUs,
    'context',
  );
}
