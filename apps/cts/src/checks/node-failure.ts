// §8.3 node failure: SIGKILL the node that ticks the clock while every node takes writes and
// reads. The others keep serving; no acknowledged command is lost; no node diverges; exactly one
// node ticks at a time and another takes the clock over; the cluster view shows the dead node; the
// node rejoins when restarted and serves the same trace.

import { stateHash } from '@xdv/core';
import { type Http, must, ok } from '../http.js';
import { type Evidence, type VhmRef, World } from '../world.js';
import { clockOf, clusterView, headOf, nodeClients, sleep, traceRange, until } from './nodes.js';
import type { Shared } from './types.js';

interface Ack {
  node: number;
  seq: number;
  hash: string;
  process: string;
}

interface Load {
  acks: Ack[];
  /** Failed requests per node: a survivor must have none. */
  failures: string[][];
  /** Writes answered 503 HV_CONFLICT_RETRIES (not applied; retried with the same key) per node. */
  contended: number[];
  reads: number[];
  stop(): Promise<void>;
}

/** How often a writer retries a write refused as contended before it counts as a failure. */
const RETRIES = 20;

type Created = { seq: number; created: { process: string }; entries: Array<{ hash: string }> };

/**
 * Two writers and a reader per node, each in a loop until stopped; a dead node's loops end. Each
 * write carries an Idempotency-Key, as a client behind a load balancer should: a write refused as
 * contended (503 HV_CONFLICT_RETRIES: nothing applied) is retried with the same key, and executes once.
 */
