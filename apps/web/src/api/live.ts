import type { QueryClient, QueryKey } from '@tanstack/react-query';
import { openEventStream, type SseEvent } from '@xdv/client';
import type { Entry, EntryType } from '@xdv/core';
import { useEffect, useSyncExternalStore } from 'react';
import { get, notifyUnauthorized } from './client';
import { fetchOverview } from './data';
import { qk, STABLE_ROOTS } from './keys';
import { appendToTail } from './traceCache';
import type { Overview, TracePage } from './types';

// Live updates: one event stream on /v1/trace/stream (read with fetch; see @xdv/client's openEventStream). Each entry patches the trace head in the
// cache, is appended to the trace tab's cached newest page (traceCache.ts: trace pages are never
// refetched, entries are immutable), and invalidates exactly the queries its type can change
// (coalesced per animation-free batch). No polling: without the stream, data is only refreshed by
// the user's own actions.

export type LiveStatus = 'connecting' | 'live' | 'offline';

let status: LiveStatus = 'connecting';
const listeners = new Set<() => void>();
function setStatus(s: LiveStatus) {
  if (s === status) return;
  status = s;
  for (const l of listeners) l();
}
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    () => status,
    () => status,
  );
}

/** Which part of the UI an entry type concerns: the groups of query roots it can change. */
type Area =
  | 'none'
  | 'tenant'
  | 'vhm'
  | 'cap'
  | 'process'
  | 'resources'
  | 'snapshot'
  | 'ipc'
  | 'sched'
  | 'providers'
  | 'reports';

/** Every entry type, commands and effects: a new type fails to compile until it is placed here. */
const AREA = {
  genesis: 'none',
  'clock.advance': 'none',
  'firmware.trust': 'providers',
  'tenant.create': 'tenant',
  'tenant.setQuota': 'tenant',
  'provider.register': 'providers',
  'calibration.issue': 'providers',
  'vhm.create': 'vhm',
  'vhm.validate': 'vhm',
  'vhm.activate': 'vhm',
  'vhm.pause': 'vhm',
  'vhm.resume': 'vhm',
  'vhm.terminate': 'vhm',
  'vhm.release': 'vhm',
  'vhm.setSchedule': 'vhm',
  'process.spawn': 'process',
  'process.exit': 'process',
  'cap.issue': 'cap',
  'cap.derive': 'cap',
  'cap.revoke': 'cap',
  'contract.allocate': 'resources',
  'contract.activate': 'resources',
  'contract.release': 'resources',
  'contract.revoke': 'resources',
  'binding.request': 'resources',
  'binding.validate': 'resources',
  'binding.activate': 'resources',
  'binding.release': 'resources',
  'q.job': 'resources',
  'phi.transform': 'resources',
  'report.q': 'reports',
  'report.phi': 'reports',
  'report.error': 'reports',
  'snapshot.take': 'snapshot',
  'vhm.migrate': 'vhm',
  'ipc.open': 'ipc',
  'ipc.close': 'ipc',
  'sched.submit': 'sched',
  'sched.tick': 'sched',
  'fault.inject': 'reports',
  'alert.acknowledge': 'reports',
  'command.invalid': 'none',
  'clock.advanced': 'none',
  'firmware.trusted': 'providers',
  'tenant.created': 'tenant',
  'tenant.quota.set': 'tenant',
  'provider.attested': 'providers',
  'provider.registered': 'providers',
  'calibration.issued': 'providers',
  'alert.raised': 'reports',
  'alert.acknowledged': 'reports',
  'q.metrics.reported': 'resources',
  'phi.stability.reported': 'resources',
  'phi.envelope.stability': 'resources',
  'provider.error.reported': 'providers',
  'vhm.created': 'vhm',
  'vhm.validated': 'vhm',
  'vhm.active': 'vhm',
  'vhm.paused': 'vhm',
  'vhm.terminated': 'vhm',
  'vhm.released': 'vhm',
  'sched.quota.set': 'sched',
  'cap.issued': 'cap',
  'cap.derived': 'cap',
  'cap.revoked': 'cap',
  'contract.issued': 'resources',
  'contract.activated': 'resources',
  'contract.released': 'resources',
  'contract.revoked': 'resources',
  'binding.requested': 'resources',
  'binding.validated': 'resources',
  'binding.activated': 'resources',
  'binding.released': 'resources',
  'q.container.created': 'resources',
  'q.container.destroyed': 'resources',
  'q.container.transferred': 'resources',
  'phi.envelope.allocated': 'resources',
  'phi.envelope.terminated': 'resources',
  'phi.envelope.transferred': 'resources',
  'q.job.executed': 'resources',
  'q.job.refused': 'resources',
  'phi.transform.applied': 'resources',
  'phi.transform.refused': 'resources',
  'fault.injected': 'reports',
  'fault.escalated': 'reports',
  'process.spawned': 'process',
  'process.exited': 'process',
  'ipc.opened': 'ipc',
  'ipc.closed': 'ipc',
  'snapshot.taken': 'snapshot',
  'vhm.migration.started': 'vhm',
  'k.contract.moved': 'none',
  'vhm.migrated': 'vhm',
  'sched.submitted': 'sched',
  'sched.cancelled': 'sched',
  'sched.decision': 'sched',
} as const satisfies Record<EntryType, Area>;

