import { nodeSha256 } from '../../node/sha256.js';
import {
  type Command,
  type CommandType,
  cloneState,
  emptyState,
  type State,
  type StepResult,
  step,
} from '../../src/index.js';
import { quotaOf, registerCmd, registration, signedReport, tenantAdmin } from '../../src/scenario/builder.js';
import { type Letter, universe } from '../../src/verify/universe.js';

// The golden trace's script, deterministic and greedy: start from the model checker's "bound"
// universe (tenants, providers, nested VHMs, contracts, bindings), then repeatedly take the first
// letter of its alphabet (which has generators for every command type, accepted and hostile) that
// produces an outcome not yet seen (a command type accepted, or refused with a given code).
// Letters that end things (terminate, release, revoke, close) wait until nothing else is new, so
// the world stays rich; clock ticks let windows close and calibrations expire along the way.
// Only used to (re)write the golden file when a protocol version is born: the committed file, not
// this script, is what every later release must replay.

const ENDINGS = new Set<CommandType>([
  'vhm.terminate',
  'vhm.release',
  'vhm.pause',
  'cap.revoke',
  'contract.revoke',
  'contract.release',
  'binding.release',
  'fault.inject',
  'ipc.close',
  'process.exit',
  'vhm.migrate',
  'tenant.setQuota',
]);

const OP = { kind: 'operator' } as const;
const tick = (ticks: number): Command => ({ type: 'clock.advance', ticks, actor: OP });

function outcome(cmd: Command, r: StepResult): string {
  return `${cmd.type}:${r.error ? r.error.code : 'accepted'}`;
}

