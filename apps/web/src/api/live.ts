import type { QueryClient } from '@tanstack/react-query';
import type { Entry } from '@xdv/core';
import { useEffect, useSyncExternalStore } from 'react';
import { get, notifyUnauthorized } from './client';
import { openEventStream, type SseEvent } from './sse';
import type { Overview, TracePage } from './types';

// Live updates: one event stream on /v1/trace/stream (read with fetch; see sse.ts). Each entry patches the trace head in the
// cache and invalidates exactly the queries its type can change (coalesced per animation-free
// batch). No polling: without the stream, data is only refreshed by the user's own actions.

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

/** The query roots an entry of this type can change. */
export function affectedKeys(e: Pick<Entry, 'type' | 'vhm'>): unknown[][] {
  const t = e.type;
  // Every commit moves the cluster's head, its nodes' applied seq and its commit rounds.
  const keys: unknown[][] = [['overview'], ['trace'], ['cluster']];
  const vhm = e.vhm;
  const prefix = t.split('.')[0];
  switch (prefix) {
    case 'tenant':
      keys.push(['tenants']);
      break;
    case 'vhm':
      keys.push(['vhms'], ['scheduler'], ['tenants']);
      if (vhm) keys.push(['vhm', vhm]);
      if (t.startsWith('vhm.migration')) keys.push(['migrations'], ['contracts'], ['bindings']);
      if (t === 'vhm.terminated' || t === 'vhm.released') keys.push(['contracts'], ['bindings'], ['ipc']);
      break;
    case 'cap':
      if (vhm) keys.push(['vhm', vhm, 'caps']);
      break;
    case 'process':
      if (vhm) keys.push(['vhm', vhm, 'processes']);
      break;
    case 'contract':
    case 'binding':
    case 'q':
    case 'phi':
      keys.push(['contracts'], ['bindings'], ['providers']);
      if (vhm) keys.push(['vhm', vhm]);
      break;
    case 'snapshot':
      if (vhm) keys.push(['vhm', vhm, 'snapshots']);
      break;
    case 'ipc':
      keys.push(['ipc']);
      break;
    case 'sched':
      keys.push(['scheduler']);
      break;
    case 'provider':
    case 'calibration':
    case 'firmware':
      keys.push(['providers'], ['calibrations']);
      break;
    case 'report':
    case 'alert':
    case 'fault':
      keys.push(['alerts'], ['faults'], ['providers']);
      break;
    default:
      break;
  }
  if (
    t === 'q.metrics.reported' ||
    t === 'phi.stability.reported' ||
    t === 'phi.envelope.stability' ||
    t.startsWith('report.')
  )
    keys.push(['series']);
  if (t.startsWith('fault') || t.startsWith('alert')) keys.push(['faults'], ['alerts'], ['vhms']);
  return keys;
}

export function applyEntry(qc: QueryClient, e: Entry, pending: Map<string, unknown[]>): void {
  qc.setQueryData<Overview>(['overview'], (o) => (o && e.seq > o.seq ? { ...o, seq: e.seq, l: e.l } : o));
  qc.setQueryData<Entry[]>(['live-tail'], (t) => [...(t ?? []).slice(-49), e]);
  for (const k of affectedKeys(e)) pending.set(JSON.stringify(k), k);
}

export function useLiveStream(qc: QueryClient, token: string | null, enabled: boolean): void {
  useEffect(() => {
    if (!token || !enabled) return;
    setStatus('connecting');
    let close: (() => void) | null = null;
    let closed = false;
    // Start one entry before the current head so the server sends an event at once; the stream
    // then resumes by Last-Event-ID on reconnects.
    void get<Overview>('/v1/overview')
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
        const after = seq !== null && seq > 0 ? `?after=${seq - 1}` : '';
        // fetch, not EventSource: the token goes in the Authorization header, never in the URL.
        close = openEventStream({
          url: `/v1/trace/stream${after}`,
          token,
          onStatus: setStatus,
          // On a reconnect anything may have happened while disconnected (the stream resumes, but
          // entries filtered out of this principal's view can still change aggregates).
          onOpen: (reconnect) => {
            if (reconnect) void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'replay' });
          },
          onUnauthorized: () => notifyUnauthorized(),
          onEvent: (ev) => handle(ev),
        });
      });
    const pending = new Map<string, unknown[]>();
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
        qc.setQueryData<Overview>(['overview'], (o) => (o && l > o.l ? { ...o, l } : o));
        return;
      }
      if (ev.event !== 'entry') return;
      setStatus('live');
      const e = JSON.parse(ev.data) as Entry;
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
