// The small universe the bounded model checker explores: a fixed prefix of commands that sets up
// tenants, providers and a calibration (and, per scenario, some VHMs, contracts and bindings), and
// a finite alphabet of concrete commands over that universe. Identifiers are deterministic
// counters, so the alphabet names ids (`vhm-1`, `cap-2`, `contract-3`, …) that will exist on some
// paths and not on others: both are worth exploring.

import type { Actor, Command, CommandBody, ProviderRegistration } from '../model/commands.js';
import { DEFAULT_CONFIG, type Quota, RIGHTS, type Right, type State } from '../model/state.js';
import {
  genesisCmd,
  OPERATOR,
  quotaOf,
  registerCmd,
  registration,
  tenantAdmin,
} from '../scenario/builder.js';

export type ScenarioName = 'fleet' | 'vhms' | 'bound';
export const SCENARIOS: readonly ScenarioName[] = ['fleet', 'vhms', 'bound'];

export interface UniverseConfig {
  /** No `vhm.create` is tried once this many VHMs exist (tombstones count). */
  maxVhms: number;
  /** Nesting limit written into genesis (the core's default is 3). */
  maxNesting: number;
  /** Domain faults in one VHM before it escalates and pauses (genesis config). */
  vhmEscalation: number;
  /** 1 or 2 K hosts (a second host makes migration move K contracts). */
  kHosts: number;
  /** Capacities: small on purpose, so a few allocations exceed them. */
  kMemory: number;
  kCpu: number;
  qubits: number;
  envelopes: number;
  /** The calibration stays valid for this many ticks after the prefix ends. */
  calibrationTicks: number;
  /** bound: vhm-1's Φ window closes this many ticks after the prefix ends. */
  phiTicks: number;
  /** Contract, binding and capability ids 1..n that the alphabet names. */
  contractIds: number;
  bindingIds: number;
}

export const DEFAULT_UNIVERSE: UniverseConfig = {
  maxVhms: 3,
  maxNesting: 2,
  vhmEscalation: 3,
  kHosts: 1,
  kMemory: 64,
  kCpu: 4,
  qubits: 3,
  envelopes: 2,
  calibrationTicks: 6,
  phiTicks: 4,
  contractIds: 5,
  bindingIds: 4,
};

/** One letter of the alphabet: a concrete command and a short human label. */
export interface Letter {
  label: string;
  cmd: Command;
}

export interface Universe {
  scenario: ScenarioName;
  config: UniverseConfig;
  prefix: Command[];
  alphabet: Letter[];
  /** Guard evaluated before a letter is tried (the universe bound on VHM count). */
  enabled: (state: State, letter: Letter) => boolean;
}

const T1 = 'tenant-1';
const T2 = 'tenant-2';
const A1 = tenantAdmin(T1);
const A2 = tenantAdmin(T2);
const V1: Actor = { kind: 'tenant', tenant: T1, role: 'viewer' };
const K1 = 'provider-1';
const QP = 'provider-2';
const PP = 'provider-3';
const K2 = 'provider-4';
const CAL = 'cal-1';

// Registration signatures cost ~7 ms each: sign each distinct registration once per process.
const signed = new Map<string, Command>();
function registered(reg: ProviderRegistration, seed: number): Command {
  const key = `${seed}:${JSON.stringify(reg)}`;
  let c = signed.get(key);
  if (!c) {
    c = registerCmd(reg, seed);
    signed.set(key, c);
  }
  return c;
}

function registrations(u: UniverseConfig): Array<[ProviderRegistration, number]> {
  const out: Array<[ProviderRegistration, number]> = [
    [registration('host-a', 'K', { memory: u.kMemory, cpu: u.kCpu }, 1), 1],
    [registration('qpu-1', 'Q', { qubits: u.qubits }, 3, { operations: ['h', 'measure'] }), 3],
    [registration('phi-1', 'PHI', { envelopes: u.envelopes }, 4, { operations: ['rotate'] }), 4],
  ];
  if (u.kHosts > 1) out.push([registration('host-b', 'K', { memory: u.kMemory, cpu: u.kCpu }, 2), 2]);
  return out;
}

const as = (actor: Actor, body: CommandBody): Command => ({ ...body, actor }) as Command;

