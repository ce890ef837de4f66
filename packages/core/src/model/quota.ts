import type { ProviderCapacity, Quota } from './state.js';

export const QUOTA_KEYS = ['vhms', 'memory', 'cpu', 'qubits', 'envelopes'] as const;
export const CAPACITY_KEYS = ['memory', 'cpu', 'qubits', 'envelopes'] as const;

export function addQuota(into: Quota, q: Quota, sign: 1 | -1 = 1): void {
  for (const k of QUOTA_KEYS) into[k] += sign * q[k];
}

/** The first dimension that does not fit, with what was requested and what was still available. */
export function quotaShortfall(
  limit: Quota,
  used: Quota,
  extra: Quota,
): { available: number; requested: number; resource: (typeof QUOTA_KEYS)[number] } | null {
  for (const k of QUOTA_KEYS)
    if (used[k] + extra[k] > limit[k])
      return { available: limit[k] - used[k], requested: extra[k], resource: k };
  return null;
}

export function addCapacity(into: ProviderCapacity, c: ProviderCapacity, sign: 1 | -1 = 1): void {
  for (const k of CAPACITY_KEYS) into[k] += sign * c[k];
}

export function quotaOf(partial: Partial<Quota>): Quota {
  return {
    cpu: partial.cpu ?? 0,
    envelopes: partial.envelopes ?? 0,
    memory: partial.memory ?? 0,
    qubits: partial.qubits ?? 0,
    vhms: partial.vhms ?? 0,
  };
}
