import type { Alert, Domain, Entry, Fault, ProviderCapacity, Quota, State } from '@xdv/core';

export interface Token {
  id: string;
  kind: 'operator' | 'tenant' | 'provider';
  tenant: string | null;
  role: 'admin' | 'viewer' | null;
  provider: string | null;
  label: string;
  revoked: boolean;
}

export interface Me {
  token: Token;
  tenantName: string | null;
}

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

export interface TracePage {
  items: Entry[];
  head: { seq: number; hash: string; l: number };
  nextAfter: number | null;
}

export interface ServerVerify {
  ok: boolean;
  entries: number;
  mismatch: { seq: number; reason: string } | null;
  head: string;
}

export interface ReplayState {
  l: number;
  live: boolean;
  seq: number;
  summary: Record<string, Record<string, number>>;
  state: State;
}

export interface ReplayDiff {
  from: number;
  to: number;
  changes: Record<string, { added: string[]; removed: string[]; changed: string[] }>;
}

export interface SchedulerView {
  l: number;
  config: { agingThreshold: number; agingStep: number; domainPriority: Record<string, number> };
  vhms: Array<{ vhm: string; weight: number; maxQueued: number; vtime: number; queued: number }>;
  units: Array<{
    id: string;
    vhm: string;
    process: string;
    domain: Domain;
    contract: string | null;
    priority: number;
    submittedL: number;
    remaining: number;
    state: string;
    dispatches: number;
    waited: number;
  }>;
}

export interface Series {
  provider: string;
  thresholds: Record<string, number>;
  series: Array<{ subject: string; metric: string; samples: Array<{ l: number; v: number }> }>;
}
