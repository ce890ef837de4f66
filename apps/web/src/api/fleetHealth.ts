import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FleetRow, ProviderUsage } from '@xdv/core';
import { get } from './client';
import { qk } from './keys';
import type { Overview, Series } from './types';

// Q and Φ health (issue 15 §4; the server's own health is api/health.ts): the fleet table, a provider's users, and metric series over a
// range of recent ticks, downsampled by the server (?from=&to=&points=).

export const fetchFleet = (sig: AbortSignal) => get<{ l: number; items: FleetRow[] }>('/v1/fleet', sig);
export const useFleet = () => useQuery({ queryKey: qk.fleet(), queryFn: ({ signal }) => fetchFleet(signal) });

export const fetchUsage = (provider: string, sig: AbortSignal) =>
  get<ProviderUsage>(`/v1/providers/${encodeURIComponent(provider)}/usage`, sig);
export const useUsage = (provider: string) =>
  useQuery({
    queryKey: qk.providerUsage(provider),
    queryFn: ({ signal }) => fetchUsage(provider, signal),
  });

/** Ranges a chart offers: the last N ticks, or everything the server keeps. */
export const RANGES = [
  { ticks: 60, label: 'last 60 ticks' },
  { ticks: 300, label: 'last 300 ticks' },
  { ticks: 1800, label: 'last 1,800 ticks' },
  { ticks: null, label: 'all kept' },
] as const;
export type RangeTicks = (typeof RANGES)[number]['ticks'];
/** Samples per series the server sends at most (min, max and last of each bucket). */
export const POINTS = 240;

export function seriesUrl(provider: string, l: number, ticks: RangeTicks, at: number | null): string {
  const to = at ?? l;
  const from = ticks === null ? 0 : Math.max(0, to - ticks);
  return `/v1/providers/${encodeURIComponent(provider)}/series?from=${from}&to=${to}&points=${POINTS}`;
}

function nowL(qc: QueryClient): number {
  return qc.getQueryData<Overview>(qk.overview())?.l ?? 0;
}

/** The range is read at fetch time, so a new tick refreshes the same query instead of making a new one. */
export function useSeriesRange(provider: string, ticks: RangeTicks, at: number | null) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: qk.seriesRange(provider, ticks, at),
    queryFn: ({ signal }) => get<Series>(seriesUrl(provider, nowL(qc), ticks, at), signal),
    placeholderData: (prev) => prev,
  });
}
