import type { Entry } from '@xdv/core';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger } from '../src/index.js';
import { FIRST_BATCH } from '../src/service/batch.js';
import { BACKENDS, type Backend, freshBackend, pgUrl } from './helpers.js';

// The commit pipeline: one transaction in flight while the next batch is stepped, and a seq
// conflict between two writers recovered from the committed state, without reloading.

const op = { kind: 'operator' } as const;
const quota = { vhms: 1, memory: 0, cpu: 0, qubits: 0, envelopes: 0 };
const create = (name: string) => ({ type: 'tenant.create' as const, name, quota, actor: op });
const names = (l: Ledger) => Object.values(l.state.tenants).map((t) => t.name);

/** A commit hook the test can hold open once, and that fails the commit numbered `failAt`. */
function hook() {
  let open!: () => void;
  let entered!: () => void;
  const h = {
    held: false,
    failAt: 0,
    commits: 0,
    entered: new Promise<void>((r) => {
      entered = r;
    }),
    released: new Promise<void>((r) => {
      open = r;
    }),
    release: () => open(),
    fn: async (_: readonly Entry[]) => {
      const n = ++h.commits;
      if (h.held) {
        h.held = false;
        entered();
        await h.released;
      }
      if (n === h.failAt) throw new Error('injected commit failure');
    },
  };
  return h;
}

const until = async (cond: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.each(BACKENDS)('pipelined group commit on %s', (kind) => {
  const backends: Backend[] = [];
  afterAll(async () => {
    for (const b of backends) await b.cleanup();
  });

  it('a burst commits in two transactions, the second stepped while the first commits; the second failing leaves the first answered and committed and itself invisible', async () => {
    const h = hook();
    const b = freshBackend(kind, { beforeCommit: h.fn });
    backends.push(b);
    const ledger = await Ledger.open(b.opts);
    try {
      const before = { seq: ledger.state.seq, names: names(ledger), batches: ledger.stats.batches };
      const seen: number[] = [];
      ledger.onCommit((es) => seen.push(...es.map((e) => e.seq)));
      const burst = Array.from({ length: FIRST_BATCH + 44 }, (_, i) => create(`t${i}`));
      h.held = true;
      const settled = Promise.allSettled(burst.map((c) => ledger.submit(c)));
      await h.entered;
      // The first batch is mid-commit; the rest of the burst is stepped meanwhile (one transaction
      // in flight, so it is not sent yet). Its commit, the next one, will fail.
      await new Promise((r) => setTimeout(r, 50));
      expect(names(ledger)).toEqual(before.names);
      h.failAt = h.commits + 1;
      h.release();
      const results = await settled;
      const ok = results.filter((r) => r.status === 'fulfilled').length;
      expect(ok).toBe(FIRST_BATCH);
      expect(results.slice(0, FIRST_BATCH).every((r) => r.status === 'fulfilled')).toBe(true);
      for (const r of results.slice(FIRST_BATCH))
        expect(r).toMatchObject({ status: 'rejected', reason: { code: 'HV_DB_FLUSH_FAILED' } });
      expect(ledger.stats.batches - before.batches).toBe(1);
      const committed = names(ledger);
      expect(committed).toEqual([...before.names, ...burst.slice(0, FIRST_BATCH).map((c) => c.name)]);
      expect(seen.at(-1)).toBe(ledger.state.seq);
      expect(await ledger.committedHead()).toMatchObject({ seq: ledger.state.seq });
      // The next command takes the seq the failed batch never got.
      const tip = ledger.state.seq;
      const r = await ledger.submit(create('after'));
      expect(r.entries[0]!.seq).toBe(tip + 1);
      expect((await ledger.verify()).ok).toBe(true);
    } finally {
      h.release();
      await ledger.close();
    }
  });
});

describe.skipIf(!pgUrl)('a seq conflict between two writers on PostgreSQL', () => {
  const backends: Backend[] = [];
  afterAll(async () => {
    for (const b of backends) await b.cleanup();
  });

  it('is recovered from the committed state (the rival followed, the command stepped again), with no reload', async () => {
    const h = hook();
    const b = freshBackend('pg');
    backends.push(b);
    const a = await Ledger.open({ ...b.opts, nodeId: 'node-a' });
    const c = await Ledger.open({ ...b.opts, nodeId: 'node-c', beforeCommit: h.fn });
    try {
      await a.submit(create('first'));
      await until(() => c.state.seq === a.state.seq);
      const base = a.state.seq;
      // c's batch takes seq base+1 and holds its transaction open; a steps its own command on the
      // same state, so its insert at base+1 waits on c's row and fails with a seq conflict.
      h.held = true;
      const fromC = c.submit(create('from-c'));
      await h.entered;
      const fromA = a.submit(create('from-a'));
      await new Promise((r) => setTimeout(r, 100));
      h.release();
      const rc = await fromC;
      const ra = await fromA;
      expect(rc.entries[0]!.seq).toBe(base + 1);
      expect(ra.error).toBeNull();
      expect(ra.entries[0]!.seq).toBe(rc.entries.at(-1)!.seq + 1);
      expect(a.stats.conflicts).toBeGreaterThan(0);
      expect(a.stats.reloads).toBe(0);
      await until(() => c.state.seq === a.state.seq);
      expect(names(a)).toEqual(['first', 'from-c', 'from-a']);
      expect(a.stateHash()).toBe(c.stateHash());
      expect(c.stats.reloads).toBe(0);
      expect((await a.verify()).ok).toBe(true);
    } finally {
      h.release();
      await Promise.all([a.close(), c.close()]);
    }
  });
});
