import { checkAll, scenario } from '@xdv/core';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger, type Once } from '../src/index.js';
import { type Backend, freshBackend, op, pgUrl } from './helpers.js';

const until = async (cond: () => boolean, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for convergence');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const quota = scenario.quotaOf({ vhms: 1, memory: 1, cpu: 1, qubits: 0, envelopes: 0 });

describe.skipIf(!pgUrl)('three writers hammering one PostgreSQL', () => {
  const backends: Backend[] = [];
  afterAll(async () => {
    for (const b of backends) await b.cleanup();
  });

  it('refuse nothing for contention, commit every command once and converge', async () => {
    const b = freshBackend('pg', { checkpointEvery: 300, signEveryMs: 50 });
    backends.push(b);
    const nodes = await Promise.all([0, 1, 2].map(() => Ledger.open(b.opts)));
    try {
      // What each node's listeners hear, from the seq it had reached when they subscribed.
      const seen = nodes.map((l) => ({ from: l.state.seq, seqs: [] as number[] }));
      for (const [i, l] of nodes.entries()) l.onCommit((es) => seen[i]!.seqs.push(...es.map((e) => e.seq)));
      const errors: unknown[] = [];
      const answers = new Map<string, string[]>();
      const ROUNDS = 12;
      const PER_ROUND = 40;
      for (let r = 0; r < ROUNDS; r++) {
        const jobs: Array<Promise<unknown>> = [];
        for (let i = 0; i < PER_ROUND; i++)
          for (const [n, l] of nodes.entries())
            jobs.push(l.submit(op({ type: 'tenant.create', name: `n${n}-r${r}-${i}`, quota })));
        // One Idempotency-Key sent to all three nodes at once: executed once, one answer for all.
        const key = `k${r}`;
        const once: Once = {
          principal: 'operator',
          key,
          requestHash: `h${r}`,
          respond: (res) => ({ status: 201, body: JSON.stringify(res.created) }),
        };
        for (const l of nodes)
          jobs.push(
            l
              .submitOnce(op({ type: 'tenant.create', name: `keyed-${r}`, quota }), once)
              .then((a) => answers.set(key, [...(answers.get(key) ?? []), a.body])),
          );
        const settled = await Promise.allSettled(jobs);
        for (const s of settled) if (s.status === 'rejected') errors.push(s.reason);
      }
      // Not one command refused (HV_CONFLICT_RETRIES or anything else).
      expect(errors.map((e) => (e as { code?: string }).code ?? String(e))).toEqual([]);
      for (const bodies of answers.values()) {
        expect(bodies).toHaveLength(3);
        expect(new Set(bodies).size).toBe(1);
      }

      const head = await nodes[0]!.committedHead();
      await until(() => nodes.every((l) => l.state.seq === head.seq));
      const hash = nodes[0]!.stateHash();
      for (const l of nodes) {
        expect(l.stateHash()).toBe(hash);
        expect(checkAll(l.state)).toEqual([]);
      }
      // Every command committed exactly once.
      const names = Object.values(nodes[0]!.state.tenants).map((t) => t.name);
      expect(names).toHaveLength(new Set(names).size);
      expect(names.filter((n) => n.startsWith('keyed-'))).toHaveLength(ROUNDS);
      expect(names.filter((n) => /^n\d-r\d+-\d+$/.test(n))).toHaveLength(ROUNDS * PER_ROUND * 3);
      expect(await nodes[1]!.verify()).toEqual({ ok: true, entries: head.seq, mismatch: null });

      // The race really happened, and a node that lost it won its next commit: no command went
      // through more than one failed commit (the commit rounds record the most any batch lost).
      expect(nodes.reduce((n, l) => n + l.stats.conflicts, 0)).toBeGreaterThan(0);
      const rounds = (await nodes[0]!.rounds(1000)).sort((x, y) => x.firstSeq - y.firstSeq);
      expect(rounds.at(-1)!.lastSeq).toBe(head.seq);
      for (let i = 1; i < rounds.length; i++) expect(rounds[i]!.firstSeq).toBe(rounds[i - 1]!.lastSeq + 1);
      expect(Math.max(...rounds.map((r) => r.retries))).toBeLessThanOrEqual(1);

      // The heartbeats put the conflicts and the rebuilds they cost into the cluster view.
      for (const l of nodes) await l.heartbeatNow();
      const rows = await nodes[0]!.nodes();
      for (const l of nodes)
        expect(rows.find((r) => r.id === l.nodeId)).toMatchObject({
          conflicts: l.stats.conflicts,
          rebuilds: l.stats.rebuilds,
        });
      expect(rows.reduce((n, r) => n + r.rebuilds, 0)).toBeGreaterThan(0);

      // Every node's listeners heard of every entry once, in order.
      for (const s of seen)
        expect(s.seqs).toEqual(Array.from({ length: head.seq - s.from }, (_, i) => s.from + 1 + i));
    } finally {
      await Promise.all(nodes.map((l) => l.close()));
    }
  });
});