/** The query roots an entry of this type can change. */
export function affectedKeys(e: Pick<Entry, 'type' | 'vhm'>): QueryKey[] {
  // Every commit moves the cluster's head, its nodes' applied seq and its commit rounds. Trace pages
  // are not here: the stream appends to the newest one (appendToTail), older ones never change.
  const keys: QueryKey[] = [qk.overview(), qk.cluster()];
  // A type this build does not know (a newer server): only the head is known to have moved.
  if (!Object.hasOwn(AREA, e.type)) return keys;
  const t = e.type as EntryType;
  const vhm = e.vhm;
  const area: Area = AREA[t];
  // Everything under a VHM's key (its activity log included) follows any entry about it.
  if (vhm) keys.push(qk.vhmActivity(vhm));
  switch (area) {
    case 'tenant':
      keys.push(qk.tenants());
      break;
    case 'vhm':
      keys.push(qk.vhms(), qk.scheduler(), qk.tenants(), qk.attention());
      if (vhm) keys.push(qk.vhm(vhm));
      if (t === 'vhm.migration.started') keys.push(qk.migrations(), qk.contracts(), qk.bindings());
      if (t === 'vhm.terminated' || t === 'vhm.released') keys.push(qk.contracts(), qk.bindings(), qk.ipc());
      break;
    case 'cap':
      if (vhm) keys.push(qk.vhmCaps(vhm));
      break;
    case 'process':
      if (vhm) keys.push(qk.vhmProcesses(vhm));
      break;
    case 'resources':
      // The tree shows K/Q/Φ in use and budgets per VHM: it follows resource entries too.
      keys.push(qk.contracts(), qk.bindings(), qk.providers(), qk.vhms(), qk.fleet(), qk.attention());
      if (vhm) keys.push(qk.vhm(vhm));
      break;
    case 'snapshot':
      if (vhm) keys.push(qk.vhmSnapshots(vhm));
      break;
    case 'ipc':
      keys.push(qk.ipc());
      break;
    case 'sched':
      // The scheduler's decisions are a trace read, but a derived one: it is refetched, not appended.
      keys.push(qk.scheduler(), qk.traceDecisionsAll());
      break;
    case 'providers':
      keys.push(qk.providers(), qk.calibrations(), qk.fleet(), qk.attention());
      break;
    case 'reports':
      keys.push(qk.alerts(), qk.faults(), qk.providers(), qk.attention());
      break;
    case 'none':
      break;
    default:
      return unreachable(area);
  }
  switch (t) {
    case 'q.metrics.reported':
    case 'phi.stability.reported':
    case 'phi.envelope.stability':
    case 'report.q':
    case 'report.phi':
    case 'report.error':
      keys.push(qk.series());
      break;
    default:
      break;
  }
  switch (t) {
    case 'fault.inject':
    case 'fault.injected':
    case 'fault.escalated':
    case 'alert.raised':
      keys.push(qk.faults(), qk.alerts(), qk.vhms(), qk.attention());
      break;
    default:
      break;
  }
  return keys;
}

