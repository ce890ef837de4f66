import { useQuery } from '@tanstack/react-query';
import type { Domain, ProviderCapacity } from '@xdv/core';
import { get } from './client';
import { qk } from './keys';

// GET /v1/cluster (XDV-090 §9). Kept fresh like every other query: the SSE stream invalidates
// ['cluster'] on each entry (api/live.ts); nothing polls.

export type NodeStatus = 'ok' | 'lagging' | 'stale' | 'stopped' | 'broken';

export interface ClusterNode {
  id: string;
  self: boolean;
  status: NodeStatus;
  startedAt: string;
  lastSeenAt: string;
  closedAt: string | null;
  ageMs: number;
  appliedSeq: number;
  appliedL: number;
  lag: number;
  hashAgrees: boolean | null;
  broken: boolean;
  // Operators only.
  hostname?: string;
  pid?: number;
  driver?: 'pglite' | 'pg';
  version?: string;
  hashSeq?: number;
  stateHash?: string;
  brokenSeq?: number | null;
  commits?: number;
  entries?: number;
  conflicts?: number;
  catchUps?: number;
  reloads?: number;
  rebuilds?: number;
  checkpoints?: number;
}

export interface ClusterProvider {
  provider: string;
  name: string;
  domain: Domain;
  health: string;
  attestation: string;
  contracts: { issued: number; active: number; released: number; revoked: number };
  allocated: ProviderCapacity;
  capacity: ProviderCapacity;
}

export interface CommitRound {
  firstSeq: number;
  lastSeq: number;
  firstL: number;
  lastL: number;
  entries: number;
  node: string;
  retries: number;
  committedAt: string;
}

export interface ClusterView {
  scope: 'operator' | 'tenant' | 'provider';
  ordering: { seq: number; l: number; source: 'trace' };
  nodes: ClusterNode[];
  contracts: { scope: 'fleet' | 'own'; providers: ClusterProvider[] };
  rounds: CommitRound[];
}

export const fetchCluster = (sig: AbortSignal) => get<ClusterView>('/v1/cluster?limit=20', sig);
export function useCluster(enabled = true) {
  return useQuery({
    queryKey: qk.cluster(),
    queryFn: ({ signal }) => fetchCluster(signal),
    enabled,
  });
}