/** The commands of the golden trace, from genesis. */
export function goldenCommands(): Command[] {
  const u = universe('bound');
  const state = emptyState();
  const out: Command[] = [];
  const seen = new Set<string>();
  const run = (c: Command) => {
    seen.add(outcome(c, step(state, c, { hasher: nodeSha256 })));
    out.push(c);
  };
  for (const c of u.prefix) run(c);
  const pick = (letters: Letter[]): Command | null => {
    for (const l of letters) {
      const trial = cloneState(state);
      const r = step(trial, l.cmd, { hasher: nodeSha256 });
      if (!seen.has(outcome(l.cmd, r))) return l.cmd;
    }
    return null;
  };
  const gentle = u.alphabet.filter((l) => !ENDINGS.has(l.cmd.type));
  for (let i = 0; i < 400; i++) {
    const c = pick(gentle) ?? pick(u.alphabet);
    if (!c) break;
    run(c);
    if (i % 20 === 19) run(tick(1));
  }
  // A world of its own for the outcomes the universe's alphabet cannot reach: every remaining
  // refusal code, and each command type's accepted form.
  const res = (c: Command) => {
    const r = step(state, c, { hasher: nodeSha256 });
    seen.add(outcome(c, r));
    out.push(c);
    return r;
  };
  const id = (r: StepResult, key: string): string => {
    for (const e of r.entries.slice(1))
      if (typeof e.payload[key] === 'string') return e.payload[key] as string;
    throw new Error(
      `golden script: no ${key} created (${r.error?.code ?? r.entries.map((e) => e.type).join(',')})`,
    );
  };
  const t = id(
    res({
      type: 'tenant.create',
      name: 'golden',
      quota: quotaOf({ vhms: 8, memory: 1 << 16, cpu: 32, qubits: 32, envelopes: 4 }),
      actor: OP,
    }),
    'tenant',
  );
  const A = tenantAdmin(t);
  // The greedy part may have trusted a measurement; the default firmware must be trusted too.
  const fw = registration('g-host', 'K', {}, 101).firmware;
  if (state.trustedFirmware.length > 0 && !state.trustedFirmware.includes(fw))
    res({ type: 'firmware.trust', measurement: fw, actor: OP });
  const as = (body: Record<string, unknown>, actor: Command['actor'] = A) =>
    res({ ...body, actor } as Command);
  const host = id(
    res(registerCmd(registration('g-host', 'K', { memory: 1 << 20, cpu: 64 }, 101), 101)),
    'provider',
  );
  const host2 = id(
    res(registerCmd(registration('g-host2', 'K', { memory: 1 << 20, cpu: 64 }, 104), 104)),
    'provider',
  );
  const qpu = id(
    res(registerCmd(registration('g-qpu', 'Q', { qubits: 16 }, 102, { operations: ['h', 'measure'] }), 102)),
    'provider',
  );
  const phip = id(
    res(
      registerCmd(
        registration('g-phi', 'PHI', { envelopes: 3 }, 103, { liveTransfer: true, operations: ['rotate'] }),
        103,
      ),
    ),
    'provider',
  );
  // Another key under a registered name: refused.
  res(registerCmd(registration('g-qpu', 'Q', { qubits: 16 }, 105), 105));
  const cal = id(
    as({ type: 'calibration.issue', provider: qpu, from: state.l, until: state.l + 40 }, OP),
    'calibration',
  );
  const vr = as({
    type: 'vhm.create',
    tenant: t,
    name: 'g1',
    quota: quotaOf({ memory: 1 << 14, cpu: 8, qubits: 8, envelopes: 2 }),
    parent: null,
    capability: null,
  });
  const v = id(vr, 'vhm');
  const cap = id(vr, 'capability');
  as({ type: 'vhm.validate', vhm: v });
  as({ type: 'vhm.activate', vhm: v });
  const wr = as({
    type: 'vhm.create',
    tenant: t,
    name: 'g2',
    quota: quotaOf({ memory: 1 << 12, cpu: 2 }),
    parent: null,
    capability: null,
  });
  const w = id(wr, 'vhm');
  const wcap = id(wr, 'capability');
  as({ type: 'vhm.validate', vhm: w });
  as({ type: 'vhm.activate', vhm: w });
  const vc = { vhm: v, capability: cap };
  as({
    type: 'contract.allocate',
    ...vc,
    capability: 'cap-99999',
    domain: 'K',
    provider: host,
    k: { base: 0, size: 64, cpu: 1, irqs: [] },
  });
  const narrow = id(as({ type: 'cap.derive', ...vc, rights: ['BIND_K'] }), 'capability');
  as({
    type: 'contract.allocate',
    vhm: v,
    capability: narrow,
    domain: 'Q',
    provider: qpu,
    q: { qubits: 1, budget: 5, calibration: cal },
  });
  as({
    type: 'contract.allocate',
    ...vc,
    domain: 'Q',
    provider: qpu,
    q: { qubits: 1, budget: 5, calibration: 'cal-99999' },
  });
  const bind = (body: Record<string, unknown>) => {
    const c = id(as({ type: 'contract.allocate', ...vc, ...body }), 'contract');
    as({ type: 'contract.activate', ...vc, contract: c });
    const b = id(as({ type: 'binding.request', ...vc, contract: c }), 'binding');
    as({ type: 'binding.validate', ...vc, binding: b });
    const r = as({ type: 'binding.activate', ...vc, binding: b });
    return { c, b, r };
  };
  const k = bind({ domain: 'K', provider: host, k: { base: 0, size: 1024, cpu: 1, irqs: [7] } });
  const q = bind({ domain: 'Q', provider: qpu, q: { qubits: 2, budget: 20, calibration: cal } });
  const phi = bind({ domain: 'PHI', provider: phip, phi: { start: state.l, duration: 30, tolerance: 6000 } });
  const env = id(phi.r, 'envelope');
  as({ type: 'q.job', ...vc, binding: q.b, cost: 1, operations: ['cx'] });
  as({ type: 'phi.transform', ...vc, binding: phi.b, transform: 'project', impact: 1 });
  as({
    type: 'contract.allocate',
    ...vc,
    domain: 'PHI',
    provider: phip,
    phi: { start: 0, duration: 1, tolerance: 5000 },
  });
  as({ type: 'ipc.open', a: v, capabilityA: cap, b: v, capabilityB: cap, rights: ['MSG'] }, OP);
  const ipc = id(
    as({ type: 'ipc.open', a: v, capabilityA: cap, b: w, capabilityB: wcap, rights: ['MSG'] }, OP),
    'ipc',
  );
  as({ type: 'ipc.close', ipc }, OP);
  as({ type: 'vhm.setSchedule', vhm: v, weight: 10, maxQueued: 1 });
  const proc = id(as({ type: 'process.spawn', ...vc, name: 'g-proc' }), 'process');
  const unit = {
    type: 'sched.submit',
    ...vc,
    process: proc,
    domain: 'K',
    contract: null,
    priority: 1,
    quanta: 1,
  };
  as(unit);
  as(unit);
  as({ type: 'process.exit', ...vc, process: proc });
  as({ type: 'fault.inject', kind: 'decoherence_spike', target: q.c, amount: 1 }, OP);
  // Live Q migration on hardware that cannot: refused; a Φ envelope reported stable moves live.
  as({ type: 'vhm.migrate', ...vc, target: host2, qPolicy: 'live', transferContracts: [q.c] });
  const report = (provider: string, seed: number, seq: number, body: Record<string, unknown>, type: string) =>
    as(
      { type, ...signedReport({ provider, seq, ...body } as never, seed) },
      { kind: 'provider', name: provider === qpu ? 'g-qpu' : 'g-phi' },
    );
  report(
    phip,
    103,
    1,
    { envelopes: [{ envelope: env, stability: 9000, noise: 1, drift: 1, impact: 1 }] },
    'report.phi',
  );
  as({
    type: 'vhm.migrate',
    ...vc,
    target: host2,
    qPolicy: 'reinit',
    phiPolicy: 'live',
    transferContracts: [phi.c],
  });
  as({ type: 'binding.release', ...vc, binding: k.b });
  as({ type: 'contract.release', ...vc, contract: k.c });
  // Providers' own failures: recorded, then refusing new work on that hardware.
  report(
    qpu,
    102,
    1,
    { code: 'Q_ERR_MEASUREMENT_FAILURE', contract: null, message: 'readout chain' },
    'report.error',
  );
  report(
    qpu,
    102,
    2,
    { code: 'Q_ERR_HARDWARE_FAILURE', contract: null, message: 'cryostat' },
    'report.error',
  );
  as({
    type: 'contract.allocate',
    ...vc,
    domain: 'Q',
    provider: qpu,
    q: { qubits: 1, budget: 5, calibration: cal },
  });
  as({ type: 'q.job', ...vc, binding: q.b, cost: 1, operations: ['h'] });
  report(
    phip,
    103,
    2,
    { code: 'PHI_ERR_ENVELOPE_INVALID', contract: null, message: 'envelope lost' },
    'report.error',
  );
  report(
    phip,
    103,
    3,
    { envelopes: [{ envelope: env, stability: 1000, noise: 1, drift: 1, impact: 1 }] },
    'report.phi',
  );
  report(
    phip,
    103,
    4,
    { code: 'PHI_ERR_HARDWARE_FAILURE', contract: null, message: 'laser' },
    'report.error',
  );
  as({
    type: 'contract.allocate',
    ...vc,
    domain: 'PHI',
    provider: phip,
    phi: { start: state.l + 1, duration: 5, tolerance: 5000 },
  });
  as({ type: 'vhm.terminate', vhm: w });
  as({ type: 'vhm.release', vhm: w });
  run(tick(16));
  return out;
}

/** Run commands from the empty state: entries and what they covered. */
export function runCommands(cmds: readonly Command[]): {
  state: State;
  texts: Array<{ seq: number; text: string; hash: string }>;
  outcomes: Set<string>;
} {
  const state = emptyState();
  const texts: Array<{ seq: number; text: string; hash: string }> = [];
  const outcomes = new Set<string>();
  for (const c of cmds) {
    const r = step(state, c, { hasher: nodeSha256 });
    outcomes.add(outcome(c, r));
    for (const e of r.entries) texts.push({ seq: e.seq, text: e.text, hash: e.hash });
  }
  return { state, texts, outcomes };
}
