import type { FaultParams } from './errors.js';
// The hypervisor state: plain JSON-serialisable records keyed by id. Every quantity is an integer.
// Decisions never depend on object iteration order: anything iterated is sorted by numeric id first.

export type Domain = 'K' | 'Q' | 'PHI';
export const DOMAINS: readonly Domain[] = ['K', 'Q', 'PHI'];

export const RIGHTS = [
  'BIND_K',
  'ALLOC_Q',
  'EXECUTE_Q',
  'ALLOC_PHI',
  'EXECUTE_PHI',
  'SPAWN_NESTED',
  'IPC',
  'SNAPSHOT',
  'MIGRATE',
  'PROCESS',
  'SCHEDULE',
] as const;
export type Right = (typeof RIGHTS)[number];

/** Quantities a tenant or VHM may hold: memory in bytes, CPU in slices, qubits, Φ envelopes. */
export interface Quota {
  vhms: number;
  memory: number;
  cpu: number;
  qubits: number;
  envelopes: number;
}

export interface Tenant {
  id: string;
  name: string;
  quota: Quota;
  /** Sum of the quotas carved into root VHMs (and the VHM count). */
  carved: Quota;
  status: 'active';
}

export interface ProviderCapacity {
  /** K: bytes of memory and CPU slices; Q: logical qubits; Φ: concurrent envelopes. */
  memory: number;
  cpu: number;
  qubits: number;
  envelopes: number;
}

export interface Provider {
  id: string;
  name: string;
  domain: Domain;
  capacity: ProviderCapacity;
  allocated: ProviderCapacity;
  publicKey: string;
  firmware: string;
  features: { liveTransfer: boolean; operations: string[] };
  attestation: 'attested' | 'failed';
  health: 'ok' | 'degraded';
  registeredL: number;
  /** K only: sorted, disjoint [base, end) memory ranges with the owning contract. */
  ranges: Array<[number, number, string]>;
  /** K only: deterministic interrupt routing table, vector → contract. */
  irqRoutes: Record<string, string>;
  /** Latest report values, for thresholds and the dashboard. */
  lastReportL: number | null;
  /** Highest report sequence number seen: an older or repeated report is a replay and refused. */
  lastReportSeq: number;
}

export interface Calibration {
  id: string;
  provider: string;
  from: number;
  until: number;
  issuedL: number;
}

export type VhmState = 'requested' | 'validated' | 'active' | 'paused' | 'terminated' | 'released';

export interface Vhm {
  id: string;
  tenant: string;
  name: string;
  parent: string | null;
  depth: number;
  state: VhmState;
  quota: Quota;
  /** Resources held by this VHM's own contracts. */
  used: Quota;
  /** Quota carved into nested VHMs. */
  carved: Quota;
  children: string[];
  processes: string[];
  capabilities: string[];
  contracts: string[];
  bindings: string[];
  sched: { weight: number; maxQueued: number; vtime: number };
  host: string | null;
  createdL: number;
  faultCount: number;
}

export interface Process {
  id: string;
  vhm: string;
  name: string;
  state: 'running' | 'exited';
  createdL: number;
}

export interface Capability {
  id: string;
  vhm: string;
  parent: string | null;
  rights: Right[];
  children: string[];
  revoked: boolean;
  issuedL: number;
}

export type ContractStatus = 'issued' | 'active' | 'released' | 'revoked';

export interface KResources {
  base: number;
  size: number;
  cpu: number;
  irqs: number[];
}
export interface QResources {
  qubits: number;
  budget: number;
  calibration: string;
}
export interface PhiResources {
  start: number;
  duration: number;
  /** Minimum acceptable stability index, in basis points (10000 = perfectly stable). */
  tolerance: number;
}

export interface Contract {
  id: string;
  vhm: string;
  tenant: string;
  domain: Domain;
  provider: string;
  status: ContractStatus;
  k: KResources | null;
  q: QResources | null;
  phi: PhiResources | null;
  consumed: number;
  reason: string | null;
  issuedL: number;
  endedL: number | null;
  binding: string | null;
}

export type BindingState = 'requested' | 'validated' | 'active' | 'released';

export interface Binding {
  id: string;
  vhm: string;
  contract: string;
  domain: Domain;
  state: BindingState;
  capability: string;
  container: string | null;
  envelope: string | null;
  history: Array<[BindingState, number]>;
}

/** A Q container: an exclusive handle. It has no raw state here, so none can be cloned. */
export interface QContainer {
  id: string;
  vhm: string;
  contract: string;
  provider: string;
  qubits: number;
  live: boolean;
  createdL: number;
}

export interface PhiEnvelope {
  id: string;
  vhm: string;
  contract: string;
  provider: string;
  start: number;
  end: number;
  live: boolean;
  lastStability: number | null;
  createdL: number;
  endedL: number | null;
  reason: string | null;
}

export interface Snapshot {
  id: string;
  vhm: string;
  takenL: number;
  /** K-only content: contract metadata and K state. Never Q container or Φ envelope internals. */
  content: {
    contracts: Array<{ id: string; domain: Domain; provider: string; status: ContractStatus }>;
    k: Array<{ contract: string; base: number; size: number; cpu: number; irqs: number[] }>;
    processes: Array<{ id: string; name: string; state: string }>;
  };
}

