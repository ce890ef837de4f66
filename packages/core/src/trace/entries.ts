import { COMMAND_TYPES, type CommandType } from '../commands/schemas.js';
import type { ErrorParams, FaultParams, RejectionCode } from '../model/errors.js';
import type { Domain, FaultLevel, Right } from '../model/state.js';
import type { Json } from './canonical.js';

// Every trace entry type, with the shape of its payload: one discriminated union over `type`.
// These are types only: nothing here changes what a transition writes, so the hashed bytes (and the
// golden trace) are untouched. Every payload must stay plain JSON (checked below, at compile time).
// Shapes are written as type literals, not interfaces, so they are assignable to `Json`.

type JsonObject = { [key: string]: Json };

/** A quota as recorded in a payload (keys in canonical order when spread from the state). */
export type QuotaJson = { vhms: number; memory: number; cpu: number; qubits: number; envelopes: number };
/** A provider's capacity as recorded at registration. */
export type CapacityJson = { memory: number; cpu: number; qubits: number; envelopes: number };
/** The actor of a command entry (`actorJson` in engine/step.ts). */
export type ActorJson =
  | { kind: 'operator' }
  | { kind: 'tenant'; role: 'admin' | 'viewer'; tenant: string }
  | { kind: 'provider'; name: string };
export type Policy = 'reinit' | 'live';
export type FaultKind =
  | 'decoherence_spike'
  | 'instability'
  | 'capability_revocation'
  | 'contract_invalidation';

/** The command entry of an accepted command: the command body as given (without its actor). */
export type AcceptedCommandPayload<T extends string = CommandType> = {
  actor: ActorJson;
  command: { type: T; [key: string]: Json };
};
/** The command entry of a rejected (or refused) command: its code and structured params, never prose. */
export type RejectedCommandPayload = {
  actor: ActorJson;
  code: RejectionCode;
  command: JsonObject;
  params: ErrorParams;
};
export type CommandEntryPayload<T extends string = CommandType> =
  | AcceptedCommandPayload<T>
  | RejectedCommandPayload;

