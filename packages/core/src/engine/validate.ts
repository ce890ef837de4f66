import { reject } from '../model/errors.js';
import { QUOTA_KEYS, quotaOf } from '../model/quota.js';
import { DOMAINS, type Domain, type Quota, RIGHTS, type Right } from '../model/state.js';

// The core is the trusted base: it re-checks the shape of what it is given even though the API
// validated it already, so a bad command from any caller is a clean rejection, never a corruption.

export const MAX_QUANTITY = Number.MAX_SAFE_INTEGER;

export function int(name: string, v: unknown, min = 0, max = MAX_QUANTITY): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
    reject('HV_INVALID_COMMAND', { field: name, max, min, reason: 'integer_range' });
  return v;
}

export function text(name: string, v: unknown, max = 200): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    reject('HV_INVALID_COMMAND', { field: name, max, reason: 'non_empty_string' });
  return v;
}

export function record(name: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    reject('HV_INVALID_COMMAND', { field: name, reason: 'object' });
  return v as Record<string, unknown>;
}

export function domain(v: unknown): Domain {
  if (!DOMAINS.includes(v as Domain))
    reject('HV_INVALID_COMMAND', { allowed: [...DOMAINS], field: 'domain', reason: 'one_of' });
  return v as Domain;
}

export function rights(v: unknown): Right[] {
  if (!Array.isArray(v) || v.length === 0)
    reject('HV_INVALID_COMMAND', { field: 'rights', reason: 'non_empty_list' });
  for (let i = 0; i < v.length; i++)
    if (!RIGHTS.includes(v[i] as Right))
      reject('HV_INVALID_COMMAND', { field: `rights[${i}]`, reason: 'unknown_right' });
  // Canonical order, no duplicates: two capabilities with the same rights compare equal.
  return RIGHTS.filter((r) => (v as string[]).includes(r));
}

export function quota(v: unknown): Quota {
  if (typeof v !== 'object' || v === null) reject('HV_INVALID_COMMAND', { field: 'quota', reason: 'object' });
  const o = v as Record<string, unknown>;
  // Checked in QUOTA_KEYS order (which field an error names), built in key order (canonical fast path).
  for (const k of QUOTA_KEYS) int(`quota.${k}`, o[k] ?? 0);
  return quotaOf(o as Partial<Quota>);
}