export interface Migration {
  id: string;
  vhm: string;
  from: string | null;
  to: string;
  qPolicy: 'reinit' | 'live';
  phiPolicy: 'reinit' | 'live';
  l: number;
  reinitialised: string[];
  transferred: string[];
}

export interface IpcContract {
  id: string;
  a: string;
  b: string;
  rights: Array<'MSG' | 'PHI_SHARE'>;
  open: boolean;
  openedL: number;
}

export interface SchedUnit {
  id: string;
  vhm: string;
  process: string;
  domain: Domain;
  contract: string | null;
  priority: number;
  submittedL: number;
  /** Quanta still to run; each dispatch runs one. */
  remaining: number;
  state: 'waiting' | 'running' | 'done' | 'cancelled';
  dispatches: number;
}

export type FaultLevel = 'process' | 'domain' | 'vhm' | 'system';

export interface Fault {
  id: string;
  l: number;
  level: FaultLevel;
  code: string;
  tenant: string | null;
  vhm: string | null;
  provider: string | null;
  contract: string | null;
  injected: boolean;
  /** Structured data with a `reason` token; the text is rendered at the edge (renderFault). */
  params: FaultParams;
}

export interface Alert {
  id: string;
  l: number;
  provider: string;
  metric: string;
  value: number;
  threshold: number;
  subject: string;
  /**
   * Set when a later report of the same provider puts this metric of this subject back in range.
   * Absent while firing (optional fields, so states without them hash as before). An alert about
   * an envelope also resolves when the envelope ends: that is read off the envelope (views/alerts).
   */
  resolvedL?: number;
  /** An operator's acknowledgement (`alert.acknowledge`): who looked, when, and what they noted. */
  ack?: { l: number; note: string };
}

export interface Thresholds {
  /** Q: minimum T1 and T2 in microseconds, minimum gate fidelity and maximum readout error in bp. */
  t1Min: number;
  t2Min: number;
  fidelityMin: number;
  readoutMax: number;
  /** Φ: maximum noise and drift in bp (stability is judged against each contract's tolerance). */
  noiseMax: number;
  driftMax: number;
}

export interface Config {
  maxDepth: number;
  /** Ticks a unit may wait before deterministic aging raises its priority. */
  agingThreshold: number;
  agingStep: number;
  /** Domain priority for arbitration order (higher first). */
  domainPriority: Record<Domain, number>;
  /** Domain faults in one VHM before the fault escalates to VHM level (and the VHM pauses). */
  vhmEscalation: number;
  thresholds: Thresholds;
}

export interface Counters {
  [kind: string]: number;
}

export interface State {
  version: 1;
  seq: number;
  l: number;
  head: string;
  config: Config;
  counters: Counters;
  trustedFirmware: string[];
  tenants: Record<string, Tenant>;
  providers: Record<string, Provider>;
  calibrations: Record<string, Calibration>;
  vhms: Record<string, Vhm>;
  processes: Record<string, Process>;
  capabilities: Record<string, Capability>;
  contracts: Record<string, Contract>;
  bindings: Record<string, Binding>;
  containers: Record<string, QContainer>;
  envelopes: Record<string, PhiEnvelope>;
  snapshots: Record<string, Snapshot>;
  migrations: Record<string, Migration>;
  ipcs: Record<string, IpcContract>;
  units: Record<string, SchedUnit>;
  faults: Record<string, Fault>;
  alerts: Record<string, Alert>;
  /** Φ contracts ordered by window end, so expiry at each tick is O(expired). */
  phiExpiry: Array<[number, string]>;
  /** Capability conservation: issued and revoked counts (valid = issued − revoked). */
  capStats: { issued: number; revoked: number };
  /** Waiting and running scheduling units, so a tick never scans finished ones. */
  runQueue: string[];
  /** Weighted-fair virtual time of the last dispatch; an idle VHM rejoins at this point. */
  schedClock: number;
}

export const GENESIS_HASH = '0'.repeat(64);

export const DEFAULT_CONFIG: Config = {
  agingStep: 1,
  agingThreshold: 8,
  domainPriority: { K: 1, PHI: 3, Q: 2 },
  maxDepth: 3,
  thresholds: { driftMax: 1000, fidelityMin: 9900, noiseMax: 1500, readoutMax: 300, t1Min: 50, t2Min: 30 },
  vhmEscalation: 3,
};

export function zeroQuota(): Quota {
  return { cpu: 0, envelopes: 0, memory: 0, qubits: 0, vhms: 0 };
}

export function zeroCapacity(): ProviderCapacity {
  return { cpu: 0, envelopes: 0, memory: 0, qubits: 0 };
}

/** The empty state before the genesis command. */
export function emptyState(): State {
  return {
    alerts: {},
    bindings: {},
    calibrations: {},
    capStats: { issued: 0, revoked: 0 },
    capabilities: {},
    config: DEFAULT_CONFIG,
    containers: {},
    contracts: {},
    counters: {},
    envelopes: {},
    faults: {},
    head: GENESIS_HASH,
    ipcs: {},
    l: 0,
    migrations: {},
    phiExpiry: [],
    processes: {},
    providers: {},
    runQueue: [],
    schedClock: 0,
    seq: 0,
    snapshots: {},
    tenants: {},
    trustedFirmware: [],
    units: {},
    version: 1,
    vhms: {},
  };
}
