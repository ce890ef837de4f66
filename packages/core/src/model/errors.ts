// Stable error codes. The spec's own (Q_ERR_*, PHI_ERR_*) where it names one, HV_* otherwise.
// The API maps each to an HTTP status; the message tells a person what to do next.

export const ERROR_CODES = {
  HV_INVALID_COMMAND: 400,
  HV_FORBIDDEN: 403,
  HV_NOT_FOUND: 404,
  HV_LIFECYCLE_INVALID: 409,
  HV_DEPTH_EXCEEDED: 409,
  HV_QUOTA_EXCEEDED: 409,
  HV_CAPACITY_EXCEEDED: 409,
  HV_CAP_INVALID: 403,
  HV_CAP_REVOKED: 403,
  HV_CAP_FOREIGN: 403,
  HV_CAP_RIGHTS: 403,
  HV_CAP_ESCALATION: 403,
  HV_CONTRACT_FOREIGN: 409,
  HV_CONTRACT_INVALID: 409,
  HV_DOMAIN_MISMATCH: 409,
  HV_MEMORY_OVERLAP: 409,
  HV_IRQ_CONFLICT: 409,
  HV_WINDOW_OVERLAP: 409,
  HV_PROVIDER_UNATTESTED: 409,
  HV_SIGNATURE_INVALID: 401,
  HV_ATTESTATION_MISMATCH: 409,
  HV_FIRMWARE_UNTRUSTED: 409,
  HV_NO_CLONE: 409,
  HV_MIGRATION_UNSUPPORTED: 409,
  HV_IPC_INVALID: 409,
  HV_SCHED_QUOTA: 409,
  HV_CONFLICT: 409,
  Q_ERR_RESOURCE_UNAVAILABLE: 409,
  Q_ERR_CALIBRATION_INVALID: 409,
  Q_ERR_DECOHERENCE_EXCEEDED: 409,
  Q_ERR_GATE_UNSUPPORTED: 409,
  Q_ERR_HARDWARE_FAILURE: 503,
  Q_ERR_MEASUREMENT_FAILURE: 502,
  PHI_ERR_COHERENCE_TIMEOUT: 409,
  PHI_ERR_ENVELOPE_INVALID: 409,
  PHI_ERR_STABILITY_BREACH: 409,
  PHI_ERR_TRANSFORM_UNSUPPORTED: 409,
  PHI_ERR_HARDWARE_FAILURE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** A deterministic refusal. Thrown inside a transition before it mutates anything. */
export class Rejection extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    // A rejection is control flow, never a bug report: capturing its stack cost more than the
    // rest of a rejected command (about 20 µs), so it is not captured.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'Rejection';
  }
}

export function reject(code: ErrorCode, message: string): never {
  throw new Rejection(code, message);
}
