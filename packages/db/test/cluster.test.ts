import { afterAll, describe, expect, it } from 'vitest';
import { type CommitRound, Ledger, ROUNDS_KEPT } from '../src/index.js';
import { BACKENDS, type Backend, freshBackend, pgUrl } from './helpers.js';
import { richWorkload } from './workload.js';

// Cluster telemetry: each Ledger keeps its row in `nodes`, and every committed batch leaves a commit
// round (its seq range) written by the batch statement itself.

const until = async (cond: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for convergence');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** The rounds, oldest first, tile 1..head with no gap and no overlap. */
function expectTiled(rounds: CommitRound[], head: number): void {
  const asc = [...rounds].sort((a, b) => a.firstSeq - b.firstSeq);
  expect(asc[0]?.firstSeq).toBe(1);
  for (let i = 0; i < asc.length; i++) {
    const r = asc[i]!;
    expect(r.entries).toBe(r.lastSeq - r.firstSeq + 1);
    expect(r.lastL).toBeGreaterThanOrEqual(r.firstL);
    if (i > 0) expect(r.firstSeq).toBe(asc[i - 1]!.lastSeq + 1);
  }
  expect(asc.at(-1)?.lastSeq).toBe(head);
}

describe.each(BACKENDS)('cluster telemetry on %s', (kind) => {
  const backends: Backend[] = [];
  afterAll(async () => {
    for (const b of backends) await b.cleanup();
  });

  it('a node row appears at open, follows commits, is closed cleanly; rounds tile the trace', async () => {
    const b = freshBackend(kind, { heartbeatMs: 100 });
    backends.push(b);
    const { commands, finalSeq } = richWorkload();
    const ledger = await Ledger.open(b.opts);
    let firstId: string;
    try {
      firstId = ledger.nodeId;
      expect(firstId).toMatch(/^[^:]+:\d+:\d+:\d+$/); // hostname:pid:n:startedAtMs — no randomness
      const [n0] = await ledger.nodes();
      expect(n0).toMatchObject({
        id: firstId,
        pid: process.pid,
        driver: kind,
        appliedSeq: 2, // genesis, written at open
        hashSeq: 2,
        stateHash: ledger.stateHash(),
        closedAt: null,
        broken: false,
        commits: 1,
      });
      expect(n0!.ageMs).toBeLessThan(5_000);

      await ledger.submitMany(commands.slice(1));
      // The timer refreshes the row on its own, about every heartbeatMs.
      const deadline = Date.now() + 10_000;
      let n1 = (await ledger.nodes())[0]!;
      while (n1.appliedSeq !== finalSeq && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        n1 = (await ledger.nodes())[0]!;
      }
      expect(n1.appliedSeq).toBe(finalSeq);
      expect(n1.lastSeenAt >= n0!.lastSeenAt).toBe(true);
      await ledger.heartbeatNow();
      const n2 = (await ledger.nodes())[0]!;
      expect(n2).toMatchObject({
        appliedSeq: finalSeq,
        appliedL: ledger.state.l,
        hashSeq: finalSeq,
        stateHash: ledger.stateHash(),
        commits: ledger.stats.batches,
        entries: ledger.stats.entries,
        conflicts: 0,
        rebuilds: 0,
      });

      // Single writer: the rounds cover 1..head without a gap, all by this node.
      const rounds = await ledger.rounds(1000);
      expect(rounds.length).toBe(ledger.stats.batches);
      expect(rounds.map((r) => r.firstSeq)).toEqual([...rounds.map((r) => r.firstSeq)].sort((x, y) => y - x));
      expectTiled(rounds, finalSeq);
      expect(new Set(rounds.map((r) => r.node))).toEqual(new Set([firstId]));
      expect(rounds.every((r) => r.retries === 0)).toBe(true);
      expect(await ledger.committedHead()).toEqual({ seq: finalSeq, l: ledger.state.l });
      expect((await ledger.rounds(3)).length).toBe(Math.min(3, rounds.length));

      // Pruning keeps the newest ROUNDS_KEPT. Rows past the head stand in for a long history here
      // (the table is telemetry, not the trace), and are removed again afterwards.
      expect(await ledger.pruneRounds()).toBe(0);
      const base = finalSeq + 1_000;
      await ledger.sql(
        `INSERT INTO "commit_rounds" ("first_seq","last_seq","first_l","last_l","entries","node","retries")
         SELECT $1::int8 + g, $1::int8 + g, 0, 0, 1, 'synthetic', 0 FROM generate_series(0, $2::int - 1) g`,
        [base, ROUNDS_KEPT],
      );
      expect(await ledger.pruneRounds()).toBe(rounds.length);
      const kept = await ledger.sql<{ n: number; lo: number }>(
        'SELECT count(*)::int AS n, min("first_seq")::int8 AS lo FROM "commit_rounds"',
      );
      expect(kept[0]).toEqual({ n: ROUNDS_KEPT, lo: base });
      await ledger.sql('DELETE FROM "commit_rounds" WHERE "node" = \'synthetic\'');
    } finally {
      await ledger.close();
    }

    // A restart is a new node; the old row stays, marked closed, and the list is ordered by id.
    const again = await Ledger.open({ ...b.opts, nodeId: 'zz-explicit-node' });
    try {
      const list = await again.nodes();
      expect(list.map((n) => n.id)).toEqual([firstId, 'zz-explicit-node']);
      expect(list[0]!.closedAt).not.toBeNull();
      expect(list[0]!.appliedSeq).toBe(finalSeq);
      expect(list[1]).toMatchObject({ closedAt: null, appliedSeq: finalSeq, commits: 0 });
      expect(list[1]!.stateHash).toBe(list[0]!.stateHash);
    } finally {
      await again.close();
    }
  });
});

describe.skipIf(!pgUrl)('two nodes on one PostgreSQL', () => {
  const backends: Backend[] = [];
  afterAll(async () => {
    for (const b of backends) await b.cleanup();
  });

  it('both nodes are listed and converge on the same applied seq and state hash; rounds tile the trace', async () => {
    const b = freshBackend('pg', { heartbeatMs: 100 });
    backends.push(b);
    const { commands, finalSeq } = richWorkload();
    const a = await Ledger.open({ ...b.opts, nodeId: 'node-a' });
    const c = await Ledger.open({ ...b.opts, nodeId: 'node-b' });
    try {
      const half = Math.floor(commands.length / 2);
      // Interleaved writers: the first half through a, the rest through c after it has caught up,
      // so each command runs on the state the stream defines (the workload is order-dependent).
      for (const cmd of commands.slice(1, half)) await a.submit(cmd);
      await until(() => c.state.seq === a.state.seq);
      for (const cmd of commands.slice(half)) await c.submit(cmd);
      await until(() => a.state.seq === c.state.seq && a.state.seq === finalSeq);
      await Promise.all([a.heartbeatNow(), c.heartbeatNow()]);

      const list = await a.nodes();
      expect(list.map((n) => n.id)).toEqual(['node-a', 'node-b']);
      // Both read the same rows; the 100 ms heartbeats may refresh lastSeenAt between the two reads.
      expect(await c.nodes()).toEqual(
        list.map((n) => ({
          ...n,
          ageMs: expect.any(Number),
          settledSeq: expect.any(Number),
          lastSeenAt: expect.any(String),
        })),
      );
      for (const n of list) {
        expect(n).toMatchObject({ appliedSeq: finalSeq, hashSeq: finalSeq, broken: false, driver: 'pg' });
        expect(n.stateHash).toBe(a.stateHash());
      }
      expect(list[0]!.commits).toBeGreaterThan(0);
      expect(list[1]!.commits).toBeGreaterThan(0);
      expect(list[1]!.catchUps + list[0]!.catchUps).toBeGreaterThan(0);

      const rounds = await a.rounds(1000);
      expectTiled(rounds, finalSeq);
      expect(new Set(rounds.map((r) => r.node))).toEqual(new Set(['node-a', 'node-b']));
      expect(rounds.length).toBe(list[0]!.commits + list[1]!.commits);
    } finally {
      await Promise.all([a.close(), c.close()]);
    }
  });
});
