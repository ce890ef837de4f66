// What the distributed checks share: one client per node, polling for a condition, the trace as a
// node serves it, and the cluster view (XDV-090 §9).

import type { Entry } from '@xdv/core';
import { CheckFailure, Http, ok } from '../http.js';
import type { Head } from '../world.js';
import type { Shared } from './types.js';

/** One operator client per node of the cluster the suite was given. */
export function nodeClients(s: Shared): Http[] {
  const c = s.cluster!;
  return c.nodes.map((n) => new Http(n.url, c.token));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Poll `probe` until it returns something other than null. A failed check inside the probe (a
 * CheckFailure: two clock holders, an error reply) fails at once; a network error is retried.
 * Giving up after `ms` names what never happened; the deadline bounds a hang, it asserts no speed.
 */
export async function until<T>(what: string, probe: () => Promise<T | null>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (e) {
      if (e instanceof CheckFailure) throw e;
      last = e;
    }
    if (Date.now() > end)
      throw new CheckFailure(
        `${what}: not reached within ${ms / 1000} s${last ? ` (last error: ${last instanceof Error ? last.message : String(last)})` : ''}`,
      );
    await sleep(100);
  }
}

export async function headOf(h: Http): Promise<Head> {
  return (await ok(`read the trace head of ${h.base}`, h.get<{ head: Head }>('/v1/trace?limit=1'))).head;
}

/** Entries after `after` up to and including `upto`, as node `h` serves them. */
export async function traceRange(h: Http, after: number, upto: number): Promise<Entry[]> {
  const out: Entry[] = [];
  let from = after;
  while (from < upto) {
    const r = await ok(
      `read the trace of ${h.base}`,
      h.get<{ items: Entry[] }>(`/v1/trace?after=${from}&limit=${Math.min(1000, upto - from)}`),
    );
    if (r.items.length === 0) break;
    for (const e of r.items) if (e.seq <= upto) out.push(e);
    from = r.items.at(-1)!.seq;
  }
  return out;
}

export interface ClockView {
  l: number;
  tickMs: number;
  ticking: boolean;
}

export interface NodeView {
  id: string;
  status: 'ok' | 'lagging' | 'stale' | 'stopped' | 'broken';
  appliedSeq: number;
  lag: number;
  hashAgrees: boolean | null;
  stateHash?: string;
}

export interface ClusterView {
  ordering: { seq: number; l: number };
  nodes: NodeView[];
  rounds: Array<{ firstSeq: number; lastSeq: number; node: string; retries: number }>;
}

export const clusterView = (h: Http): Promise<ClusterView> =>
  ok(`read the cluster view of ${h.base}`, h.get<ClusterView>('/v1/cluster?limit=100'));

export const clockOf = (h: Http): Promise<ClockView> =>
  ok(`read the clock of ${h.base}`, h.get<ClockView>('/v1/clock'));

/** A command group is the command entry and the effects after it; the clock source's ticks are one. */
export function isTickGroup(command: Entry): boolean {
  const cmd = command.payload.command as { type?: string } | undefined;
  return cmd?.type === 'clock.advance';
}
