import type { Config, Domain, Quota, Right } from './state.js';

/** Who issues a command. The API authenticates; the core authorises. */
export type Actor =
  | { kind: 'operator' }
  | { kind: 'tenant'; tenant: string; role: 'admin' | 'viewer' }
  | { kind: 'provider'; name: string };

/** A signature verdict attached at admission; replay trusts it, audit mode re-verifies it. */
export interface SignedPart {
  signature: string;
  verified: boolean;
}

export interface ProviderRegistration {
  name: string;
  domain: Domain;
  capacity: { memory: number; cpu: number; qubits: number; envelopes: number };
  publicKey: string;
  firmware: string;
  features: { liveTransfer: boolean; operations: string[] };
}

export interface QubitMetrics {
  qubit: number;
  /** Microseconds. */
  t1: number;
  t2: number;
  /** Basis points. */
  fidelity: number;
  readoutError: number;
}

export interface QReport {
  provider: string;
  seq: number;
  qubits: QubitMetrics[];
}

export interface PhiReport {
  provider: string;
  seq: number;
  envelopes: Array<{ envelope: string; stability: number; noise: number; drift: number; impact: number }>;
}

export interface ErrorReport {
  provider: string;
  seq: number;
  code: string;
  contract: string | null;
  message: string;
}

export type CommandBody =
  | { type: 'genesis'; config: Config }
  | { type: 'clock.advance'; ticks: number }
  | { type: 'firmware.trust'; measurement: string }
  | { type: 'tenant.create'; name: string; quota: Quota }
  | { type: 'tenant.setQuota'; tenant: string; quota: Quota }
  | { type: 'provider.register'; registration: ProviderRegistration; auth: SignedPart }
  | { type: 'calibration.issue'; provider: string; from: number; until: number }
  | {
      type: 'vhm.create';
      tenant: string;
      name: string;
      quota: Quota;
      parent: string | null;
      capability: string | null;
    }
  | { type: 'vhm.validate'; vhm: string }
  | { type: 'vhm.activate'; vhm: string }
  | { type: 'vhm.pause'; vhm: string }
  | { type: 'vhm.resume'; vhm: string }
  | { type: 'vhm.terminate'; vhm: string }
  | { type: 'vhm.release'; vhm: string }
  | { type: 'vhm.setSchedule'; vhm: string; weight: number; maxQueued: number }
  | { type: 'process.spawn'; vhm: string; capability: string; name: string }
  | { type: 'process.exit'; vhm: string; capability: string; process: string }
  | { type: 'cap.issue'; vhm: string; rights: Right[] }
  | { type: 'cap.derive'; vhm: string; capability: string; rights: Right[] }
  | { type: 'cap.revoke'; vhm: string; capability: string }
  | {
      type: 'contract.allocate';
      vhm: string;
      capability: string;
      domain: Domain;
      provider: string;
      k?: { base: number; size: number; cpu: number; irqs: number[] };
      q?: { qubits: number; budget: number; calibration: string };
      phi?: { start: number; duration: number; tolerance: number };
    }
  | { type: 'contract.activate'; vhm: string; capability: string; contract: string }
  | { type: 'contract.release'; vhm: string; capability: string; contract: string }
  | { type: 'contract.revoke'; contract: string; reason: string }
  | { type: 'binding.request'; vhm: string; capability: string; contract: string }
  | { type: 'binding.validate'; vhm: string; capability: string; binding: string }
  | { type: 'binding.activate'; vhm: string; capability: string; binding: string }
  | { type: 'binding.release'; vhm: string; capability: string; binding: string }
  | { type: 'q.job'; vhm: string; capability: string; binding: string; cost: number; operations: string[] }
  | {
      type: 'phi.transform';
      vhm: string;
      capability: string;
      binding: string;
      transform: string;
      impact: number;
    }
  | { type: 'report.q'; report: QReport; auth: SignedPart }
  | { type: 'report.phi'; report: PhiReport; auth: SignedPart }
  | { type: 'report.error'; report: ErrorReport; auth: SignedPart }
  | { type: 'snapshot.take'; vhm: string; capability: string; include: Domain[] }
  | {
      type: 'vhm.migrate';
      vhm: string;
      capability: string;
      target: string;
      qPolicy: 'reinit' | 'live';
      /** Φ envelopes: terminated and reinitialised (default), or moved live (XDV-083 §9.3). */
      phiPolicy?: 'reinit' | 'live';
      /** The Q and Φ contracts to move live; each must be honoured, or the migration is refused. */
      transferContracts: string[];
    }
  | {
      type: 'ipc.open';
      a: string;
      capabilityA: string;
      b: string;
      capabilityB: string;
      rights: Array<'MSG' | 'PHI_SHARE'>;
    }
  | { type: 'ipc.close'; ipc: string }
  | {
      type: 'sched.submit';
      vhm: string;
      capability: string;
      process: string;
      domain: Domain;
      contract: string | null;
      priority: number;
      quanta: number;
    }
  | { type: 'sched.tick' }
  | {
      type: 'fault.inject';
      kind: 'decoherence_spike' | 'instability' | 'capability_revocation' | 'contract_invalidation';
      target: string;
      amount: number;
    };

export type CommandType = CommandBody['type'];
export type Command = CommandBody & { actor: Actor };
export type CommandOf<T extends CommandType> = Extract<CommandBody, { type: T }> & { actor: Actor };
