import type { Api } from '../api.js';

// What the server holds now, as far as apply needs it: read through the caller's own view, so a
// tenant's apply sees (and can change) only its own tenant.

type Quota = { vhms: number; memory: number; cpu: number; qubits: number; envelopes: number };
export interface CTenant {
  id: string;
  name: string;
  quota: Quota;
}
export interface CVhm {
  id: string;
  tenant: string;
  name: string;
  parent: string | null;
  state: string;
  quota: Quota;
  capabilities?: string[];
}
export interface CContract {
  id: string;
  vhm: string;
  domain: 'K' | 'Q' | 'PHI';
  provider: string;
  status: string;
  binding: string | null;
  k: { size: number; cpu: number } | null;
  q: { qubits: number; budget: number } | null;
  phi: { duration: number; tolerance: number; start: number } | null;
}
export interface CBinding {
  id: string;
  contract: string;
  state: string;
}
export interface CIpc {
  id: string;
  a: string;
  b: string;
  rights: string[];
  open: boolean;
}
export interface CProvider {
  id: string;
  name: string;
  domain: string;
}
export interface CCalibration {
  id: string;
  provider: string;
  from: number;
  until: number;
}
export interface CCapability {
  id: string;
  vhm: string;
  parent: string | null;
  revoked: boolean;
}

export interface Current {
  l: number;
  tenants: CTenant[];
  vhms: CVhm[];
  contracts: CContract[];
  bindings: CBinding[];
  ipcs: CIpc[];
  providers: CProvider[];
  calibrations: CCalibration[];
  /** Root capability of each live VHM (the one every action of apply names). */
  roots: Record<string, string>;
}

const LIVE = new Set(['requested', 'validated', 'active', 'paused']);
export const isLive = (v: CVhm) => LIVE.has(v.state);

export async function readCurrent(api: Api): Promise<Current> {
  const [clock, tenants, vhms, contracts, bindings, ipcs, providers, calibrations] = await Promise.all([
    api.get<{ l: number }>('/v1/clock'),
    api.all<CTenant>('/v1/tenants'),
    api.all<CVhm>('/v1/vhms'),
    api.all<CContract>('/v1/contracts'),
    api.all<CBinding>('/v1/bindings'),
    api.all<CIpc>('/v1/ipc'),
    api.all<CProvider>('/v1/providers'),
    api.all<CCalibration>('/v1/calibrations'),
  ]);
  const roots: Record<string, string> = {};
  for (const v of vhms.filter(isLive)) {
    const caps = await api.all<CCapability>(`/v1/vhms/${encodeURIComponent(v.id)}/capabilities`);
    const root = caps.find((c) => c.parent === null && !c.revoked);
    if (root) roots[v.id] = root.id;
  }
  return { l: clock.l, tenants, vhms, contracts, bindings, ipcs, providers, calibrations, roots };
}
