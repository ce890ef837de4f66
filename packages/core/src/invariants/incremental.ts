import { CAPACITY_KEYS, QUOTA_KEYS } from '../model/quota.js';
import type { State } from '../model/state.js';

/**
 * The hot-path check: only the providers, VHMs and tenants a command touched, plus O(1) global
 * counters. Its cost does not grow with the fleet. The complete check runs in tests and on replay.
 */
export function checkTouched(
  s: State,
  touched: { providers: Set<string>; vhms: Set<string>; tenants: Set<string> },
): string[] {
  const bad: string[] = [];
  for (const id of touched.providers) {
    const p = s.providers[id];
    if (!p) continue;
    for (const k of CAPACITY_KEYS) {
      if (p.allocated[k] < 0) bad.push(`${id}: negative ${k} allocation`);
      if (p.allocated[k] > p.capacity[k])
        bad.push(`${id}: ${k} allocated ${p.allocated[k]} > capacity ${p.capacity[k]}`);
    }
  }
  for (const id of touched.vhms) {
    const v = s.vhms[id];
    if (!v) continue;
    for (const k of QUOTA_KEYS) {
      if (v.used[k] < 0 || v.carved[k] < 0) bad.push(`${id}: negative ${k}`);
      if (k !== 'vhms' && v.used[k] + v.carved[k] > v.quota[k])
        bad.push(`${id}: ${k} used+carved exceeds quota`);
    }
  }
  for (const id of touched.tenants) {
    const t = s.tenants[id];
    if (!t) continue;
    for (const k of QUOTA_KEYS)
      if (t.carved[k] > t.quota[k] || t.carved[k] < 0) bad.push(`${id}: ${k} carved outside quota`);
  }
  if (s.capStats.revoked > s.capStats.issued) bad.push('capabilities: more revoked than issued');
  return bad;
}