function startLoad(nodes: Http[], vhms: VhmRef[][], dead: Set<number>): Load {
  const acks: Ack[] = [];
  const failures: string[][] = nodes.map(() => []);
  const contended = nodes.map(() => 0);
  const reads = nodes.map(() => 0);
  let stopped = false;
  let n = 0;
  const write = async (i: number, v: VhmRef, name: string): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const r = await nodes[i]!.call<Created>('POST', `/v1/vhms/${v.id}/processes`, {
        body: { capability: v.root, name },
        token: v.token,
        headers: { 'idempotency-key': name },
      });
      if (r.status === 201 || r.status === 200) {
        acks.push({
          node: i,
          seq: r.body.seq,
          hash: r.body.entries[0]!.hash,
          process: r.body.created.process,
        });
        return;
      }
      const code = (r.body as { code?: string } | null)?.code;
      if (r.status === 503 && code === 'HV_CONFLICT_RETRIES' && attempt < RETRIES && !dead.has(i)) {
        contended[i]!++;
        await sleep(10 * attempt);
        continue;
      }
      failures[i]!.push(`${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      return;
    }
  };
  const writer = async (i: number, v: VhmRef) => {
    while (!stopped && !dead.has(i)) {
      try {
        await write(i, v, `load-${i + 1}-${++n}`);
      } catch (e) {
        // A request in flight when its node is killed has no answer: it was never acknowledged.
        if (!dead.has(i)) failures[i]!.push(e instanceof Error ? e.message : String(e));
      }
    }
  };
  const reader = async (i: number, v: VhmRef) => {
    while (!stopped && !dead.has(i)) {
      try {
        const r = await nodes[i]!.get(`/v1/vhms/${v.id}`, v.token);
        if (r.status === 200) reads[i]!++;
        else failures[i]!.push(`read ${r.status}`);
      } catch (e) {
        if (!dead.has(i)) failures[i]!.push(e instanceof Error ? e.message : String(e));
      }
      await sleep(20);
    }
  };
  const loops = nodes.flatMap((_, i) => [
    writer(i, vhms[i]![0]!),
    writer(i, vhms[i]![1]!),
    reader(i, vhms[i]![0]!),
  ]);
  return {
    acks,
    failures,
    contended,
    reads,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** Which nodes say they tick the clock, and the highest L any of them has applied. */
async function tickers(nodes: Http[], alive: number[]): Promise<{ ticking: number[]; l: number }> {
  const views = await Promise.all(alive.map((i) => clockOf(nodes[i]!)));
  return { ticking: alive.filter((_, j) => views[j]!.ticking), l: Math.max(...views.map((v) => v.l)) };
}

/** The served state at logical time `l`, hashed the way every node hashes its own. */
async function stateAtL(h: Http, l: number): Promise<{ seq: number; hash: string }> {
  const r = await ok(
    `replay state at L ${l} on ${h.base}`,
    h.get<{ seq: number; state: Parameters<typeof stateHash>[0] }>(`/v1/replay/state?l=${l}`),
  );
  return { seq: r.seq, hash: stateHash(r.state) };
}

/** The clock source's pace during this check: quick, so that failover shows within seconds. */
const TICK_MS = 250;

export async function nodeFailure(w: World, ev: Evidence, s: Shared): Promise<void> {
  const control = s.cluster!.control!;
  // The nodes run on a manual clock for the rest of the suite (§4.1 and §11 need a fixed sequence
  // of inputs); here the clock source runs, and it is put back however the check ends.
  const manual = control.tickMs;
  await control.setTickMs(TICK_MS);
  try {
    await failover(w, ev, s);
  } finally {
    if (manual !== TICK_MS) await control.setTickMs(manual);
  }
}

async function failover(w: World, ev: Evidence, s: Shared): Promise<void> {
  const cluster = s.cluster!;
  const control = cluster.control!;
  const nodes = nodeClients(s);
  const all = nodes.map((_, i) => i);

  // The clock source: exactly one node ticks. It is the one to kill, so the clock must move over.
  const first = await until('one node ticks the logical clock', async () => {
    const t = await tickers(nodes, all);
    must(t.ticking.length <= 1, `nodes ${t.ticking.join(', ')} tick the clock at once`);
    return t.ticking.length === 1 ? t.ticking[0]! : null;
  });
  const victim = first;
  const survivors = all.filter((i) => i !== victim);
  const victimId = cluster.nodes[victim]!.id!;
  ev.note(`node ${victimId} holds the clock; it is the one killed`);

  // Objects for the load, created through a survivor (the world of this check writes through it).
  const sw = new World(nodes[survivors[0]!]!, w.name('fail'), 950_000);
  const t = await sw.tenant();
  const vhms: VhmRef[][] = [];
  for (const _ of all) vhms.push([await sw.vhm(t), await sw.vhm(t)]);
  for (const i of all)
    await until(`node ${i + 1} sees the load's VHMs`, async () =>
      (await nodes[i]!.get(`/v1/vhms/${vhms.at(-1)![1]!.id}`, t.admin)).status === 200 ? true : null,
    );

  const dead = new Set<number>();
  const load = startLoad(nodes, vhms, dead);
  let clockSamples = 0;
  try {
    await until('the load is acknowledged by every node', async () =>
      all.every((i) => load.acks.filter((a) => a.node === i).length >= 5) ? true : null,
    );
    const lAtKill = (await tickers(nodes, survivors)).l;
    const acksBefore = load.acks.length;
    dead.add(victim);
    await control.kill(victim);
    ev.note(`SIGKILL ${victimId} at L ${lAtKill} after ${acksBefore} acknowledged writes`);

    // Another node takes the clock over and L moves on; never two tickers at once.
    const next = await until('another node takes the clock over and L moves on', async () => {
      const c = await tickers(nodes, survivors);
      clockSamples++;
      must(c.ticking.length <= 1, `nodes ${c.ticking.join(', ')} tick the clock at once`);
      return c.ticking.length === 1 && c.l > lAtKill + 1 ? c.ticking[0]! : null;
    });
    ev.note(
      `node ${cluster.nodes[next]!.id} took the clock over (${clockSamples} samples, never two tickers)`,
    );

    // The survivors keep acknowledging writes.
    await until('the surviving nodes keep acknowledging writes', async () =>
      survivors.every((i) => load.acks.filter((a, j) => j >= acksBefore && a.node === i).length >= 10)
        ? true
        : null,
    );

    // The cluster view shows the dead node (stale: no heartbeat for 5 s).
    await until(`the cluster view shows ${victimId} dead`, async () => {
      const v = await clusterView(nodes[survivors[0]!]!);
      const row = v.nodes.find((n) => n.id === victimId);
      must(row, `the cluster view does not list ${victimId}`);
      return row.status === 'stale' ? true : null;
    });
    ev.note(`the cluster view lists ${victimId} as stale`);
  } finally {
    await load.stop();
  }
  for (const i of survivors)
    must(
      load.failures[i]!.length === 0,
      `surviving node ${cluster.nodes[i]!.id} failed ${load.failures[i]!.length} requests: ${load.failures[i]!.slice(0, 3).join('; ')}`,
    );

  // No acknowledged command is lost: each is in the trace at its seq with its hash, on every survivor.
  const top = Math.max(...load.acks.map((a) => a.seq));
  const traces = await Promise.all(
    survivors.map(async (i) => {
      await until(`node ${i + 1} follows to seq ${top}`, async () =>
        (await headOf(nodes[i]!)).seq >= top ? true : null,
      );
      return traceRange(nodes[i]!, 0, top);
    }),
  );
  const chain = traces.map((tr) => tr.map((e) => e.hash).join(','));
  must(
    chain.every((c) => c === chain[0]),
    'the surviving nodes serve different traces',
  );
  const bySeq = new Map(traces[0]!.map((e) => [e.seq, e.hash]));
  const lost = load.acks.filter((a) => bySeq.get(a.seq) !== a.hash);
  must(
    lost.length === 0,
    `${lost.length} acknowledged writes are not in the trace as acknowledged, e.g. seq ${lost[0]?.seq} from node ${(lost[0]?.node ?? 0) + 1}`,
  );
  const fromVictim = load.acks.filter((a) => a.node === victim).length;
  const processes = new Set(load.acks.map((a) => a.process));
  must(processes.size === load.acks.length, 'a keyed write was executed more than once');
  ev.note(
    `${load.acks.length} acknowledged writes (${fromVictim} by the killed node) all in the trace, each once; reads served: ${load.reads.join('/')}; writes refused as contended and retried with their key: ${load.contended.join('/')}`,
  );

  // No divergence: at an L every survivor has passed, each replays the same state.
  const l = Math.min(...(await Promise.all(survivors.map(async (i) => (await clockOf(nodes[i]!)).l))));
  const hashes = await Promise.all(survivors.map((i) => stateAtL(nodes[i]!, l)));
  must(
    hashes.every((h) => h.seq === hashes[0]!.seq && h.hash === hashes[0]!.hash),
    `the surviving nodes disagree on the state at L ${l}: ${hashes.map((h) => `${h.seq}:${h.hash.slice(0, 12)}`).join(' vs ')}`,
  );

  // The killed node rejoins: same id, it catches up, agrees, and takes writes again.
  await control.restart(victim);
  const back = nodes[victim]!;
  const head = await headOf(nodes[survivors[0]!]!);
  await until(`${victimId} catches up after its restart`, async () =>
    (await headOf(back)).seq >= head.seq ? true : null,
  );
  const rejoined = await stateAtL(back, l);
  must(
    rejoined.seq === hashes[0]!.seq && rejoined.hash === hashes[0]!.hash,
    `${victimId} replays another state at L ${l} after its restart: ${rejoined.hash.slice(0, 12)} vs ${hashes[0]!.hash.slice(0, 12)}`,
  );
  const mine = await traceRange(back, 0, top);
  must(mine.map((e) => e.hash).join(',') === chain[0], `${victimId} serves another trace after its restart`);
  const v = vhms[victim]![0]!;
  const after = await ok(
    `write through ${victimId} after its restart`,
    back.post<{ seq: number; entries: Array<{ hash: string }> }>(
      `/v1/vhms/${v.id}/processes`,
      { capability: v.root, name: 'after-restart' },
      v.token,
    ),
  );
  await until(`a survivor sees the write made through ${victimId}`, async () => {
    const e = await traceRange(nodes[survivors[0]!]!, after.seq - 1, after.seq);
    return e[0]?.hash === after.entries[0]!.hash ? true : null;
  });
  await until(`the cluster view shows ${victimId} back and in agreement`, async () => {
    const view = await clusterView(nodes[survivors[0]!]!);
    const row = view.nodes.find((n) => n.id === victimId);
    must(row, `the cluster view does not list ${victimId} after its restart`);
    must(row.hashAgrees !== false, `${victimId} disagrees on the state hash after its restart`);
    // hashAgrees stays null while no other node hashed the same seq; the replayed state above compares.
    return row.status === 'ok' ? true : null;
  });
  // Still one clock source: the restarted node does not take the clock back while another holds it.
  for (let k = 0; k < 5; k++) {
    const c = await tickers(nodes, all);
    must(c.ticking.length === 1, `after the restart ${c.ticking.length} nodes tick the clock`);
    await sleep(control.tickMs);
  }
  ev.seq(after.seq);
  ev.note(
    `${victimId} restarted, caught up to seq ${head.seq}, replays the same state at L ${l} and takes writes`,
  );
}
