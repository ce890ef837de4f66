import type { Alert, Domain, Fault, ProviderCapacity, Quota, State } from '../model/state.js';

// The dashboard's summary of a state: the API serves it live, the console computes it from a
// replayed state at L. One projection for both, so the two views cannot drift apart.

export interface OverviewProvider {
  id: string;
  name: string;
  domain: Domain;
  attestation: 'attested' | 'failed';
  health: 'ok' | 'degraded';
  capacity: ProviderCapacity;
  allocated: ProviderCapacity;
}

export interface Overview {
  l: number;
  seq: number;
  head: string | null;
  broken: { seq: number; reason?: string } | null;
  vhmsByState: Record<string, number>;
  providers: OverviewProvider[];
  conservation: { ok: boolean };
  invariants: { ok: boolean; violations: number };
  alerts: Alert[];
  faults: Fault[];
  tenants: Array<{ id: string; name: string; quota: Quota; carved: Quota }>;
}

/**
 * `checks` is what the caller could establish about the invariants: the server runs the complete
 * set on the whole state; a tenant's scoped state cannot (other tenants' contracts are not in it).
 */
export function overviewOf(s: State, checks: { conservation: boolean; violations: number }): Overview {
  const vhmsByState: Record<string, number> = {};
  for (const v of Object.values(s.vhms)) vhmsByState[v.state] = (vhmsByState[v.state] ?? 0) + 1;
  return {
    l: s.l,
    seq: s.seq,
    head: s.head,
    broken: null,
    vhmsByState,
    providers: Object.values(s.providers).map((p) => ({
      id: p.id,
      name: p.name,
      domain: p.domain,
      attestation: p.attestation,
      health: p.health,
      capacity: p.capacity,
      allocated: p.allocated,
    })),
    conservation: { ok: checks.conservation },
    invariants: { ok: checks.violations === 0, violations: checks.violations },
    alerts: Object.values(s.alerts).slice(-20),
    faults: Object.values(s.faults).slice(-20),
    tenants: Object.values(s.tenants).map((t) => ({
      id: t.id,
      name: t.name,
      quota: t.quota,
      carved: t.carved,
    })),
  };
}
