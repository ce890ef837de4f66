import { byId } from '../engine/context.js';
import type { Contract, Domain, ProviderCapacity, State } from '../model/state.js';

// The provider fleet as a table (issue 15 §4) and what uses one provider. Both read a state the
// caller already scoped: a tenant's state holds only its own VHMs and contracts, so a tenant sees
// only its own users of a shared provider, and its own allocation on it.

export interface FleetRow {
  id: string;
  name: string;
  domain: Domain;
  health: 'ok' | 'degraded';
  attestation: 'attested' | 'failed';
  lastReportL: number | null;
  /** Q only: the calibration valid now that lasts longest, or the newest one if none is valid. */
  calibration: { id: string; from: number; until: number; valid: boolean } | null;
  capacity: ProviderCapacity;
  allocated: ProviderCapacity;
  /** Issued or active contracts on it (in the caller's scope). */
  activeContracts: number;
}

export interface ProviderUsage {
  provider: string;
  vhms: Array<{ id: string; name: string; tenant: string; state: string; contracts: string[] }>;
  contracts: Array<{
    id: string;
    vhm: string;
    tenant: string;
    domain: Domain;
    status: Contract['status'];
    qubits: number | null;
    envelope: string | null;
    /** Φ: the stability the envelope must keep, in basis points. */
    tolerance: number | null;
  }>;
}

const live = (c: Contract) => c.status === 'issued' || c.status === 'active';

export function fleetOf(s: State): FleetRow[] {
  const active: Record<string, number> = {};
  for (const c of Object.values(s.contracts)) if (live(c)) active[c.provider] = (active[c.provider] ?? 0) + 1;
  const cals = Object.values(s.calibrations).sort((a, b) => byId(a.id, b.id));
  return Object.values(s.providers)
    .sort((a, b) => byId(a.id, b.id))
    .map((p) => {
      let calibration: FleetRow['calibration'] = null;
      if (p.domain === 'Q') {
        const mine = cals.filter((c) => c.provider === p.id);
        const valid = mine.filter((c) => c.from <= s.l && s.l < c.until).sort((a, b) => b.until - a.until)[0];
        const pick = valid ?? mine.at(-1);
        if (pick) calibration = { from: pick.from, id: pick.id, until: pick.until, valid: pick === valid };
      }
      return {
        activeContracts: active[p.id] ?? 0,
        allocated: p.allocated,
        attestation: p.attestation,
        calibration,
        capacity: p.capacity,
        domain: p.domain,
        health: p.health,
        id: p.id,
        lastReportL: p.lastReportL,
        name: p.name,
      };
    });
}

/** The live contracts on a provider and the VHMs holding them; null when the provider is not in the state. */
export function usageOf(s: State, provider: string): ProviderUsage | null {
  if (!Object.hasOwn(s.providers, provider)) return null;
  const contracts = Object.values(s.contracts)
    .filter((c) => c.provider === provider && live(c))
    .sort((a, b) => byId(a.id, b.id));
  const envelopeOf = (c: Contract) => {
    const b = c.binding ? s.bindings[c.binding] : undefined;
    return b?.envelope ?? null;
  };
  const vhms = new Map<string, ProviderUsage['vhms'][number]>();
  for (const c of contracts) {
    const v = s.vhms[c.vhm];
    if (!v) continue;
    let row = vhms.get(v.id);
    if (!row) {
      row = { contracts: [], id: v.id, name: v.name, state: v.state, tenant: v.tenant };
      vhms.set(v.id, row);
    }
    row.contracts.push(c.id);
  }
  return {
    contracts: contracts.map((c) => ({
      domain: c.domain,
      envelope: envelopeOf(c),
      id: c.id,
      qubits: c.q?.qubits ?? null,
      status: c.status,
      tenant: c.tenant,
      tolerance: c.phi?.tolerance ?? null,
      vhm: c.vhm,
    })),
    provider,
    vhms: [...vhms.values()].sort((a, b) => byId(a.id, b.id)),
  };
}