/** The payload of every effect entry, by type (what the transitions in transitions/* emit). */
export interface EffectPayloads {
  // admin
  genesis: { config: JsonObject; protocol: number };
  'clock.advanced': { l: number; ticks: number };
  'firmware.trusted': { measurement: string };
  'tenant.created': { name: string; quota: QuotaJson; tenant: string };
  'tenant.quota.set': { quota: QuotaJson; tenant: string };
  // providers
  'provider.attested': ProviderRegisteredPayload;
  'provider.registered': ProviderRegisteredPayload;
  'calibration.issued': { calibration: string; from: number; provider: string; until: number };
  'alert.raised': {
    alert: string;
    metric: string;
    provider: string;
    subject: string;
    threshold: number;
    value: number;
  };
  'alert.acknowledged': { alert: string; note: string };
  'q.metrics.reported': {
    provider: string;
    qubits: Array<{ fidelity: number; qubit: number; readoutError: number; t1: number; t2: number }>;
    seq: number;
    signature: string;
    verified: true;
  };
  'phi.stability.reported': {
    envelopes: Array<{ drift: number; envelope: string; impact: number; noise: number; stability: number }>;
    provider: string;
    seq: number;
    signature: string;
    verified: true;
  };
  'phi.envelope.stability': {
    drift: number;
    envelope: string;
    impact: number;
    noise: number;
    stability: number;
  };
  'provider.error.reported': {
    code: string;
    message: string;
    provider: string;
    seq: number;
    signature: string;
    verified: true;
  };
  // vhms
  'vhm.created': { depth: number; name: string; parent: string | null; quota: QuotaJson; vhm: string };
  'vhm.validated': { from: 'requested'; to: 'validated'; vhm: string };
  'vhm.active': { from: 'validated' | 'paused'; to: 'active'; vhm: string };
  /** By request (lifecycle), by a paused ancestor (cascade), or by fault escalation. */
  'vhm.paused':
    | { from: 'active'; to: 'paused'; vhm: string }
    | { cause: string; from: 'active'; to: 'paused'; vhm: string }
    | { reason: 'fault escalation'; vhm: string };
  'vhm.terminated': { cause: string; from: string; to: 'terminated'; vhm: string };
  'vhm.released': { from: 'terminated'; to: 'released'; vhm: string };
  'sched.quota.set': { maxQueued: number; vhm: string; weight: number };
  // capabilities
  'cap.issued': { capability: string; rights: Right[]; root: true };
  'cap.derived': { capability: string; parent: string; rights: Right[] };
  'cap.revoked': { capability: string; reason: string };
  // contracts and bindings
  'contract.issued': {
    contract: string;
    k: { base: number; cpu: number; irqs: number[]; size: number } | null;
    phi: { duration: number; start: number; tolerance: number } | null;
    provider: string;
    q: { budget: number; calibration: string; qubits: number } | null;
  };
  'contract.activated': { contract: string };
  'contract.released': { contract: string; reason: string };
  'contract.revoked': { contract: string; reason: string };
  'binding.requested': { binding: string };
  'binding.validated': { binding: string; provider: string };
  'binding.activated': { binding: string };
  'binding.released': { binding: string; reason: string };
  'q.container.created':
    | { container: string; provider: string; qubits: number }
    | { container: string; provider: string; qubits: number; reinitialised: true };
  'q.container.destroyed': { container: string; reason: string };
  'q.container.transferred': { container: string | null; transferContract: string };
  'phi.envelope.allocated':
    | { end: number; envelope: string; provider: string; start: number }
    | { end: number; envelope: string; provider: string; reinitialised: true; start: number };
  'phi.envelope.terminated': { envelope: string; reason: string };
  'phi.envelope.transferred': {
    end: number;
    envelope: string;
    stability: number | null;
    start: number;
    tolerance: number;
    transferContract: string;
  };
  // execution
  'q.job.executed': {
    binding: string;
    container: string | null;
    cost: number;
    job: string;
    operations: string[];
    remaining: number;
  };
  'q.job.refused': { binding: string; code: 'Q_ERR_DECOHERENCE_EXCEEDED'; cost: number; remaining: number };
  'phi.transform.applied': { envelope: string; impact: number; transform: string };
  'phi.transform.refused': {
    code: 'PHI_ERR_COHERENCE_TIMEOUT';
    end: number;
    envelope: string;
    l: number;
    start: number;
    transform: string;
  };
  // faults
  'fault.injected': { amount: number; kind: FaultKind; target: string };
  'fault.escalated': {
    code: string;
    fault: string;
    injected: boolean;
    level: FaultLevel;
    params: FaultParams;
  };
  // processes, ipc, snapshots
  'process.spawned': { name: string; process: string };
  'process.exited': { process: string; reason: string };
  'ipc.opened': {
    a: string;
    b: string;
    capabilityB: string;
    ipc: string;
    rights: Array<'MSG' | 'PHI_SHARE'>;
    tenantB: string;
  };
  'ipc.closed': { ipc: string; reason: string };
  'snapshot.taken': { content: JsonObject; snapshot: string };
  // migration
  'vhm.migration.started': {
    from: string | null;
    migration: string;
    phiPolicy: Policy;
    qPolicy: Policy;
    to: string;
  };
  'k.contract.moved': { contract: string; from: string; to: string };
  'vhm.migrated': { migration: string; reinitialised: string[]; to: string; transferred: string[] };
  // scheduler
  'sched.submitted': { priority: number; process: string; quanta: number; unit: string };
  'sched.cancelled': { reason: string; unit: string };
  'sched.decision': {
    completed: string[];
    decision: string;
    dispatched: Array<{
      domain: Domain;
      priority: number;
      process: string;
      unit: string;
      vhm: string;
      waited: number;
    }>;
    requeued: string[];
    waiting: number;
  };
}