/** Root VHMs and the nested one, with the quotas every scenario and the alphabet use. */
const VHM_QUOTA: Record<'alpha' | 'beta' | 'gamma', Quota> = {
  alpha: quotaOf({ memory: 48, cpu: 3, qubits: 3, envelopes: 2 }),
  beta: quotaOf({ memory: 16, cpu: 1, qubits: 1, envelopes: 1 }),
  gamma: quotaOf({ memory: 32, cpu: 2, qubits: 2, envelopes: 1 }),
};

function createAlpha(): Command {
  return as(A1, {
    type: 'vhm.create',
    tenant: T1,
    name: 'alpha',
    quota: VHM_QUOTA.alpha,
    parent: null,
    capability: null,
  });
}
function createBeta(parent = 'vhm-1', cap = 'cap-1'): Command {
  return as(A1, {
    type: 'vhm.create',
    tenant: T1,
    name: 'beta',
    quota: VHM_QUOTA.beta,
    parent,
    capability: cap,
  });
}
function createGamma(actor: Actor = A2): Command {
  return as(actor, {
    type: 'vhm.create',
    tenant: T2,
    name: 'gamma',
    quota: VHM_QUOTA.gamma,
    parent: null,
    capability: null,
  });
}

/** The VHMs of the scenarios: id, owning admin, root capability (ids follow creation order). */
const VHMS: Array<{ vhm: string; owner: Actor; cap: string }> = [
  { vhm: 'vhm-1', owner: A1, cap: 'cap-1' },
  { vhm: 'vhm-2', owner: A1, cap: 'cap-2' },
  { vhm: 'vhm-3', owner: A2, cap: 'cap-3' },
];

function scenarioCommands(scenario: ScenarioName, phiStart: number, phiTicks: number): Command[] {
  if (scenario === 'fleet') return [];
  const up = (vhm: string, owner: Actor): Command[] => [
    as(owner, { type: 'vhm.validate', vhm }),
    as(owner, { type: 'vhm.activate', vhm }),
  ];
  const vhms = [
    createAlpha(),
    ...up('vhm-1', A1),
    createBeta(),
    ...up('vhm-2', A1),
    createGamma(),
    ...up('vhm-3', A2),
  ];
  if (scenario === 'vhms') return vhms;
  // bound: vhm-1 holds an active K, Q and Φ contract, each actively bound; vhm-3 an issued Q one.
  const bind = (contract: string, binding: string): Command[] => [
    as(A1, { type: 'contract.activate', vhm: 'vhm-1', capability: 'cap-1', contract }),
    as(A1, { type: 'binding.request', vhm: 'vhm-1', capability: 'cap-1', contract }),
    as(A1, { type: 'binding.validate', vhm: 'vhm-1', capability: 'cap-1', binding }),
    as(A1, { type: 'binding.activate', vhm: 'vhm-1', capability: 'cap-1', binding }),
  ];
  const alloc = (
    vhm: string,
    cap: string,
    owner: Actor,
    extra: Partial<CommandBody & { type: 'contract.allocate' }>,
  ): Command =>
    as(owner, {
      type: 'contract.allocate',
      vhm,
      capability: cap,
      domain: 'K',
      provider: K1,
      ...extra,
    } as CommandBody);
  return [
    ...vhms,
    alloc('vhm-1', 'cap-1', A1, { k: { base: 0, size: 16, cpu: 1, irqs: [1] } }),
    ...bind('contract-1', 'binding-1'),
    alloc('vhm-1', 'cap-1', A1, { domain: 'Q', provider: QP, q: { qubits: 2, budget: 3, calibration: CAL } }),
    ...bind('contract-2', 'binding-2'),
    alloc('vhm-1', 'cap-1', A1, {
      domain: 'PHI',
      provider: PP,
      phi: { start: phiStart, duration: 6 + phiTicks, tolerance: 5000 },
    }),
    ...bind('contract-3', 'binding-3'),
    alloc('vhm-3', 'cap-3', A2, { domain: 'Q', provider: QP, q: { qubits: 1, budget: 2, calibration: CAL } }),
    as(A1, { type: 'process.spawn', vhm: 'vhm-1', capability: 'cap-1', name: 'worker' }),
  ];
}

