// §8.1 global ordering: the same distributed workload, run twice, gives an identical global order,
// and every node serves that order identically.

import type { Entry } from '@xdv/core';
import { type Http, must, ok } from '../http.js';
import { type Evidence, World } from '../world.js';
import { clusterView, headOf, isTickGroup, nodeClients, traceRange, until } from './nodes.js';
import { kBody } from './support.js';
import type { Shared } from './types.js';

const FORGED = 'cap-987654321';

/**
 * One run of the workload: each step goes to a fixed node (round robin) and is acknowledged before
 * the next is sent, so a step on one node depends on what the previous step wrote on another. Every
 * node must take each command against the state its predecessor left, whichever node wrote it.
 */
async function workload(
  nodes: Http[],
  prefix: string,
  seedBase: number,
): Promise<{ from: number; to: number }> {
  const ws = nodes.map((h, i) => new World(h, `${prefix}-n${i + 1}`, seedBase + i * 1000));
  const on = (step: number) => ws[step % ws.length]!;
  const from = (await on(0).head()).seq;
  const t = await on(0).tenant();
  const k = await on(1).provider('K', { memory: 1 << 22, cpu: 64 });
  const v1 = await on(2).vhm(t);
  const v2 = await on(3).vhm(t);
  const c1 = await on(4).allocate(v1, kBody(k, 0));
  // The same range again, for another VHM on another node: refused (ranges are disjoint), and the
  // refusal takes its place in the order like any command.
  const overlap = await on(5).http.post(
    `/v1/vhms/${v2.id}/contracts`,
    { capability: v2.root, ...kBody(k, 0) },
    v2.token,
  );
  must(
    overlap.status >= 400 && overlap.status < 500,
    `an overlapping K range was not refused: ${overlap.status}`,
  );
  await on(6).allocate(v2, kBody(k, 8192));
  await ok(
    'activate contract',
    on(7).http.post(`/v1/contracts/${c1}/activate`, { capability: v1.root }, v1.token),
  );
  await on(8).derive(v1, v1.root, ['BIND_K']);
  await on(9).process(v2);
  const forged = await on(10).http.post(
    `/v1/vhms/${v2.id}/contracts`,
    { capability: FORGED, ...kBody(k, 1 << 16) },
    v2.token,
  );
  must(
    forged.status === 404 || forged.status === 403,
    `a forged capability was not refused: ${forged.status}`,
  );
  await on(11).vhm(t);
  const to = (await on(11).head()).seq;
  return { from, to };
}

/**
 * The run's entries in order, ticks of the clock source left out (they interleave with wall time),
 * each as type, outcome, code and the objects it names, renamed by first appearance in the run, so
 * two runs on fresh objects compare equal exactly when they were ordered and decided alike.
 */
function order(entries: Entry[]): string[] {
  const names = new Map<string, string>();
  const rename = (id: string | null) => {
    if (id === null) return '-';
    let n = names.get(id);
    if (!n) {
      const kind = id.replace(/-\d+$/, '');
      n = `${kind}#${[...names.values()].filter((v) => v.startsWith(`${kind}#`)).length + 1}`;
      names.set(id, n);
    }
    return n;
  };
  const out: string[] = [];
  let tick = false;
  for (const e of entries) {
    if (e.outcome !== 'effect') tick = isTickGroup(e);
    if (tick) continue;
    const code = typeof e.payload.code === 'string' ? e.payload.code : '';
    out.push(
      [
        e.type,
        e.outcome,
        code,
        rename(e.tenant),
        rename(e.vhm),
        rename(e.contract),
        rename(e.capability),
      ].join(':'),
    );
  }
  return out;
}

export async function globalOrdering(w: World, ev: Evidence, s: Shared): Promise<void> {
  const nodes = nodeClients(s);
  // Provider keys are tied to provider names, so the workload's providers may share seeds.
  const prefix = w.name('dist');
  const seedBase = 900_000;
  const runs: string[][] = [];
  for (const run of [1, 2]) {
    const { from, to } = await workload(nodes, `${prefix}-order${run}`, seedBase + run * 10_000);
    // Every node follows the trace to the run's last entry and serves the same entries.
    const served = await Promise.all(
      nodes.map(async (h) => {
        await until(`${h.base} follows the trace to seq ${to}`, async () =>
          (await headOf(h)).seq >= to ? true : null,
        );
        return traceRange(h, from, to);
      }),
    );
    const chain = (es: Entry[]) => es.map((e) => `${e.seq}:${e.hash}`).join(',');
    for (let i = 1; i < served.length; i++)
      must(
        chain(served[i]!) === chain(served[0]!),
        `nodes ${nodes[0]!.base} and ${nodes[i]!.base} serve different entries between seq ${from} and ${to}`,
      );
    must(served[0]!.length === to - from, `the trace between seq ${from} and ${to} has gaps`);
    // The run's commits came from every node: the cluster view's commit rounds name who committed.
    const view = await clusterView(nodes[0]!);
    const committers = new Set(
      view.rounds.filter((r) => r.lastSeq > from && r.firstSeq <= to).map((r) => r.node),
    );
    must(
      committers.size >= Math.min(nodes.length, 2),
      `run ${run}: the commit rounds between seq ${from} and ${to} name only ${[...committers].join(', ')}; the steps went to ${nodes.length} nodes`,
    );
    const o = order(served[0]!);
    runs.push(o);
    ev.seq(from + 1);
    ev.seq(to);
    ev.note(
      `run ${run}: seq ${from + 1}–${to}, ${o.length} entries of the workload, committed by ${committers.size} nodes, identical on ${nodes.length} nodes`,
    );
  }
  const [a, b] = runs as [string[], string[]];
  const found = a.findIndex((x, i) => x !== b[i]);
  const diff = found === -1 && a.length !== b.length ? Math.min(a.length, b.length) : found;
  must(
    diff === -1,
    `the two runs of the workload were ordered differently: first difference at entry ${diff}: ${a[diff]} vs ${b[diff]} (${a.length} vs ${b.length} entries)`,
  );
  ev.note(`both runs: the same ${a.length} entries in the same global order`);
}
