// The model checker's alphabet, generated from the transition table: one generator per command
// type, in a table typed `{ [T in CommandType]: Generator<T> }`, so a command type added to the core
// (and so to TRANSITIONS, which has the same key type) does not compile until it has a generator here.
// Each generator yields concrete commands over the small universe: some that the core accepts on
// some reachable path, and hostile ones (wrong actor, foreign or missing ids, bad shapes) that it
// must reject cleanly. Identifiers are deterministic counters, so the letters name ids (`vhm-1`,
// `cap-2`, `contract-3`, …) that exist on some paths and not on others.
//
// Time: only `clock.advance` moves L (and the letters never rely on anything else moving it);
// windows and validity are stated relative to `p`, the L the prefix ends at.

import type { Actor, CommandBody, CommandOf, CommandType } from '../model/commands.js';
import { DEFAULT_CONFIG, RIGHTS, type Right } from '../model/state.js';
import { OPERATOR, quotaOf, registration } from '../scenario/builder.js';
import {
  A1,
  A2,
  CAL,
  cmdOf,
  createAlpha,
  createBeta,
  createGamma,
  K1,
  K2,
  PHI_HW,
  PP,
  QP,
  QPU,
  registered,
  registrations,
  reported,
  T1,
  T2,
  type UniverseConfig,
  V1,
  VHMS,
} from './fixtures.js';

/** One letter of the alphabet: a concrete command and a short human label. */
export interface Letter<T extends CommandType = CommandType> {
  label: string;
  cmd: CommandOf<T>;
}

export interface GenContext {
  config: UniverseConfig;
  /** L at the end of the prefix. */
  p: number;
  contracts: string[];
  bindings: string[];
}

export type Generator<T extends CommandType> = (g: GenContext) => Array<Letter<T>>;

/**
 * Command types whose acceptance the alphabet cannot produce, and why: `genesis` is accepted only
 * as the first command of a trace (it is the prefix's first command); the alphabet's re-genesis
 * is always rejected. The coverage test checks these in the prefix instead.
 */
export const PREFIX_ONLY: ReadonlySet<CommandType> = new Set<CommandType>(['genesis']);

type Body<T extends CommandType> = Extract<CommandBody, { type: T }>;
const letter = <T extends CommandType>(label: string, actor: Actor, body: Body<T>): Letter<T> => ({
  label,
  cmd: cmdOf(actor, body),
});
/** A letter with fields of the wrong shape: the core must reject it cleanly. */
const junk = <T extends CommandType>(
  label: string,
  actor: Actor,
  body: { type: T } & Record<string, unknown>,
) => ({ label, cmd: { ...body, actor } }) as unknown as Letter<T>;

const lifecycle =
  <T extends 'vhm.validate' | 'vhm.activate' | 'vhm.pause' | 'vhm.resume' | 'vhm.terminate' | 'vhm.release'>(
    type: T,
    hostile: Array<Letter<T>> = [],
  ): Generator<T> =>
  () => [
    ...VHMS.map(({ vhm, owner }) => letter(`${type.slice(4)} ${vhm}`, owner, { type, vhm } as Body<T>)),
    ...hostile,
  ];

const ALL_RIGHTS: Right[] = [...RIGHTS];

function alloc(
  label: string,
  vhm: string,
  cap: string,
  actor: Actor,
  extra: Partial<Body<'contract.allocate'>>,
): Letter<'contract.allocate'> {
  return letter(label, actor, {
    type: 'contract.allocate',
    vhm,
    capability: cap,
    domain: 'K',
    provider: K1,
    ...extra,
  });
}

function qJob(
  label: string,
  binding: string,
  extra: Partial<Body<'q.job'>> = {},
  actor = A1,
): Letter<'q.job'> {
  return letter(label, actor, {
    type: 'q.job',
    vhm: 'vhm-1',
    capability: 'cap-1',
    binding,
    cost: 1,
    operations: ['h'],
    ...extra,
  });
}

