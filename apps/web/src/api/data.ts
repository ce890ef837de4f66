import { type QueryClient, type QueryKey, queryOptions, useQuery } from '@tanstack/react-query';
import type {
  Binding,
  Calibration,
  Capability,
  Contract,
  Fault,
  IpcContract,
  Migration,
  Process,
  Provider,
  Snapshot,
  State,
  Tenant,
  Vhm,
} from '@xdv/core';
import { overviewOf } from '@xdv/core';
import { useMemo } from 'react';
import { useAt } from '../lib/router';
import { get, getAll, getToken } from './client';
import { qk } from './keys';
import type { Me, Overview, ReplayState, SchedulerView, Series } from './types';

// Every view reads through `useSource`: live, it is a TanStack query on a REST endpoint kept fresh
// by the SSE stream; at a replay time L (?at=L), the same shape is computed from /v1/replay/state.

export interface Source<T> {
  data: T | undefined;
  error: unknown;
  isPending: boolean;
  /** True when this is the state at a past L, not the live system. */
  notLive: boolean;
  at: number | null;
  /** Sends the request again (an error panel's Retry). */
  refetch: () => unknown;
}

/** The state replayed to logical time `at`: it never changes, so it is never stale. */
export function replayStateQuery(at: number | null) {
  return queryOptions({
    queryKey: qk.replay(at),
    queryFn: ({ signal }) => get<ReplayState>(`/v1/replay/state?l=${at}`, signal),
    enabled: at !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useReplayState(at: number | null) {
  return useQuery(replayStateQuery(at));
}

export function useSource<T>(
  key: QueryKey,
  live: (signal: AbortSignal) => Promise<T>,
  fromState: (s: State) => T,
  enabled = true,
): Source<T> {
  const at = useAt();
  const replay = useReplayState(at);
  const q = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => live(signal),
    enabled: at === null && enabled,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: fromState is a pure projection of the state
  const replayed = useMemo(
    () => (replay.data && enabled ? fromState(replay.data.state) : undefined),
    [replay.data, enabled],
  );
  if (at !== null)
    return {
      data: replayed,
      error: replay.error,
      isPending: replay.isPending,
      notLive: true,
      at,
      refetch: replay.refetch,
    };
  return {
    data: q.data,
    error: q.error,
    isPending: enabled && q.isPending,
    notLive: false,
    at,
    refetch: q.refetch,
  };
}

const vals = <T>(r: Record<string, T>): T[] => Object.values(r);

/** Who the session is (/v1/me): the shell shows no page until it answers. */
export const meQuery = () =>
  queryOptions({
    queryKey: qk.me(),
    queryFn: ({ signal }) => get<Me>('/v1/me', signal),
    staleTime: 60_000,
  });

export function useMe() {
  return useQuery(meQuery());
}

/**
 * Sends /v1/me now, ahead of everything the page asks for: the page stays hidden until the answer,
 * and mounted views send a dozen requests that would otherwise queue in front of it. Signed in only.
 */
export function prefetchMe(qc: QueryClient): void {
  if (getToken()) void qc.prefetchQuery(meQuery());
}

export function overviewFromState(s: State): Overview {
  // A replayed state is the principal's scoped view, so the complete invariant set cannot run on
  // it; what it can show is whether every provider's allocation stays within its capacity.
  const ok = vals(s.providers).every((p) =>
    (['memory', 'cpu', 'qubits', 'envelopes'] as const).every((k) => p.allocated[k] <= p.capacity[k]),
  );
  return overviewOf(s, { conservation: ok, violations: ok ? 0 : 1 });
}

export const fetchOverview = (sig?: AbortSignal) => get<Overview>('/v1/overview', sig);
export const useOverview = () => useSource(qk.overview(), fetchOverview, overviewFromState);

export const fetchVhms = (sig: AbortSignal) => getAll<Vhm>('/v1/vhms', sig);
export const useVhms = () => useSource(qk.vhms(), fetchVhms, (s) => vals(s.vhms));

export const fetchVhm = (id: string, sig: AbortSignal) => get<Vhm>(`/v1/vhms/${encodeURIComponent(id)}`, sig);
export const useVhm = (id: string) =>
  useSource(
    qk.vhm(id),
    (sig) => fetchVhm(id, sig),
    (s) => s.vhms[id] as Vhm,
  );

export const fetchCapabilities = (id: string, sig: AbortSignal) =>
  getAll<Capability>(`/v1/vhms/${encodeURIComponent(id)}/capabilities`, sig);
export const useCapabilities = (id: string | undefined) =>
  useSource(
    qk.vhmCaps(id),
    (sig) => fetchCapabilities(id ?? '', sig),
    (s) => vals(s.capabilities).filter((c) => c.vhm === id),
    id !== undefined,
  );

export const useProcesses = (id: string) =>
  useSource(
    qk.vhmProcesses(id),
    (sig) => getAll<Process>(`/v1/vhms/${encodeURIComponent(id)}/processes`, sig),
    (s) => vals(s.processes).filter((p) => p.vhm === id),
  );

export const useSnapshots = (id: string) =>
  useSource(
    qk.vhmSnapshots(id),
    (sig) => getAll<Snapshot>(`/v1/vhms/${encodeURIComponent(id)}/snapshots`, sig),
    (s) => vals(s.snapshots).filter((p) => p.vhm === id),
  );

export const fetchContracts = (vhm: string | undefined, sig: AbortSignal) =>
  getAll<Contract>(`/v1/contracts${vhm ? `?vhm=${encodeURIComponent(vhm)}` : ''}`, sig);
export const useContracts = (vhm?: string) =>
  useSource(
    qk.contracts(vhm ?? 'all'),
    (sig) => fetchContracts(vhm, sig),
    (s) => vals(s.contracts).filter((c) => !vhm || c.vhm === vhm),
  );

export const fetchBindings = (vhm: string | undefined, sig: AbortSignal) =>
  getAll<Binding>(`/v1/bindings${vhm ? `?vhm=${encodeURIComponent(vhm)}` : ''}`, sig);
export const useBindings = (vhm?: string) =>
  useSource(
    qk.bindings(vhm ?? 'all'),
    (sig) => fetchBindings(vhm, sig),
    (s) => vals(s.bindings).filter((b) => !vhm || b.vhm === vhm),
  );

export const fetchProviders = (sig: AbortSignal) => getAll<Provider>('/v1/providers', sig);
export const useProviders = () => useSource(qk.providers(), fetchProviders, (s) => vals(s.providers));

export const fetchCalibrations = (sig: AbortSignal) => getAll<Calibration>('/v1/calibrations', sig);
export const useCalibrations = () =>
  useSource(qk.calibrations(), fetchCalibrations, (s) => vals(s.calibrations));

export const useIpc = () =>
  useSource(
    qk.ipc(),
    (sig) => getAll<IpcContract>('/v1/ipc', sig),
    (s) => vals(s.ipcs),
  );

export const useMigrations = () =>
  useSource(
    qk.migrations(),
    (sig) => getAll<Migration>('/v1/migrations', sig),
    (s) => vals(s.migrations),
  );

export const useFaults = () =>
  useSource(
    qk.faults(),
    (sig) => getAll<Fault>('/v1/faults', sig),
    (s) => vals(s.faults),
  );

export const fetchTenants = (sig: AbortSignal) => getAll<Tenant>('/v1/tenants', sig);
export const useTenants = () => useSource(qk.tenants(), fetchTenants, (s) => vals(s.tenants));

export function schedulerFromState(s: State): SchedulerView {
  const queued: Record<string, number> = {};
  const units = s.runQueue.map((id) => s.units[id]).filter((u) => u !== undefined);
  for (const u of units) queued[u.vhm] = (queued[u.vhm] ?? 0) + 1;
  return {
    l: s.l,
    config: {
      agingThreshold: s.config.agingThreshold,
      agingStep: s.config.agingStep,
      domainPriority: s.config.domainPriority,
    },
    vhms: vals(s.vhms)
      .filter((v) => v.state !== 'released' && v.state !== 'terminated')
      .map((v) => ({
        vhm: v.id,
        weight: v.sched.weight,
        maxQueued: v.sched.maxQueued,
        vtime: v.sched.vtime,
        queued: queued[v.id] ?? 0,
      })),
    units: units.map((u) => ({ ...u, waited: s.l - u.submittedL })),
  };
}

export const fetchScheduler = (sig: AbortSignal) => get<SchedulerView>('/v1/scheduler', sig);
export const useScheduler = () => useSource(qk.scheduler(), fetchScheduler, schedulerFromState);

export function useSeries(provider: string | null) {
  return useQuery({
    queryKey: qk.series(provider),
    queryFn: ({ signal }) =>
      get<Series>(`/v1/providers/${encodeURIComponent(provider ?? '')}/series`, signal),
    enabled: provider !== null,
  });
}

/** The current logical time L of the system (live), or the replay time. */
export function useNowL(): number | undefined {
  const o = useOverview();
  return o.data?.l;
}
