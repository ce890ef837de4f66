// The fixed cast of the model checker's small universe: tenants, actors, providers (with their
// deterministic identity keys), the calibration and the VHMs the scenarios create. Shared by the
// prefix (universe.ts) and the alphabet's generators (alphabet.ts).

import { verify } from '../crypto/signatures.js';
import type {
  Actor,
  Command,
  CommandBody,
  CommandOf,
  CommandType,
  ErrorReport,
  PhiReport,
  ProviderRegistration,
  QReport,
} from '../model/commands.js';
import type { Quota } from '../model/state.js';
import {
  providerKeys,
  quotaOf,
  registerCmd,
  registration,
  signedReport,
  tenantAdmin,
} from '../scenario/builder.js';

export const T1 = 'tenant-1';
export const T2 = 'tenant-2';
export const A1 = tenantAdmin(T1);
export const A2 = tenantAdmin(T2);
export const V1: Actor = { kind: 'tenant', tenant: T1, role: 'viewer' };
export const K1 = 'provider-1';
export const QP = 'provider-2';
export const PP = 'provider-3';
export const K2 = 'provider-4';
export const CAL = 'cal-1';
/** Seeds of the providers' identity keys (builder.providerKeys), in registration order. */
export const SEEDS = { [K1]: 1, [QP]: 3, [PP]: 4, [K2]: 2 } as const;
export const QPU: Actor = { kind: 'provider', name: 'qpu-1' };
export const PHI_HW: Actor = { kind: 'provider', name: 'phi-1' };

/** Sizes of the universe: small on purpose, so a few allocations exceed them. */
export interface UniverseConfig {
  /** No `vhm.create` is tried once this many VHMs exist (tombstones count). */
  maxVhms: number;
  /** Nesting limit written into genesis (the core's default is 3). */
  maxNesting: number;
  /** Domain faults in one VHM before it escalates and pauses (genesis config). */
  vhmEscalation: number;
  /** 1 or 2 K hosts (a second host makes migration move K contracts). */
  kHosts: number;
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
  /**
   * Operator administration changes (a tenant created, a tenant quota set, a firmware measurement
   * trusted, a calibration issued) on one path beyond the prefix. They commute with almost every
   * other letter, so each one multiplies the states; one is enough to explore its interactions.
   */
  adminChanges: number;
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
  adminChanges: 1,
};

export const as = (actor: Actor, body: CommandBody): Command => ({ ...body, actor }) as Command;

/** A command of one type, typed as such (the generators' building block). */
export function cmdOf<T extends CommandType>(
  actor: Actor,
  body: Extract<CommandBody, { type: T }>,
): CommandOf<T> {
  return { ...body, actor } as CommandOf<T>;
}

// Signatures cost milliseconds each: sign each distinct signed command once per process.
const signed = new Map<string, Command>();
function once(key: string, make: () => Command): Command {
  let c = signed.get(key);
  if (!c) {
    c = make();
    signed.set(key, c);
  }
  return c;
}

/** A registration signed with the key of `seed`, with the verdict admission gives (crypto/admit.ts). */
export function registered(
  reg: ProviderRegistration,
  seed: number,
  signer = seed,
): CommandOf<'provider.register'> {
  return once(`reg:${seed}:${signer}:${JSON.stringify(reg)}`, () => {
    const c = registerCmd(reg, signer) as CommandOf<'provider.register'>;
    const ok = verify('xdv/provider-registration/v1', reg, c.auth.signature, reg.publicKey);
    return { ...c, auth: { signature: c.auth.signature, verified: ok } };
  }) as CommandOf<'provider.register'>;
}

type SignedReport<T extends 'report.q' | 'report.phi' | 'report.error'> = T extends 'report.q'
  ? QReport
  : T extends 'report.phi'
    ? PhiReport
    : ErrorReport;

/**
 * A provider report signed with the key of `signer` (its own by default), with the verdict
 * admission gives: verified against the key the reporting provider registered with.
 */
export function reported<T extends 'report.q' | 'report.phi' | 'report.error'>(
  type: T,
  actor: Actor,
  report: SignedReport<T>,
  signer?: number,
): CommandOf<T> {
  const seed = SEEDS[report.provider as keyof typeof SEEDS];
  return once(`${type}:${signer ?? seed}:${JSON.stringify(report)}:${JSON.stringify(actor)}`, () => {
    const { auth } = signedReport(report, signer ?? seed);
    const ok = verify('xdv/provider-report/v1', report, auth.signature, providerKeys(seed).publicKey);
    return { type, report, auth: { signature: auth.signature, verified: ok }, actor } as Command;
  }) as CommandOf<T>;
}

export function registrations(u: UniverseConfig): Array<[ProviderRegistration, number]> {
  const out: Array<[ProviderRegistration, number]> = [
    [registration('host-a', 'K', { memory: u.kMemory, cpu: u.kCpu }, SEEDS[K1]), SEEDS[K1]],
    [
      registration('qpu-1', 'Q', { qubits: u.qubits }, SEEDS[QP], { operations: ['h', 'measure'] }),
      SEEDS[QP],
    ],
    [
      registration('phi-1', 'PHI', { envelopes: u.envelopes }, SEEDS[PP], { operations: ['rotate'] }),
      SEEDS[PP],
    ],
  ];
  if (u.kHosts > 1)
    out.push([registration('host-b', 'K', { memory: u.kMemory, cpu: u.kCpu }, SEEDS[K2]), SEEDS[K2]]);
  return out;
}

/** Root VHMs and the nested one, with the quotas every scenario and the alphabet use. */
export const VHM_QUOTA: Record<'alpha' | 'beta' | 'gamma', Quota> = {
  alpha: quotaOf({ memory: 48, cpu: 3, qubits: 3, envelopes: 2 }),
  beta: quotaOf({ memory: 16, cpu: 1, qubits: 1, envelopes: 1 }),
  gamma: quotaOf({ memory: 32, cpu: 2, qubits: 2, envelopes: 1 }),
};

export function createAlpha(): CommandOf<'vhm.create'> {
  return cmdOf(A1, {
    type: 'vhm.create',
    tenant: T1,
    name: 'alpha',
    quota: VHM_QUOTA.alpha,
    parent: null,
    capability: null,
  });
}
export function createBeta(parent = 'vhm-1', cap = 'cap-1'): CommandOf<'vhm.create'> {
  return cmdOf(A1, {
    type: 'vhm.create',
    tenant: T1,
    name: 'beta',
    quota: VHM_QUOTA.beta,
    parent,
    capability: cap,
  });
}
export function createGamma(actor: Actor = A2): CommandOf<'vhm.create'> {
  return cmdOf(actor, {
    type: 'vhm.create',
    tenant: T2,
    name: 'gamma',
    quota: VHM_QUOTA.gamma,
    parent: null,
    capability: null,
  });
}

/** The VHMs of the scenarios: id, owning admin, root capability (ids follow creation order). */
export const VHMS: Array<{ vhm: string; owner: Actor; cap: string }> = [
  { vhm: 'vhm-1', owner: A1, cap: 'cap-1' },
  { vhm: 'vhm-2', owner: A1, cap: 'cap-2' },
  { vhm: 'vhm-3', owner: A2, cap: 'cap-3' },
];
