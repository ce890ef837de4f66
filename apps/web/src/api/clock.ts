import { useQuery } from '@tanstack/react-query';
import type { ClockInfo } from '../lib/clock';
import { useAt } from '../lib/router';
import { get } from './client';
import { qk } from './keys';
import type { Overview } from './types';

// The logical clock's pace. GET /v1/clock answers L and tickMs; tickMs rarely changes, so the query
// is kept for a minute. The current L itself comes from the live overview, which the stream moves
// on every entry it delivers; the clock's own L (fresher after a refetch) is used when it is ahead.

/** GET /v1/clock; `fetch` false reads only what is cached (a dialog that must send nothing else). */
export const fetchClock = (sig: AbortSignal) => get<ClockInfo>('/v1/clock', sig);

export function useClockInfo(fetch = true) {
  return useQuery({
    queryKey: qk.clock(),
    queryFn: ({ signal }) => fetchClock(signal),
    staleTime: 60_000,
    enabled: fetch,
  });
}

export interface Clock {
  /** Wall-clock ms per tick; 0 = manual clock; undefined while unknown (or unreadable). */
  tickMs: number | undefined;
  /** The current L: the live L, or the replay L when looking at the past. */
  now: number | undefined;
  /** The live L, also while a replay L is shown. */
  live: number | undefined;
  /** True when `now` is a replay L, not the live one. */
  notLive: boolean;
}

/** The pace and the current L every estimate is computed from (a replay shows the replayed L). */
export function useClock(fetch = true): Clock {
  const at = useAt();
  const info = useClockInfo(fetch);
  // The live overview (the same query as useOverview's when live; the stream patches its L). While
  // a replay L is shown it is only read from the cache, for the live L.
  const o = useQuery({
    queryKey: qk.overview(),
    queryFn: ({ signal }) => get<Overview>('/v1/overview', signal),
    enabled: fetch && at === null,
  });
  const ls = [o.data?.l, info.data?.l].filter((x): x is number => x !== undefined);
  const live = ls.length ? Math.max(...ls) : undefined;
  const tickMs = info.data?.tickMs;
  return { tickMs, now: at ?? live, live, notLive: at !== null };
}
