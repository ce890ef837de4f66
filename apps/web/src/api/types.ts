import type { Domain, Entry, State } from '@xdv/core';

export interface Token {
  id: string;
  kind: 'operator' | 'tenant' | 'provider';
  tenant: string | null;
  role: 'admin' | 'viewer' | null;
  provider: string | null;
  label: string;
  revoked: boolean;
  /** ISO 8601 instants. */
  createdAt: string;
  /** Coarse: the server records it at most about once a minute. */
  lastUsedAt: string | null;
  /** null = it does not expire. */
  expiresAt: string | null;
}

export interface Me {
  token: Token;
  tenantName: string | null;
}

export type { Overview, OverviewProvider } from '@xdv/core';

export interface TracePage {
  items: Entry[];
  head: { seq: number; hash: string; l: number };
  nextAfter: number | null;
  /** With `before`: the `before` of the next older page (null: none older). */
  nextBefore?: number | null;
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

export type FieldValue = string | number | boolean | null;

export interface ReplayDiff {
  from: number;
  to: number;
  changes: Record<
    string,
    {
      added: string[];
      removed: string[];
      changed: string[];
      /** Field by field, for the first changed objects of the collection. */
      fields?: Record<string, Array<{ path: string; before: FieldValue; after: FieldValue }>>;
    }
  >;
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
