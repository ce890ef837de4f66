import { useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { qk } from './keys';

// How the server answers right now, for the top bar's badge: the outcome of the latest request
// (any request the console sent) and the readiness probe. The stream alone cannot tell: it may
// still be "connected" while every request fails, and it says nothing about readiness.

export type Reach = 'ok' | 'error' | 'down';

let last: Reach = 'ok';
const listeners = new Set<() => void>();

/** Called by the API boundary after every request: reached and answered, a 5xx, or unreachable. */
export function reportReach(r: Reach): void {
  if (r === last) return;
  last = r;
  for (const l of listeners) l();
}

export function useReach(): Reach {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    () => last,
    () => last,
  );
}

export interface Readiness {
  ready: boolean;
  reason: string | null;
}

/** GET /readyz every 15 s (a few bytes); unreachable counts as not ready. */
export function useReadiness() {
  return useQuery({
    queryKey: qk.readyz(),
    queryFn: async ({ signal }): Promise<Readiness> => {
      let res: Response;
      try {
        res = await fetch('/readyz', { signal, headers: { accept: 'application/json' } });
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        reportReach('down');
        return { ready: false, reason: 'The server cannot be reached.' };
      }
      reportReach(res.status >= 500 && res.status !== 503 ? 'error' : 'ok');
      const body = (await res.json().catch(() => ({}))) as { ready?: boolean; reason?: string };
      return {
        ready: res.ok && body.ready === true,
        reason: res.ok ? null : `The server is not ready${body.reason ? ` (${body.reason})` : ''}.`,
      };
    },
    refetchInterval: 15_000,
    refetchIntervalInBackground: false,
    retry: false,
    staleTime: 0,
  });
}

export type Badge = { tone: 'live' | 'connecting' | 'degraded' | 'offline'; label: string; why: string };

/** The badge from the stream's state, the last request and readiness: red/amber when they fail. */
export function liveBadge(
  stream: 'connecting' | 'live' | 'offline',
  reach: Reach,
  ready: Readiness | undefined,
): Badge {
  if (reach === 'down' || stream === 'offline')
    return {
      tone: 'offline',
      label: 'Offline',
      why: 'The server cannot be reached: what is shown may be out of date, and actions will fail.',
    };
  if (ready && !ready.ready)
    return { tone: 'degraded', label: 'Not ready', why: ready.reason ?? 'The server is not ready.' };
  if (reach === 'error')
    return {
      tone: 'degraded',
      label: 'Degraded',
      why: 'The server answered the last request with an error.',
    };
  if (stream === 'connecting')
    return { tone: 'connecting', label: 'Connecting', why: 'Opening the live stream of trace entries.' };
  return { tone: 'live', label: 'Live', why: 'Receiving trace entries as they are committed.' };
}