type ProviderRegisteredPayload = {
  capacity: CapacityJson;
  firmware: string;
  name: string;
  provider: string;
  signature: string;
  verified: true;
};

export type EffectType = keyof EffectPayloads;

/** The command entries: one per command type, and `command.invalid` for a body of no known type. */
type CommandPayloads = { [T in CommandType]: CommandEntryPayload<T> } & {
  'command.invalid': RejectedCommandPayload;
};

export type EntryType = EffectType | keyof CommandPayloads;

type Merged = {
  [T in EntryType]:
    | (T extends EffectType ? EffectPayloads[T] : never)
    | (T extends keyof CommandPayloads ? CommandPayloads[T] : never);
};

/**
 * The payload of every entry type. `genesis` is both a command and the effect it emits, so its
 * payload is either form (the outcome tells them apart: `accepted`/`rejected` for the command).
 */
export interface EntryPayloads extends Merged {}

/** Every effect type, listed once (the compiler holds it equal to `EffectPayloads`). */
export const EFFECT_TYPES = [
  'genesis',
  'clock.advanced',
  'firmware.trusted',
  'tenant.created',
  'tenant.quota.set',
  'provider.attested',
  'provider.registered',
  'calibration.issued',
  'alert.raised',
  'alert.acknowledged',
  'q.metrics.reported',
  'phi.stability.reported',
  'phi.envelope.stability',
  'provider.error.reported',
  'vhm.created',
  'vhm.validated',
  'vhm.active',
  'vhm.paused',
  'vhm.terminated',
  'vhm.released',
  'sched.quota.set',
  'cap.issued',
  'cap.derived',
  'cap.revoked',
  'contract.issued',
  'contract.activated',
  'contract.released',
  'contract.revoked',
  'binding.requested',
  'binding.validated',
  'binding.activated',
  'binding.released',
  'q.container.created',
  'q.container.destroyed',
  'q.container.transferred',
  'phi.envelope.allocated',
  'phi.envelope.terminated',
  'phi.envelope.transferred',
  'q.job.executed',
  'q.job.refused',
  'phi.transform.applied',
  'phi.transform.refused',
  'fault.injected',
  'fault.escalated',
  'process.spawned',
  'process.exited',
  'ipc.opened',
  'ipc.closed',
  'snapshot.taken',
  'vhm.migration.started',
  'k.contract.moved',
  'vhm.migrated',
  'sched.submitted',
  'sched.cancelled',
  'sched.decision',
] as const satisfies readonly EffectType[];

/**
 * Every entry type: the command types (COMMAND_TYPES is `Object.keys` of the schema table whose
 * keys *are* `CommandType`, so it is complete by construction), `command.invalid`, and the effects.
 * Each once (`genesis` is a command and an effect).
 */
export const ENTRY_TYPES: readonly EntryType[] = [
  ...new Set<EntryType>([...COMMAND_TYPES, 'command.invalid', ...EFFECT_TYPES]),
];

const ENTRY_TYPE_SET: ReadonlySet<string> = new Set(ENTRY_TYPES);
const EFFECT_TYPE_SET: ReadonlySet<string> = new Set(EFFECT_TYPES);

// Compile-time checks: the list names every effect type, and every payload is plain JSON.
type Assert<T extends true> = T;
type IsNever<T> = [T] extends [never] ? true : false;
export type _EffectListComplete = Assert<IsNever<Exclude<EffectType, (typeof EFFECT_TYPES)[number]>>>;
export type _PayloadsAreJson = Assert<
  IsNever<{ [T in EntryType]: EntryPayloads[T] extends JsonObject ? never : T }[EntryType]>
>;

export function isEntryType(t: string): t is EntryType {
  return ENTRY_TYPE_SET.has(t);
}

export function isEffectType(t: string): t is EffectType {
  return EFFECT_TYPE_SET.has(t);
}

/** The compiler's proof that a switch over entry types handled every one. */
export function unhandledEntry(t: never): never {
  throw new Error(`unhandled entry type ${String(t)}`);
}