export const GENERATORS: { [T in CommandType]: Generator<T> } = {
  genesis: () => [
    letter('genesis again', OPERATOR, {
      type: 'genesis',
      config: DEFAULT_CONFIG,
    }),
  ],
  'clock.advance': () => [
    letter('clock+1', OPERATOR, { type: 'clock.advance', ticks: 1 }),
    letter('clock+8', OPERATOR, { type: 'clock.advance', ticks: 8 }),
    letter('clock by tenant', A1, { type: 'clock.advance', ticks: 1 }),
  ],
  'firmware.trust': () => [
    // Once any measurement is trusted, only trusted firmware may (re-)attest: qpu-1's is not this one.
    letter('trust other firmware', OPERATOR, { type: 'firmware.trust', measurement: 'a0'.repeat(16) }),
    letter('trust malformed measurement', OPERATOR, { type: 'firmware.trust', measurement: 'XYZ' }),
  ],
  'tenant.create': () => [
    letter('create tenant initech', OPERATOR, {
      type: 'tenant.create',
      name: 'initech',
      quota: quotaOf({ vhms: 1, memory: 8, cpu: 1 }),
    }),
    letter('create tenant acme again', OPERATOR, { type: 'tenant.create', name: 'acme', quota: quotaOf({}) }),
  ],
  'tenant.setQuota': () => [
    // Accepted while acme holds no VHM; below what alpha and beta hold, rejected.
    letter('shrink acme quota', OPERATOR, {
      type: 'tenant.setQuota',
      tenant: T1,
      quota: quotaOf({ vhms: 1, memory: 16, cpu: 1, qubits: 1, envelopes: 1 }),
    }),
    letter('globex raises its own quota', A2, {
      type: 'tenant.setQuota',
      tenant: T2,
      quota: quotaOf({ vhms: 9, memory: 999, cpu: 9, qubits: 9, envelopes: 9 }),
    }),
  ],
  'provider.register': ({ config }) => [
    { label: 'qpu re-attests', cmd: registered(registrations(config)[1]![0], 3) },
    {
      label: 'register with a forged signature',
      cmd: registered(registration('qpu-9', 'Q', { qubits: 9 }, 5), 5, 6),
    },
  ],
  'calibration.issue': ({ p }) => [
    letter('qpu issues a calibration', QPU, {
      type: 'calibration.issue',
      provider: QP,
      from: p,
      until: p + 20,
    }),
    letter('calibration on the K host', OPERATOR, {
      type: 'calibration.issue',
      provider: K1,
      from: 0,
      until: p + 20,
    }),
  ],
  'vhm.create': () => [
    // Root, nested, nested with the child's or a foreign capability, cross-tenant, over quota.
    { label: 'create alpha (t1)', cmd: createAlpha() },
    { label: 'create beta in vhm-1', cmd: createBeta() },
    { label: 'create beta in vhm-1 with cap-2', cmd: createBeta('vhm-1', 'cap-2') },
    { label: 'create nested in vhm-2 (depth 3)', cmd: createBeta('vhm-2', 'cap-2') },
    { label: 'create gamma (t2)', cmd: createGamma() },
    { label: 'create gamma by t1 admin', cmd: createGamma(A1) },
    { label: 'create nested in vhm-3 by t1', cmd: createBeta('vhm-3', 'cap-3') },
    letter('create over quota', A1, {
      type: 'vhm.create',
      tenant: T1,
      name: 'huge',
      quota: quotaOf({ memory: 999, cpu: 1 }),
      parent: null,
      capability: null,
    }),
    junk('create with garbage quota', A1, {
      type: 'vhm.create',
      tenant: T1,
      name: 'x',
      quota: 'lots',
      parent: null,
      capability: null,
    }),
  ],
  'vhm.validate': lifecycle('vhm.validate'),
  'vhm.activate': lifecycle('vhm.activate', [
    letter('activate vhm-9', A1, { type: 'vhm.activate', vhm: 'vhm-9' }),
  ]),
  'vhm.pause': lifecycle('vhm.pause', [letter('pause vhm-1 by t2', A2, { type: 'vhm.pause', vhm: 'vhm-1' })]),
  'vhm.resume': lifecycle('vhm.resume'),
  'vhm.terminate': lifecycle('vhm.terminate', [
    letter('terminate vhm-3 by t1', A1, { type: 'vhm.terminate', vhm: 'vhm-3' }),
    letter('terminate vhm-1 by viewer', V1, { type: 'vhm.terminate', vhm: 'vhm-1' }),
    letter('terminate vhm-2 by operator', OPERATOR, { type: 'vhm.terminate', vhm: 'vhm-2' }),
  ]),
  'vhm.release': lifecycle('vhm.release'),
  'vhm.setSchedule': () => [
    letter('weight 3 for vhm-1', A1, { type: 'vhm.setSchedule', vhm: 'vhm-1', weight: 3, maxQueued: 4 }),
    letter('schedule vhm-3 by t1', A1, { type: 'vhm.setSchedule', vhm: 'vhm-3', weight: 9, maxQueued: 9 }),
  ],
  'process.spawn': () => [
    letter('spawn in vhm-1', A1, { type: 'process.spawn', vhm: 'vhm-1', capability: 'cap-1', name: 'p' }),
    letter('spawn in vhm-3', A2, { type: 'process.spawn', vhm: 'vhm-3', capability: 'cap-3', name: 'p' }),
  ],
  'process.exit': () => [
    letter('exit proc-1', A1, { type: 'process.exit', vhm: 'vhm-1', capability: 'cap-1', process: 'proc-1' }),
  ],
  'cap.issue': () => [
    letter('issue cap in vhm-1', A1, { type: 'cap.issue', vhm: 'vhm-1', rights: ['ALLOC_Q', 'EXECUTE_Q'] }),
  ],
  'cap.derive': () => [
    // Fewer rights, from a parent VHM's capability, and an escalation.
    ...VHMS.map(({ vhm, owner, cap }) =>
      letter(`derive in ${vhm}`, owner, {
        type: 'cap.derive',
        vhm,
        capability: cap,
        rights: ['BIND_K', 'ALLOC_Q', 'EXECUTE_Q'],
      }),
    ),
    letter('derive in vhm-2 from parent cap-1', A1, {
      type: 'cap.derive',
      vhm: 'vhm-2',
      capability: 'cap-1',
      rights: ['BIND_K'],
    }),
    letter('derive all rights from cap-4', A1, {
      type: 'cap.derive',
      vhm: 'vhm-1',
      capability: 'cap-4',
      rights: ALL_RIGHTS,
    }),
  ],
  'cap.revoke': () => [
    ...VHMS.map(({ vhm, owner, cap }) =>
      letter(`revoke ${cap}`, owner, { type: 'cap.revoke', vhm, capability: cap }),
    ),
    letter('revoke cap-4', A1, { type: 'cap.revoke', vhm: 'vhm-1', capability: 'cap-4' }),
    letter('revoke foreign cap-3 in vhm-1', A1, { type: 'cap.revoke', vhm: 'vhm-1', capability: 'cap-3' }),
  ],
  'contract.allocate': ({ p }) => [
    // Small quantities that overlap, conflict and exceed capacity or quota.
    alloc('K [0,16) irq1 vhm-1', 'vhm-1', 'cap-1', A1, { k: { base: 0, size: 16, cpu: 1, irqs: [1] } }),
    alloc('K [16,24) irq2 vhm-2', 'vhm-2', 'cap-2', A1, { k: { base: 16, size: 8, cpu: 1, irqs: [2] } }),
    alloc('K [8,24) irq3 vhm-3', 'vhm-3', 'cap-3', A2, { k: { base: 8, size: 16, cpu: 1, irqs: [3] } }),
    alloc('K [32,48) cpu2 irq1 vhm-3', 'vhm-3', 'cap-3', A2, {
      k: { base: 32, size: 16, cpu: 2, irqs: [1] },
    }),
    alloc('K beyond memory vhm-1', 'vhm-1', 'cap-1', A1, { k: { base: 48, size: 32, cpu: 0, irqs: [] } }),
    alloc('Q 2 vhm-1', 'vhm-1', 'cap-1', A1, {
      domain: 'Q',
      provider: QP,
      q: { qubits: 2, budget: 3, calibration: CAL },
    }),
    alloc('Q 1 vhm-2', 'vhm-2', 'cap-2', A1, {
      domain: 'Q',
      provider: QP,
      q: { qubits: 1, budget: 2, calibration: CAL },
    }),
    alloc('Q 2 vhm-3', 'vhm-3', 'cap-3', A2, {
      domain: 'Q',
      provider: QP,
      q: { qubits: 2, budget: 3, calibration: CAL },
    }),
    alloc('Q 1 vhm-1 with cap-4', 'vhm-1', 'cap-4', A1, {
      domain: 'Q',
      provider: QP,
      q: { qubits: 1, budget: 1, calibration: CAL },
    }),
    alloc('Φ [p,p+6) vhm-1', 'vhm-1', 'cap-1', A1, {
      domain: 'PHI',
      provider: PP,
      phi: { start: p, duration: 6, tolerance: 5000 },
    }),
    alloc('Φ [p+2,p+8) vhm-3', 'vhm-3', 'cap-3', A2, {
      domain: 'PHI',
      provider: PP,
      phi: { start: p + 2, duration: 6, tolerance: 5000 },
    }),
    alloc('Φ [p+8,p+12) vhm-2', 'vhm-2', 'cap-2', A1, {
      domain: 'PHI',
      provider: PP,
      phi: { start: p + 8, duration: 4, tolerance: 5000 },
    }),
    alloc('alloc in vhm-3 by t1', 'vhm-3', 'cap-3', A1, { k: { base: 56, size: 4, cpu: 0, irqs: [] } }),
    alloc('alloc in vhm-2 with parent cap-1', 'vhm-2', 'cap-1', A1, {
      k: { base: 56, size: 4, cpu: 0, irqs: [] },
    }),
    alloc('K with negative size', 'vhm-1', 'cap-1', A1, { k: { base: 0, size: -1, cpu: 0, irqs: [] } }),
  ],
  'contract.activate': ({ contracts }) =>
    contracts.flatMap((contract) =>
      VHMS.map(({ vhm, owner, cap }) =>
        letter(`activate ${contract} in ${vhm}`, owner, {
          type: 'contract.activate',
          vhm,
          capability: cap,
          contract,
        }),
      ),
    ),
  'contract.release': ({ contracts }) =>
    contracts.flatMap((contract) =>
      VHMS.map(({ vhm, owner, cap }) =>
        letter(`release ${contract} in ${vhm}`, owner, {
          type: 'contract.release',
          vhm,
          capability: cap,
          contract,
        }),
      ),
    ),
  'contract.revoke': ({ contracts }) =>
    contracts.map((contract) =>
      letter(`operator revokes ${contract}`, OPERATOR, {
        type: 'contract.revoke',
        contract,
        reason: 'model check',
      }),
    ),
  'binding.request': ({ contracts }) =>
    contracts.flatMap((contract) =>
      VHMS.map(({ vhm, owner, cap }) =>
        letter(`bind ${contract} in ${vhm}`, owner, {
          type: 'binding.request',
          vhm,
          capability: cap,
          contract,
        }),
      ),
    ),
  'binding.validate': ({ bindings }) => bindingLetters('binding.validate', bindings),
  'binding.activate': ({ bindings }) => bindingLetters('binding.activate', bindings),
  'binding.release': ({ bindings }) => bindingLetters('binding.release', bindings),
  'q.job': ({ bindings }) => [
    // Within and beyond budget, unsupported gates, foreign bindings and capabilities, cost 0.
    ...bindings
      .slice(0, 3)
      .flatMap((b) => [
        qJob(`q.job 1 on ${b}`, b),
        qJob(`q.job 5 on ${b}`, b, { cost: 5, operations: ['h', 'measure'] }),
        qJob(`q.job in vhm-3 on ${b}`, b, { vhm: 'vhm-3', capability: 'cap-3', operations: [] }, A2),
      ]),
    qJob('q.job unsupported gate', 'binding-2', { operations: ['cx'] }),
    qJob('q.job with cap-4', 'binding-2', { capability: 'cap-4', operations: [] }),
    qJob('q.job cost 0', 'binding-2', { cost: 0, operations: [] }),
  ],
  'phi.transform': ({ bindings }) =>
    bindings.slice(0, 3).map((b) =>
      letter(`phi.transform on ${b}`, A1, {
        type: 'phi.transform',
        vhm: 'vhm-1',
        capability: 'cap-1',
        binding: b,
        transform: 'rotate',
        impact: 10,
      }),
    ),
  // Provider reports, signed with the providers' own keys (and once with another key): each letter
  // carries the verdict admission gives, as the core sees it in production and on replay.
  'report.q': () => [
    // Accepted once (a T1 alert); after it, a report with the same seq is a replay.
    { label: 'qpu reports a weak qubit', cmd: reported('report.q', QPU, qReport(2, 10)) },
    { label: 'forged qpu report', cmd: reported('report.q', QPU, qReport(3, 120), 9) },
    // Back in range: resolves the weak-qubit alert when it came first.
    { label: 'qpu reports the qubit recovered', cmd: reported('report.q', QPU, qReport(4, 120)) },
  ],
  'report.phi': () => [
    {
      label: 'phi reports env-1 unstable',
      cmd: reported('report.phi', PHI_HW, {
        provider: PP,
        seq: 1,
        envelopes: [{ envelope: 'env-1', stability: 100, noise: 0, drift: 0, impact: 0 }],
      }),
    },
  ],
  'report.error': () => [
    {
      label: 'qpu reports hardware failure',
      cmd: reported('report.error', QPU, {
        provider: QP,
        seq: 1,
        code: 'Q_ERR_HARDWARE_FAILURE',
        contract: null,
        message: 'down',
      }),
    },
  ],
  'snapshot.take': () => [
    ...VHMS.map(({ vhm, owner, cap }) =>
      letter(`snapshot ${vhm}`, owner, { type: 'snapshot.take', vhm, capability: cap, include: ['K'] }),
    ),
    letter('snapshot with Q', A1, {
      type: 'snapshot.take',
      vhm: 'vhm-1',
      capability: 'cap-1',
      include: ['K', 'Q'],
    }),
  ],
  'vhm.migrate': ({ config }) => {
    const target = config.kHosts > 1 ? K2 : K1;
    const migrate = (
      label: string,
      vhm: string,
      cap: string,
      actor: Actor,
      extra: Partial<Body<'vhm.migrate'>>,
    ) =>
      letter(label, actor, {
        type: 'vhm.migrate',
        vhm,
        capability: cap,
        target,
        qPolicy: 'reinit',
        transferContracts: [],
        ...extra,
      });
    return [
      migrate('migrate vhm-1', 'vhm-1', 'cap-1', A1, {}),
      migrate('migrate vhm-1 live', 'vhm-1', 'cap-1', A1, {
        qPolicy: 'live',
        transferContracts: ['contract-2'],
      }),
      migrate('migrate vhm-1 Φ live', 'vhm-1', 'cap-1', A1, {
        phiPolicy: 'live',
        transferContracts: ['contract-3'],
      }),
      migrate('migrate vhm-3', 'vhm-3', 'cap-3', A2, {}),
      migrate('migrate vhm-1 to the Q provider', 'vhm-1', 'cap-1', A1, { target: QP }),
    ];
  },
  'ipc.open': () => {
    const ipc = (
      label: string,
      actor: Actor,
      b: string,
      capabilityB: string,
      rights: Array<'MSG' | 'PHI_SHARE'>,
    ) => letter(label, actor, { type: 'ipc.open', a: 'vhm-1', capabilityA: 'cap-1', b, capabilityB, rights });
    return [
      ipc('ipc vhm-1⇄vhm-3 PHI_SHARE (operator)', OPERATOR, 'vhm-3', 'cap-3', ['MSG', 'PHI_SHARE']),
      ipc('ipc vhm-1⇄vhm-3 by t1', A1, 'vhm-3', 'cap-3', ['MSG']),
      ipc('ipc vhm-1⇄vhm-2', A1, 'vhm-2', 'cap-2', ['MSG']),
    ];
  },
  'ipc.close': () => [
    letter('close ipc-1', OPERATOR, { type: 'ipc.close', ipc: 'ipc-1' }),
    letter('close ipc-1 by t2', A2, { type: 'ipc.close', ipc: 'ipc-1' }),
  ],
  'sched.submit': () => {
    const submit = (
      label: string,
      vhm: string,
      cap: string,
      actor: Actor,
      extra: Partial<Body<'sched.submit'>>,
    ) =>
      letter(label, actor, {
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
    return [
      submit('submit K unit', 'vhm-1', 'cap-1', A1, {}),
      submit('submit Q unit', 'vhm-1', 'cap-1', A1, { domain: 'Q', contract: 'contract-2', quanta: 1 }),
      submit('submit foreign process', 'vhm-3', 'cap-3', A2, {}),
    ];
  },
  'sched.tick': () => [
    letter('tick', OPERATOR, { type: 'sched.tick' }),
    letter('tick by tenant', A1, { type: 'sched.tick' }),
  ],
  'fault.inject': () => {
    type Kind = Body<'fault.inject'>['kind'];
    const fault = (label: string, kind: Kind, target: string, amount: number) =>
      letter(label, OPERATOR, { type: 'fault.inject', kind, target, amount });
    return [
      fault('spike 1 on contract-2', 'decoherence_spike', 'contract-2', 1),
      fault('spike 9 on contract-2', 'decoherence_spike', 'contract-2', 9),
      fault('instability on env-1', 'instability', 'env-1', 100),
      fault('invalidate contract-1', 'contract_invalidation', 'contract-1', 0),
      fault('revoke cap-1 by fault', 'capability_revocation', 'cap-1', 0),
    ];
  },
  // alert-1 is the weak-qubit report's T1 alert: acknowledged once, then a conflict; a tenant and an
  // unknown id are refused.
  'alert.acknowledge': () => [
    letter('ack alert-1', OPERATOR, { type: 'alert.acknowledge', alert: 'alert-1', note: 'recalibrating' }),
    letter('ack alert-1 by tenant', A1, { type: 'alert.acknowledge', alert: 'alert-1', note: 'seen' }),
  ],
};

function bindingLetters<T extends 'binding.validate' | 'binding.activate' | 'binding.release'>(
  type: T,
  bindings: string[],
): Array<Letter<T>> {
  return bindings.flatMap((binding) =>
    VHMS.map(({ vhm, owner, cap }) =>
      letter(`${type.slice(8)} ${binding} in ${vhm}`, owner, {
        type,
        vhm,
        capability: cap,
        binding,
      } as Body<T>),
    ),
  );
}

function qReport(seq: number, t1: number) {
  return { provider: QP, seq, qubits: [{ qubit: 0, t1, t2: 60, fidelity: 9950, readoutError: 100 }] };
}

/** Letters of no command type at all: the core must reject them as invalid. */
export function untypedLetters(): Letter[] {
  return [junk('unknown command type', A1, { type: 'vhm.explode' as CommandType, vhm: 'vhm-1' })];
}

/** The alphabet, relative to L = `p` at the end of the prefix: every generator's letters, in table order. */
export function alphabet(config: UniverseConfig, p: number): Letter[] {
  const g: GenContext = {
    config,
    p,
    contracts: Array.from({ length: config.contractIds }, (_, i) => `contract-${i + 1}`),
    bindings: Array.from({ length: config.bindingIds }, (_, i) => `binding-${i + 1}`),
  };
  const out: Letter[] = [];
  for (const type of Object.keys(GENERATORS) as CommandType[])
    out.push(...(GENERATORS[type] as Generator<CommandType>)(g));
  out.push(...untypedLetters());
  return out;
}
