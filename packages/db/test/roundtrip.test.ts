import { checkAll, replay, stateHash } from '@xdv/core';
import { nodeSha256 } from '@xdv/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger, projectAll, READ_COLUMNS, READ_TABLES } from '../src/index.js';
import {
  BACKENDS_BOTH_PGLITE,
  type Backend,
  freshBackend,
  replayedHash,
  usePgliteDriverOf,
} from './helpers.js';
import { richWorkload } from './workload.js';

describe.each(BACKENDS_BOTH_PGLITE)('round trip on %s', (kind) => {
  usePgliteDriverOf(kind);
  const backends: Backend[] = [];
  afterAll(async () => {
    for (const b of backends) await b.cleanup();
  });

  it('persists a rich workload; the state rebuilt from the DB equals the live one, with and without checkpoints', async () => {
    const b = freshBackend(kind, { checkpointEvery: 25 });
    backends.push(b);
    const { commands, finalHash, finalSeq } = richWorkload();
    const ledger = await Ledger.open(b.opts);
    const committed: number[] = [];
    ledger.onCommit((es) => committed.push(...es.map((e) => e.seq)));
    try {
      expect(ledger.state.seq).toBe(2); // open appended genesis itself
      // Genesis is already there; the rest goes in as concurrent submits (group commit), four
      // at a time, so that later batches update read-model rows earlier ones inserted.
      let results = 0;
      for (let i = 1; i < commands.length; i += 4)
        results += (await ledger.submitMany(commands.slice(i, i + 4))).length;
      expect(results).toBe(commands.length - 1);
      expect(ledger.state.seq).toBe(finalSeq);
      expect(ledger.stateHash()).toBe(finalHash);
      expect(committed).toEqual(Array.from({ length: finalSeq - 2 }, (_, i) => i + 3));
      const cps = await ledger.sql<{ seq: number }>('SELECT "seq" FROM "checkpoints" ORDER BY "seq"');
      expect(cps.length).toBeGreaterThan(0);

      // The read model agrees with the full projection of the live state, column by column.
      const want = projectAll(ledger.state);
      for (const t of READ_TABLES) {
        const cols = ['id', ...READ_COLUMNS[t]].map((c) => `"${c}"`).join(',');
        const rows = await ledger.sql<{ id: string }>(`SELECT ${cols} FROM "${t}" ORDER BY "id"`);
        const got = new Map(rows.map((r) => [r.id, r]));
        const exp = want.get(t)!;
        expect([...got.keys()].sort(), t).toEqual([...exp.keys()].sort());
        for (const [id, row] of exp) expect(got.get(id), `${t} ${id}`).toEqual(row);
      }
      // Each row's seq is an entry of the trace (the last one that touched the object).
      for (const t of READ_TABLES) {
        const orphans = await ledger.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM "${t}" r WHERE NOT EXISTS (SELECT 1 FROM "trace" e WHERE e."seq" = r."seq")`,
        );
        expect(orphans[0]!.n, t).toBe(0);
      }
      const metrics = await ledger.sql<{ metric: string; subject: string; value: number }>(
        'SELECT "metric","subject","value" FROM "metrics" ORDER BY "metric","subject"',
      );
      expect(metrics.map((m) => m.metric).sort()).toEqual(
        ['drift', 'fidelity', 'impact', 'noise', 'readoutError', 'stability', 't1', 't2'].sort(),
      );
      expect(metrics.find((m) => m.metric === 't1')).toMatchObject({ subject: 'qubit 0', value: 10 });

      expect(await ledger.verify()).toEqual({ ok: true, entries: finalSeq, mismatch: null });
      expect(await replayedHash(ledger)).toEqual({ ok: true, hash: finalHash, seq: finalSeq });

      // Time travel: state at an L equals a replay of the trace up to that L.
      const all = await ledger.entries({ limit: 10_000 });
      const midL = all[Math.floor(all.length / 2)]!.l;
      const at = await ledger.stateAt(midL);
      const ref = replay(all, { hasher: nodeSha256, untilL: midL });
      expect(stateHash(at, nodeSha256)).toBe(stateHash(ref.state, nodeSha256));
      expect(checkAll(at)).toEqual([]);

      // Filters.
      const tenantRows = await ledger.entries({ tenant: 'tenant-2', limit: 1000 });
      expect(tenantRows.length).toBeGreaterThan(0);
      expect(tenantRows.every((e) => e.tenant === 'tenant-2')).toBe(true);
      const page = await ledger.entries({ afterSeq: 10, limit: 5 });
      expect(page.map((e) => e.seq)).toEqual([11, 12, 13, 14, 15]);
    } finally {
      await ledger.close();
    }

    // Reopen from the checkpoint written on close.
    const again = await Ledger.open(b.opts);
    try {
      expect(again.broken).toBeNull();
      expect(again.stateHash()).toBe(finalHash);
      expect(again.state.seq).toBe(finalSeq);
      await again.sql('DELETE FROM "checkpoints"');
    } finally {
      await again.close();
    }
    // close() wrote a checkpoint again; remove it and boot from genesis.
    const noCp = await Ledger.open({ ...b.opts, checkpointOnClose: false });
    try {
      await noCp.sql('DELETE FROM "checkpoints"');
    } finally {
      await noCp.close();
    }
    const fromGenesis = await Ledger.open({ ...b.opts, checkpointOnClose: false });
    try {
      expect((await fromGenesis.sql('SELECT count(*)::int AS n FROM "checkpoints"'))[0]).toEqual({ n: 0 });
      expect(fromGenesis.stateHash()).toBe(finalHash);
      // Writes continue on the rebuilt state.
      const r = await fromGenesis.submit({ type: 'clock.advance', ticks: 1, actor: { kind: 'operator' } });
      expect(r.error).toBeNull();
      expect(r.entries[0]!.seq).toBe(finalSeq + 1);
    } finally {
      await fromGenesis.close();
    }
  });

  it('rejects every caller of a failed flush, rebuilds state from the database, and carries on', async () => {
    const b = freshBackend(kind);
    backends.push(b);
    const ledger = await Ledger.open(b.opts);
    try {
      const op = { kind: 'operator' } as const;
      const quota = { vhms: 1, memory: 0, cpu: 0, qubits: 0, envelopes: 0 };
      await ledger.submit({ type: 'tenant.create', name: 'ok', quota, actor: op });
      const seqBefore = ledger.state.seq;
      const hashBefore = ledger.stateHash();
      // Make the read-model write of one command fail inside the transaction.
      await ledger.sql(`ALTER TABLE "tenants" ADD CONSTRAINT no_boom CHECK ("name" <> 'boom')`);
      const batch = ['a', 'boom', 'c'].map((name) =>
        ledger.submit({ type: 'tenant.create', name, quota, actor: op }),
      );
      const settled = await Promise.allSettled(batch);
      for (const s of settled) {
        expect(s.status).toBe('rejected');
        expect((s as PromiseRejectedResult).reason.code).toBe('HV_DB_FLUSH_FAILED');
      }
      const n = await ledger.sql<{ n: number }>('SELECT count(*)::int AS n FROM "trace"');
      expect(n[0]!.n).toBe(seqBefore);
      expect(ledger.state.seq).toBe(seqBefore);
      expect(ledger.stateHash()).toBe(hashBefore);
      await ledger.sql('ALTER TABLE "tenants" DROP CONSTRAINT no_boom');
      const r = await ledger.submit({ type: 'tenant.create', name: 'a', quota, actor: op });
      expect(r.error).toBeNull();
      expect(r.entries[0]!.seq).toBe(seqBefore + 1);
      expect((await ledger.verify()).ok).toBe(true);
    } finally {
      await ledger.close();
    }
  });
});
