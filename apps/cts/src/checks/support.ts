// Request bodies and readers that several XDV-084 sections share.

import { type Entry, replay, type State } from '@xdv/core';
import { must, ok } from '../http.js';
import type { Evidence, ProviderRef, World } from '../world.js';

export const FAR = 1_000_000_000;
export const Q_OPS = ['h', 'cx', 'measure'];

export async function qSetup(w: World): Promise<{ q: ProviderRef; cal: string }> {
  const q = await w.provider('Q', { qubits: 100 }, Q_OPS);
  return { q, cal: await w.calibration(q, 0, FAR) };
}
export const qBody = (q: ProviderRef, cal: string, budget = 50, qubits = 4) => ({
  domain: 'Q',
  provider: q.id,
  q: { qubits, budget, calibration: cal },
});
export const kBody = (k: ProviderRef, base: number, size = 4096, irqs: number[] = []) => ({
  domain: 'K',
  provider: k.id,
  k: { base, size, cpu: 1, irqs },
});
export const phiBody = (p: ProviderRef, start: number, duration = FAR, tolerance = 5000) => ({
  domain: 'PHI',
  provider: p.id,
  phi: { start, duration, tolerance },
});

export async function binding(
  w: World,
  id: string,
): Promise<{ container: string | null; envelope: string | null; state: string }> {
  return ok('read binding', w.http.get(`/v1/bindings/${id}`));
}
export async function contract(
  w: World,
  id: string,
): Promise<{ status: string; consumed: number; reason: string | null }> {
  return ok('read contract', w.http.get(`/v1/contracts/${id}`));
}
export async function liveState(w: World): Promise<State> {
  const r = await ok('read state', w.http.get<{ state: State }>(`/v1/replay/state?l=${FAR}`));
  return r.state;
}
/** Trace rows as `type:outcome:code`, ids stripped: what two runs of a fault script must agree on. */
export function shape(entries: Entry[]): string[] {
  return entries.map(
    (e) => `${e.type}:${e.outcome}:${typeof e.payload.code === 'string' ? e.payload.code : ''}`,
  );
}
export function seqOf(body: unknown): number {
  const s = (body as { seq?: unknown }).seq;
  must(typeof s === 'number', `reply names no trace seq: ${JSON.stringify(body)}`);
  return s;
}

/** Download and replay the whole trace with @xdv/core. */
export async function replayTrace(w: World): Promise<{ trace: Entry[]; result: ReturnType<typeof replay> }> {
  const trace = await w.trace();
  const result = replay(trace.map((e) => ({ seq: e.seq, text: e.text, hash: e.hash })));
  return { trace, result };
}

/** Run a deterministic fault script twice, each time on fresh objects; both runs must agree. */
export async function twice(ev: Evidence, label: string, script: () => Promise<string[]>): Promise<void> {
  const one = await script();
  const two = await script();
  must(
    JSON.stringify(one) === JSON.stringify(two),
    `${label}: two runs of the same script differ:\n${one.join(' | ')}\n${two.join(' | ')}`,
  );
  ev.note(`${label}: ${one.length} steps, identical in two runs`);
}