function unreachable(x: never): never {
  throw new Error(`unhandled area ${String(x)}`);
}

/**
 * One streamed entry into the cache. `pending` collects the queries it can change; null for an
 * entry the views' first reads already include (the one the stream replays at its start), which
 * would otherwise refetch them all on every page load.
 */
export function applyEntry(qc: QueryClient, e: Entry, pending: Map<string, QueryKey> | null): void {
  qc.setQueryData<Overview>(qk.overview(), (o) => (o && e.seq > o.seq ? { ...o, seq: e.seq, l: e.l } : o));
  qc.setQueryData<Entry[]>(qk.liveTail(), (t) => [...(t ?? []).slice(-49), e]);
  appendToTail(qc, e);
  if (pending) for (const k of affectedKeys(e)) pending.set(JSON.stringify(k), k);
}

export function useLiveStream(qc: QueryClient, token: string | null, enabled: boolean): void {
  useEffect(() => {
    if (!token || !enabled) return;
    setStatus('connecting');
    let close: (() => void) | null = null;
    let closed = false;
    // The head the views' first reads were answered at or after: entries up to it change nothing.
    let known = 0;
    // Start one entry before the current head so the server sends an event at once; the stream
    // then resumes by Last-Event-ID on reconnects. The head comes from the overview query, shared
    // with the page when it reads the overview too (one request, not two).
    void qc
      .fetchQuery({
        queryKey: qk.overview(),
        queryFn: ({ signal }) => fetchOverview(signal),
        staleTime: 5_000,
      })
      .then(
        async (o) => {
          // A tenant receives only its own entries: start before its latest recent one instead.
          if (o.head !== null || o.seq === 0) return o.seq;
          // Unreadable (offline, or unmounted meanwhile): start at the head instead.
          const recent = await get<TracePage>(`/v1/trace?after=${Math.max(0, o.seq - 500)}&limit=500`).catch(
            () => null,
          );
          return recent?.items.at(-1)?.seq ?? o.seq;
        },
        () => null,
      )
      .then((seq) => {
        if (closed) return;
        known = seq ?? 0;
        const after = seq !== null && seq > 0 ? `?after=${seq - 1}` : '';
        // fetch, not EventSource: the token goes in the Authorization header, never in the URL.
        close = openEventStream({
          url: `/v1/trace/stream${after}`,
          token,
          onStatus: setStatus,
          // On a reconnect anything may have happened while disconnected (the stream resumes, but
          // entries filtered out of this principal's view can still change aggregates).
          onOpen: (reconnect) => {
            if (reconnect)
              void qc.invalidateQueries({ predicate: (q) => !STABLE_ROOTS.has(String(q.queryKey[0])) });
          },
          onUnauthorized: () => notifyUnauthorized(),
          onEvent: (ev) => handle(ev),
        });
      });
    const pending = new Map<string, QueryKey>();
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      const keys = [...pending.values()];
      pending.clear();
      for (const k of keys) void qc.invalidateQueries({ queryKey: k });
    };
    function handle(ev: SseEvent) {
      // A tenant does not see the clock's tick entries; it hears L move through `clock` events.
      if (ev.event === 'clock') {
        const { l } = JSON.parse(ev.data) as { l: number };
        qc.setQueryData<Overview>(qk.overview(), (o) => (o && l > o.l ? { ...o, l } : o));
        return;
      }
      if (ev.event !== 'entry') return;
      setStatus('live');
      const e = JSON.parse(ev.data) as Entry;
      if (e.seq <= known) {
        applyEntry(qc, e, null);
        return;
      }
      applyEntry(qc, e, pending);
      if (!scheduled) {
        scheduled = true;
        // Coalesce a burst of entries into one round of invalidations.
        setTimeout(flush, 200);
      }
    }
    return () => {
      closed = true;
      close?.();
      setStatus('offline');
    };
  }, [qc, token, enabled]);
}
