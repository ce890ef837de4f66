import { useQuery } from '@tanstack/react-query';
import type { ClockInfo } from '../lib/clock';
import { useAt } from '../lib/router';
import { get } from './client';
import { useOverview } from './data';

// The logical clock's pace. GET /v1/clock answers L and tickMs; tickMs rarely changes, so the query
// is kept for a minute. The current L itself comes from the overview, which the live stream moves
// on every entry; the clock's own L (fresher after a refetch) is used when it is ahead.

export const CLOCK_KEY = ['clock'] as const;

export function useClockInfo() {
  return useQuery({
    queryKey: CLOCK_KEY,
    queryFn: ({ signal }) => get<ClockInfo>('/v1/clock', signal),
    staleTime: 60_000,
  });
}

export interface Clock {
  /** Wall-clock ms per tick; 0 = manual clock; undefined while unknown (or unreadable). */
  tickMs: number | undefined;
  /** The current L: the live L, or the replay L when looking at the past. */
  now: number | undefined;
  /** True when `now` is a replay L, not the live one. */
  notLive: boolean;
}

/** The pace and the current L every estimate is computed from (a replay shows the replayed L). */
export function useClock(): Clock {
  const at = useAt();
  const info = useClockInfo();
  const o = useOverview();
  const tickMs = info.data?.tickMs;
  if (at !== null) return { tickMs, now: at, notLive: true };
  const ls = [o.data?.l, info.data?.l].filter((x): x is number => x !== undefined);
  return { tickMs, now: ls.length ? Math.max(...ls) : undefined, notLive: false };
}