/** Build the prefix and alphabet of a scenario. Each prefix command is one tick of L. */
export function universe(scenario: ScenarioName, partial: Partial<UniverseConfig> = {}): Universe {
  const u: UniverseConfig = { ...DEFAULT_UNIVERSE, ...partial };
  const config = { ...DEFAULT_CONFIG, maxDepth: u.maxNesting, vhmEscalation: u.vhmEscalation };
  const base: Command[] = [
    genesisCmd(config),
    as(OPERATOR, {
      type: 'tenant.create',
      name: 'acme',
      quota: quotaOf({ vhms: 3, memory: 64, cpu: 4, qubits: 4, envelopes: 2 }),
    }),
    as(OPERATOR, {
      type: 'tenant.create',
      name: 'globex',
      quota: quotaOf({ vhms: 2, memory: 32, cpu: 2, qubits: 2, envelopes: 1 }),
    }),
    ...registrations(u).map(([reg, seed]) => registered(reg, seed)),
  ];
  // The prefix runs at L 0: only clock.advance moves L, and the alphabet has it.
  const end = 0;
  const phiStart = 0;
  const prefix = [
    ...base,
    as(OPERATOR, {
      type: 'calibration.issue',
      provider: QP,
      from: 0,
      until: end + 1 + u.calibrationTicks,
    }),
    ...scenarioCommands(scenario, phiStart, u.phiTicks),
  ];
  return { scenario, config: u, prefix, alphabet: alphabet(u, end), enabled };

  function enabled(state: State, letter: Letter): boolean {
    if (letter.cmd.type !== 'vhm.create') return true;
    let n = 0;
    for (const _ in state.vhms) n++;
    return n < u.maxVhms;
  }
}

const ALL_RIGHTS: Right[] = [...RIGHTS];

