import type { Json } from '../trace/canonical.js';

// Every error code of the system, declared once, here. The spec's own (Q_ERR_*, PHI_ERR_*) where
// it names one, HV_* otherwise. The core knows no transport: the API maps each code to an HTTP
// status, and the text a person reads is rendered from the code and its params at the edge
// (errors/messages.ts), never recorded in the trace.

/** Codes a command can be rejected (or refused) with: recorded in the trace, so they never change. */
export const REJECTION_CODES = [
  'HV_INVALID_COMMAND',
  'HV_FORBIDDEN',
  'HV_NOT_FOUND',
  'HV_LIFECYCLE_INVALID',
  'HV_DEPTH_EXCEEDED',
  'HV_QUOTA_EXCEEDED',
  'HV_CAPACITY_EXCEEDED',
  'HV_CAP_INVALID',
  'HV_CAP_REVOKED',
  'HV_CAP_FOREIGN',
  'HV_CAP_RIGHTS',
  'HV_CAP_ESCALATION',
  'HV_CONTRACT_FOREIGN',
  'HV_CONTRACT_INVALID',
  'HV_DOMAIN_MISMATCH',
  'HV_MEMORY_OVERLAP',
  'HV_IRQ_CONFLICT',
  'HV_WINDOW_OVERLAP',
  'HV_PROVIDER_UNATTESTED',
  'HV_SIGNATURE_INVALID',
  'HV_ATTESTATION_MISMATCH',
  'HV_FIRMWARE_UNTRUSTED',
  'HV_NO_CLONE',
  'HV_MIGRATION_UNSUPPORTED',
  'HV_IPC_INVALID',
  'HV_SCHED_QUOTA',
  'HV_CONFLICT',
  'Q_ERR_RESOURCE_UNAVAILABLE',
  'Q_ERR_CALIBRATION_INVALID',
  'Q_ERR_DECOHERENCE_EXCEEDED',
  'Q_ERR_GATE_UNSUPPORTED',
  'Q_ERR_HARDWARE_FAILURE',
  'Q_ERR_MEASUREMENT_FAILURE',
  'PHI_ERR_COHERENCE_TIMEOUT',
  'PHI_ERR_ENVELOPE_INVALID',
  'PHI_ERR_STABILITY_BREACH',
  'PHI_ERR_TRANSFORM_UNSUPPORTED',
  'PHI_ERR_HARDWARE_FAILURE',
] as const;

/** Codes the API answers with before or around the core (authentication, HTTP, concurrency). */
export const API_ERROR_CODES = [
  'HV_UNAUTHENTICATED',
  'HV_BAD_REQUEST',
  'HV_NOT_ACCEPTABLE',
  'HV_METHOD_NOT_ALLOWED',
  'HV_ROUTE_NOT_FOUND',
  'HV_PAYLOAD_TOO_LARGE',
  'HV_URI_TOO_LONG',
  'HV_UNSUPPORTED_MEDIA_TYPE',
  'HV_RATE_LIMITED',
  'HV_PRECONDITION_FAILED',
  'HV_UNAVAILABLE',
  'HV_INTERNAL',
] as const;

/** Codes the trace store (@xdv/db) raises. */
export const STORE_ERROR_CODES = [
  'HV_TRACE_BROKEN',
  'HV_LEDGER_CLOSED',
  'HV_DB_FLUSH_FAILED',
  'HV_CONFLICT_RETRIES',
  'HV_IDEMPOTENCY_LOST',
  // The same Idempotency-Key with another request: decided where the answers are stored.
  'HV_IDEMPOTENCY_MISMATCH',
  'HV_DB_CONFIG',
  'HV_PROTOCOL_MISMATCH',
] as const;

export const ERROR_CODES = [...REJECTION_CODES, ...API_ERROR_CODES, ...STORE_ERROR_CODES] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];
export type ErrorCode = (typeof ERROR_CODES)[number];

const ALL: ReadonlySet<string> = new Set(ERROR_CODES);
const REJECTIONS: ReadonlySet<string> = new Set(REJECTION_CODES);

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && ALL.has(code);
}

export function isRejectionCode(code: unknown): code is RejectionCode {
  return typeof code === 'string' && REJECTIONS.has(code);
}

/**
 * The structured data of an error: ids, quantities, states, the field and the rule broken as a
 * stable lowercase token (`reason`). Never prose: it is hashed into the trace. Build it with its
 * keys in sorted order, so canonical JSON takes its fast path.
 */
export type ErrorParams = { readonly [key: string]: Json };

/**
 * Why a fault was raised, as a stable token: a fault's params carry one as `reason`, and its text
 * is rendered from them at the edge (renderFault), like a rejection's.
 */
export const FAULT_REASONS = [
  'decoherence_exceeded',
  'outside_window',
  'stability_breach',
  'provider_report',
  'hardware_failure',
  'operator_revoked',
  'vhm_escalation',
  'injected_spike',
  'injected_spike_exceeded',
  'injected_instability',
  'injected_revocation',
  'injected_invalidation',
] as const;

export type FaultReason = (typeof FAULT_REASONS)[number];

/** A fault's structured data: its reason token first in meaning, keys in sorted order as always. */
export type FaultParams = ErrorParams & { readonly reason: FaultReason };

/** A deterministic refusal. Thrown inside a transition before it mutates anything. */
export class Rejection extends Error {
  constructor(
    readonly code: RejectionCode,
    readonly params: ErrorParams,
  ) {
    // A rejection is control flow, never a bug report: capturing its stack cost more than the
    // rest of a rejected command (about 20 µs), so it is not captured. Its message is the code
    // only: the text a person reads is rendered at the edge (renderMessage).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(code);
    Error.stackTraceLimit = limit;
    this.name = 'Rejection';
  }
}

export function reject(code: RejectionCode, params: ErrorParams): never {
  throw new Rejection(code, params);
}
