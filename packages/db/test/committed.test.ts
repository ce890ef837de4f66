import type { Entry } from '@xdv/core';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger } from '../src/index.js';
import { BACKENDS_BOTH_PGLITE, type Backend, freshBackend, usePgliteDriverOf } from './helpers.js';

// Reads serve the committed state only: a batch being committed is invisible until COMMIT, and a
// batch that fails to commit is never visible at all.

const op = { kind: 'operator' } as const;
const quota = { vhms: 1, memory: 0, cpu: 0, qubits: 0, envelopes: 0 };
const create = (name: string) => ({ type: 'tenant.create' as const, name, quota, actor: op });
const names = (l: Ledger) => Object.values(l.state.tenants).map((t) => t.name);

/** A gate the test opens: the commit waits on it while `held`. */
function gate() {
  let open!: () => void;
  let entered!: () => void;
  const state = {
    held: false,
    entered: new Promise<void>((r) => {
      entered = r;
    }),
    released: new Promise<void>((r) => {
      open = r;
    }),
  };
  return {
    state,
    release: () => open(),
    hook: async (_: readonly Entry[]) => {
      if (!state.held) return;
      entered();
      await state.released;
    },
  };
}

describe.each(BACKENDS_BOTH_PGLITE)('committed-state reads on %s', (kind) => {
  usePgliteDriverOf(kind);
  const backends: Backend[] = [];
  afterAll(async () => {
    for (const b of backends) await b.cleanup();
  });

  it('a batch mid-commit is not read; the next one, stepped meanwhile, neither; both appear at their COMMIT', async () => {
    const g = gate();
    const b = freshBackend(kind, { beforeCommit: g.hook });
    backends.push(b);
    const ledger = await Ledger.open(b.opts);
    try {
      await ledger.submit(create('before'));
      const seen: number[] = [];
      ledger.onCommit((es) => seen.push(...es.map((e) => e.seq)));
      const before = { seq: ledger.state.seq, hash: ledger.stateHash(), names: names(ledger) };
      g.state.held = true;
      const first = ledger.submit(create('held'));
      await g.state.entered;
      // The batch's rows are written in its open transaction; the live state has stepped it.
      const second = ledger.submit(create('stepped-meanwhile'));
      await new Promise((r) => setImmediate(r));
      expect(names(ledger)).toEqual(before.names);
      expect(ledger.state.seq).toBe(before.seq);
      expect(ledger.applied.seq).toBe(before.seq);
      expect(ledger.stateHash()).toBe(before.hash);
      expect(ledger.preview(create('held')).error).toBeNull(); // the preview sees no such tenant yet
      expect(seen).toEqual([]);
      g.state.held = false;
      g.release();
      const r1 = await first;
      // Answered only after COMMIT, and by then the committed state holds the command.
      expect(names(ledger)).toContain('held');
      expect(ledger.state.seq).toBeGreaterThanOrEqual(r1.entries.at(-1)!.seq);
      await second;
      expect(names(ledger)).toEqual([...before.names, 'held', 'stepped-meanwhile']);
      expect(seen[0]).toBe(before.seq + 1);
      expect(seen.at(-1)).toBe(ledger.state.seq);
      expect((await ledger.verify()).ok).toBe(true);
    } finally {
      g.release();
      await ledger.close();
    }
  });

  it('a batch that fails to commit leaves no trace in state, hash, preview, listeners or the trace', async () => {
    const b = freshBackend(kind);
    backends.push(b);
    const ledger = await Ledger.open(b.opts);
    try {
      await ledger.submit(create('kept'));
      const seen: Entry[] = [];
      ledger.onCommit((es) => seen.push(...es));
      const before = { seq: ledger.state.seq, hash: ledger.stateHash(), names: names(ledger) };
      // A real failure inside the transaction: the read model refuses the marked tenant's row.
      await ledger.sql(`ALTER TABLE "tenants" ADD CONSTRAINT no_marker CHECK ("name" <> 'doomed')`);
      const reads: string[][] = [];
      const doomed = [create('doomed'), create('doomed-sibling')].map((c) => {
        const p = ledger.submit(c);
        reads.push(names(ledger)); // read right after the command was stepped
        return p;
      });
      const settled = await Promise.allSettled(doomed);
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
      for (const r of reads) expect(r).toEqual(before.names);
      expect(names(ledger)).toEqual(before.names);
      expect(ledger.state.seq).toBe(before.seq);
      expect(ledger.stateHash()).toBe(before.hash);
      expect(seen).toEqual([]);
      expect((await ledger.entries({ afterSeq: before.seq })).length).toBe(0);
      expect(ledger.preview(create('doomed-sibling')).error).toBeNull();
      // The next command takes the seq the failed batch never got.
      await ledger.sql('ALTER TABLE "tenants" DROP CONSTRAINT no_marker');
      const r = await ledger.submit(create('after'));
      expect(r.entries[0]!.seq).toBe(before.seq + 1);
      expect(names(ledger)).toEqual([...before.names, 'after']);
      expect(seen.map((e) => e.seq)[0]).toBe(before.seq + 1);
      expect((await ledger.verify()).ok).toBe(true);
    } finally {
      await ledger.close();
    }
  });

  it('a commit that fails while the next batch is stepped: neither is ever read, and the next is retried on the rebuilt state', async () => {
    const g = gate();
    let fail = false;
    const b = freshBackend(kind, {
      beforeCommit: async (es) => {
        await g.hook(es);
        if (fail) {
          fail = false;
          throw new Error('injected commit failure');
        }
      },
    });
    backends.push(b);
    const ledger = await Ledger.open(b.opts);
    try {
      const before = { seq: ledger.state.seq, hash: ledger.stateHash(), names: names(ledger) };
      g.state.held = true;
      fail = true;
      const failing = ledger.submit(create('lost'));
      await g.state.entered;
      const next = ledger.submit(create('retried'));
      await new Promise((r) => setImmediate(r));
      expect(names(ledger)).toEqual(before.names);
      g.state.held = false;
      g.release();
      await expect(failing).rejects.toMatchObject({ code: 'HV_DB_FLUSH_FAILED' });
      expect(names(ledger)).toEqual(before.names);
      expect(ledger.stateHash()).toBe(before.hash);
      const r = await next;
      expect(r.error).toBeNull();
      expect(r.entries[0]!.seq).toBe(before.seq + 1);
      expect(names(ledger)).toEqual([...before.names, 'retried']);
      expect((await ledger.verify()).ok).toBe(true);
    } finally {
      g.release();
      await ledger.close();
    }
  });
});