/** The alphabet, relative to L = `p` at the end of the prefix. */
function alphabet(u: UniverseConfig, p: number): Letter[] {
  const out: Letter[] = [];
  const add = (label: string, actor: Actor, body: CommandBody) =>
    out.push({ label, cmd: { ...body, actor } as Command });
  // Hostile letters with fields of the wrong shape: the core must reject them cleanly.
  const junk = (label: string, actor: Actor, body: Record<string, unknown>) =>
    out.push({ label, cmd: { ...body, actor } as unknown as Command });
  const contracts = Array.from({ length: u.contractIds }, (_, i) => `contract-${i + 1}`);
  const bindings = Array.from({ length: u.bindingIds }, (_, i) => `binding-${i + 1}`);

  // Time and the scheduler (always accepted: operator only).
  add('clock+1', OPERATOR, { type: 'clock.advance', ticks: 1 });
  add('clock+8', OPERATOR, { type: 'clock.advance', ticks: 8 });
  add('clock by tenant', A1, { type: 'clock.advance', ticks: 1 });
  add('tick', OPERATOR, { type: 'sched.tick' });
  add('tick by tenant', A1, { type: 'sched.tick' });

  // VHM creation: root, nested, nested with the child's or a foreign capability, cross-tenant.
  out.push({ label: 'create alpha (t1)', cmd: createAlpha() });
  out.push({ label: 'create beta in vhm-1', cmd: createBeta() });
  out.push({ label: 'create beta in vhm-1 with cap-2', cmd: createBeta('vhm-1', 'cap-2') });
  out.push({ label: 'create nested in vhm-2 (depth 3)', cmd: createBeta('vhm-2', 'cap-2') });
  out.push({ label: 'create gamma (t2)', cmd: createGamma() });
  out.push({ label: 'create gamma by t1 admin', cmd: createGamma(A1) });
  out.push({ label: 'create nested in vhm-3 by t1', cmd: createBeta('vhm-3', 'cap-3') });
  add('create over quota', A1, {
    type: 'vhm.create',
    tenant: T1,
    name: 'huge',
    quota: quotaOf({ memory: 999, cpu: 1 }),
    parent: null,
    capability: null,
  });

  // Lifecycle of each VHM by its owner, then hostile actors.
  for (const { vhm, owner } of VHMS)
    for (const t of ['validate', 'activate', 'pause', 'resume', 'terminate', 'release'] as const)
      add(`${t} ${vhm}`, owner, { type: `vhm.${t}`, vhm });
  add('pause vhm-1 by t2', A2, { type: 'vhm.pause', vhm: 'vhm-1' });
  add('terminate vhm-3 by t1', A1, { type: 'vhm.terminate', vhm: 'vhm-3' });
  add('terminate vhm-1 by viewer', V1, { type: 'vhm.terminate', vhm: 'vhm-1' });
  add('terminate vhm-2 by operator', OPERATOR, { type: 'vhm.terminate', vhm: 'vhm-2' });
  add('activate vhm-9', A1, { type: 'vhm.activate', vhm: 'vhm-9' });

  // Capabilities: derive fewer rights, derive from a parent's, escalate, revoke, issue.
  for (const { vhm, owner, cap } of VHMS)
    add(`derive in ${vhm}`, owner, {
      type: 'cap.derive',
      vhm,
      capability: cap,
      rights: ['BIND_K', 'ALLOC_Q', 'EXECUTE_Q'],
    });
  add('derive in vhm-2 from parent cap-1', A1, {
    type: 'cap.derive',
    vhm: 'vhm-2',
    capability: 'cap-1',
    rights: ['BIND_K'],
  });
  add('derive all rights from cap-4', A1, {
    type: 'cap.derive',
    vhm: 'vhm-1',
    capability: 'cap-4',
    rights: ALL_RIGHTS,
  });
  for (const { vhm, owner, cap } of VHMS)
    add(`revoke ${cap}`, owner, { type: 'cap.revoke', vhm, capability: cap });
  add('revoke cap-4', A1, { type: 'cap.revoke', vhm: 'vhm-1', capability: 'cap-4' });
  add('revoke foreign cap-3 in vhm-1', A1, { type: 'cap.revoke', vhm: 'vhm-1', capability: 'cap-3' });
  add('issue cap in vhm-1', A1, { type: 'cap.issue', vhm: 'vhm-1', rights: ['ALLOC_Q', 'EXECUTE_Q'] });

  // Contracts: small quantities that overlap, conflict and exceed capacity or quota.
  const alloc = (label: string, vhm: string, cap: string, actor: Actor, extra: Record<string, unknown>) =>
    add(label, actor, {
      type: 'contract.allocate',
      vhm,
      capability: cap,
      domain: 'K',
      provider: K1,
      ...extra,
    });
  alloc('K [0,16) irq1 vhm-1', 'vhm-1', 'cap-1', A1, { k: { base: 0, size: 16, cpu: 1, irqs: [1] } });
  alloc('K [16,24) irq2 vhm-2', 'vhm-2', 'cap-2', A1, { k: { base: 16, size: 8, cpu: 1, irqs: [2] } });
  alloc('K [8,24) irq3 vhm-3', 'vhm-3', 'cap-3', A2, { k: { base: 8, size: 16, cpu: 1, irqs: [3] } });
  alloc('K [32,48) cpu2 irq1 vhm-3', 'vhm-3', 'cap-3', A2, { k: { base: 32, size: 16, cpu: 2, irqs: [1] } });
  alloc('K beyond memory vhm-1', 'vhm-1', 'cap-1', A1, { k: { base: 48, size: 32, cpu: 0, irqs: [] } });
  alloc('Q 2 vhm-1', 'vhm-1', 'cap-1', A1, {
    domain: 'Q',
    provider: QP,
    q: { qubits: 2, budget: 3, calibration: CAL },
  });
  alloc('Q 1 vhm-2', 'vhm-2', 'cap-2', A1, {
    domain: 'Q',
    provider: QP,
    q: { qubits: 1, budget: 2, calibration: CAL },
  });
  alloc('Q 2 vhm-3', 'vhm-3', 'cap-3', A2, {
    domain: 'Q',
    provider: QP,
    q: { qubits: 2, budget: 3, calibration: CAL },
  });
  alloc('Q 1 vhm-1 with cap-4', 'vhm-1', 'cap-4', A1, {
    domain: 'Q',
    provider: QP,
    q: { qubits: 1, budget: 1, calibration: CAL },
  });
  alloc('Φ [p,p+6) vhm-1', 'vhm-1', 'cap-1', A1, {
    domain: 'PHI',
    provider: PP,
    phi: { start: p, duration: 6, tolerance: 5000 },
  });
  alloc('Φ [p+2,p+8) vhm-3', 'vhm-3', 'cap-3', A2, {
    domain: 'PHI',
    provider: PP,
    phi: { start: p + 2, duration: 6, tolerance: 5000 },
  });
  alloc('Φ [p+8,p+12) vhm-2', 'vhm-2', 'cap-2', A1, {
    domain: 'PHI',
    provider: PP,
    phi: { start: p + 8, duration: 4, tolerance: 5000 },
  });
  alloc('alloc in vhm-3 by t1', 'vhm-3', 'cap-3', A1, { k: { base: 56, size: 4, cpu: 0, irqs: [] } });
  alloc('alloc in vhm-2 with parent cap-1', 'vhm-2', 'cap-1', A1, {
    k: { base: 56, size: 4, cpu: 0, irqs: [] },
  });
  for (const c of contracts) {
    for (const { vhm, owner, cap } of VHMS) {
      add(`activate ${c} in ${vhm}`, owner, { type: 'contract.activate', vhm, capability: cap, contract: c });
      add(`release ${c} in ${vhm}`, owner, { type: 'contract.release', vhm, capability: cap, contract: c });
      add(`bind ${c} in ${vhm}`, owner, { type: 'binding.request', vhm, capability: cap, contract: c });
    }
    add(`operator revokes ${c}`, OPERATOR, { type: 'contract.revoke', contract: c, reason: 'model check' });
  }
  for (const b of bindings)
    for (const { vhm, owner, cap } of VHMS)
      for (const t of ['validate', 'activate', 'release'] as const)
        add(`${t} ${b} in ${vhm}`, owner, { type: `binding.${t}`, vhm, capability: cap, binding: b });

  // Execution: Q jobs within and beyond budget, unsupported gates, foreign bindings; Φ transforms.
  for (const b of bindings.slice(0, 3)) {
    add(`q.job 1 on ${b}`, A1, {
      type: 'q.job',
      vhm: 'vhm-1',
      capability: 'cap-1',
      binding: b,
      cost: 1,
      operations: ['h'],
    });
    add(`q.job 5 on ${b}`, A1, {
      type: 'q.job',
      vhm: 'vhm-1',
      capability: 'cap-1',
      binding: b,
      cost: 5,
      operations: ['h', 'measure'],
    });
    add(`q.job in vhm-3 on ${b}`, A2, {
      type: 'q.job',
      vhm: 'vhm-3',
      capability: 'cap-3',
      binding: b,
      cost: 1,
      operations: [],
    });
    add(`phi.transform on ${b}`, A1, {
      type: 'phi.transform',
      vhm: 'vhm-1',
      capability: 'cap-1',
      binding: b,
      transform: 'rotate',
      impact: 10,
    });
  }
  add('q.job unsupported gate', A1, {
    type: 'q.job',
    vhm: 'vhm-1',
    capability: 'cap-1',
    binding: 'binding-2',
    cost: 1,
    operations: ['cx'],
  });
  add('q.job with cap-4', A1, {
    type: 'q.job',
    vhm: 'vhm-1',
    capability: 'cap-4',
    binding: 'binding-2',
    cost: 1,
    operations: [],
  });

  // Snapshots (K only), migration, IPC.
  for (const { vhm, owner, cap } of VHMS)
    add(`snapshot ${vhm}`, owner, { type: 'snapshot.take', vhm, capability: cap, include: ['K'] });
  add('snapshot with Q', A1, {
    type: 'snapshot.take',
    vhm: 'vhm-1',
    capability: 'cap-1',
    include: ['K', 'Q'],
  });
  const target = u.kHosts > 1 ? K2 : K1;
  const migrate = (label: string, vhm: string, cap: string, actor: Actor, extra: Record<string, unknown>) =>
    add(label, actor, {
      type: 'vhm.migrate',
      vhm,
      capability: cap,
      target,
      qPolicy: 'reinit',
      transferContracts: [],
      ...extra,
    });
  migrate('migrate vhm-1', 'vhm-1', 'cap-1', A1, {});
  migrate('migrate vhm-1 live', 'vhm-1', 'cap-1', A1, { qPolicy: 'live', transferContracts: ['contract-2'] });
  migrate('migrate vhm-3', 'vhm-3', 'cap-3', A2, {});
  migrate('migrate vhm-1 to the Q provider', 'vhm-1', 'cap-1', A1, { target: QP });
  add('ipc vhm-1⇄vhm-3 PHI_SHARE (operator)', OPERATOR, {
    type: 'ipc.open',
    a: 'vhm-1',
    capabilityA: 'cap-1',
    b: 'vhm-3',
    capabilityB: 'cap-3',
    rights: ['MSG', 'PHI_SHARE'],
  });
  add('ipc vhm-1⇄vhm-3 by t1', A1, {
    type: 'ipc.open',
    a: 'vhm-1',
    capabilityA: 'cap-1',
    b: 'vhm-3',
    capabilityB: 'cap-3',
    rights: ['MSG'],
  });
  add('ipc vhm-1⇄vhm-2', A1, {
    type: 'ipc.open',
    a: 'vhm-1',
    capabilityA: 'cap-1',
    b: 'vhm-2',
    capabilityB: 'cap-2',
    rights: ['MSG'],
  });
  add('close ipc-1', OPERATOR, { type: 'ipc.close', ipc: 'ipc-1' });
  add('close ipc-1 by t2', A2, { type: 'ipc.close', ipc: 'ipc-1' });

  // Processes and the scheduler.
  add('spawn in vhm-1', A1, { type: 'process.spawn', vhm: 'vhm-1', capability: 'cap-1', name: 'p' });
  add('spawn in vhm-3', A2, { type: 'process.spawn', vhm: 'vhm-3', capability: 'cap-3', name: 'p' });
  add('exit proc-1', A1, { type: 'process.exit', vhm: 'vhm-1', capability: 'cap-1', process: 'proc-1' });
  const submit = (label: string, vhm: string, cap: string, actor: Actor, extra: Record<string, unknown>) =>
    add(label, actor, {
      type: 'sched.submit',
      vhm,
      capability: cap,
      process: 'proc-1',
      domain: 'K',
      contract: null,
      priority: 1,
      quanta: 2,
      ...extra,
    });
  submit('submit K unit', 'vhm-1', 'cap-1', A1, {});
  submit('submit Q unit', 'vhm-1', 'cap-1', A1, { domain: 'Q', contract: 'contract-2', quanta: 1 });
  submit('submit foreign process', 'vhm-3', 'cap-3', A2, {});

  // Faults and provider reports (the signature verdict is trusted in the core, as on replay).
  type FaultKind = (CommandBody & { type: 'fault.inject' })['kind'];
  const fault = (label: string, kind: FaultKind, target: string, amount: number) =>
    add(label, OPERATOR, { type: 'fault.inject', kind, target, amount });
  fault('spike 1 on contract-2', 'decoherence_spike', 'contract-2', 1);
  fault('spike 9 on contract-2', 'decoherence_spike', 'contract-2', 9);
  fault('instability on env-1', 'instability', 'env-1', 100);
  fault('invalidate contract-1', 'contract_invalidation', 'contract-1', 0);
  fault('revoke cap-1 by fault', 'capability_revocation', 'cap-1', 0);
  const auth = { signature: '00', verified: true };
  add(
    'qpu reports hardware failure',
    { kind: 'provider', name: 'qpu-1' },
    {
      type: 'report.error',
      report: { provider: QP, seq: 1, code: 'Q_ERR_HARDWARE_FAILURE', contract: null, message: 'down' },
      auth,
    },
  );
  add(
    'phi reports env-1 unstable',
    { kind: 'provider', name: 'phi-1' },
    {
      type: 'report.phi',
      report: {
        provider: PP,
        seq: 1,
        envelopes: [{ envelope: 'env-1', stability: 100, noise: 0, drift: 0, impact: 0 }],
      },
      auth,
    },
  );
  out.push({ label: 'qpu re-attests', cmd: registered(registrations(u)[1]![0], 3) });

  // Garbage: unknown type, wrong field types, out-of-range numbers.
  junk('unknown command type', A1, { type: 'vhm.explode', vhm: 'vhm-1' });
  junk('create with garbage quota', A1, {
    type: 'vhm.create',
    tenant: T1,
    name: 'x',
    quota: 'lots',
    parent: null,
    capability: null,
  });
  alloc('K with negative size', 'vhm-1', 'cap-1', A1, { k: { base: 0, size: -1, cpu: 0, irqs: [] } });
  add('q.job cost 0', A1, {
    type: 'q.job',
    vhm: 'vhm-1',
    capability: 'cap-1',
    binding: 'binding-2',
    cost: 0,
    operations: [],
  });
  return out;
}
