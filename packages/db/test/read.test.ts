import { nodeSha256 } from '@xdv/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger } from '../src/index.js';
import { readRowByRow, readRows } from '../src/store/replay.js';
import { BACKENDS, type Backend, freshBackend, op } from './helpers.js';

// Boot, following and verification read the trace as one aggregated text per chunk (store/replay.ts),
// split on newlines. A stored field holding a newline must not shift the split: that chunk is read
// row by row, so a tampered row is still the one named.

const quota = { vhms: 1, memory: 0, cpu: 0, qubits: 0, envelopes: 0 };

describe.each(BACKENDS)('reading the trace on %s', (kind) => {
  const backends: Backend[] = [];
  afterAll(async () => {
    for (const b of backends) await b.cleanup();
  });

  it('on-demand verification of a trace longer than a chunk lets other work run between chunks', async () => {
    const b = freshBackend(kind, { checkpointEvery: 0, checkpointOnClose: false, backgroundVerify: false });
    backends.push(b);
    const l = await Ledger.open(b.opts);
    try {
      // 1,200 commands (two entries each): more than one chunk of 2,000 entries.
      await l.submitMany(
        Array.from({ length: 1200 }, (_, i) => op({ type: 'tenant.create', name: `v${i}`, quota })),
      );
      let turns = 0;
      let verifying = true;
      const spin = () => {
        if (!verifying) return;
        turns++;
        setImmediate(spin);
      };
      setImmediate(spin);
      const r = await l.verify();
      verifying = false;
      expect(r).toMatchObject({ ok: true, entries: l.state.seq });
      expect(turns).toBeGreaterThan(1);
    } finally {
      await l.close();
    }
  });

  it('aggregated reads give exactly the rows of the row-by-row read, with and without an L bound', async () => {
    const b = freshBackend(kind, { checkpointEvery: 0, checkpointOnClose: false });
    backends.push(b);
    const l = await Ledger.open(b.opts);
    try {
      await l.submitMany(
        Array.from({ length: 6 }, (_, i) =>
          op({ type: 'tenant.create', name: `t\u00e9\u{1F600}${i}`, quota }),
        ),
      );
      await l.submit(op({ type: 'clock.advance', ticks: 1 }));
      await l.submitMany(
        Array.from({ length: 3 }, (_, i) => op({ type: 'tenant.create', name: `u${i}`, quota })),
      );
      const q = { query: l.sql.bind(l) } as Parameters<typeof readRows>[0];
      for (const [after, limit, untilL] of [
        [0, 1000, undefined],
        [3, 5, undefined],
        [0, 1000, 0],
        [4, 3, 0],
      ] as const) {
        const fast = await readRows(q, after, limit, untilL);
        const slow = await readRowByRow(q, after, limit, untilL);
        expect(fast.length).toBeGreaterThan(0);
        expect(fast).toEqual(
          slow.map((r) => ({ seq: Number(r.seq), l: Number(r.l), text: r.text, hash: r.hash })),
        );
      }
      expect(await readRows(q, 10_000, 10)).toEqual([]);
    } finally {
      await l.close();
    }
  });

  it('a row whose text holds a newline (hash re-sealed) is read back whole and named by its seq', async () => {
    const b = freshBackend(kind, { checkpointEvery: 0, checkpointOnClose: false });
    backends.push(b);
    const l = await Ledger.open(b.opts);
    try {
      await l.submitMany(
        Array.from({ length: 8 }, (_, i) => op({ type: 'tenant.create', name: `t${i}`, quota })),
      );
      expect((await l.verify()).ok).toBe(true);
      await l.sql('ALTER TABLE "trace" DISABLE TRIGGER USER');
      // The effect at 12 gains a raw newline inside its JSON (still valid JSON whitespace), and a
      // matching hash: split on newlines, it would shift every later field of the chunk.
      const [r] = await l.sql<{ text: string }>('SELECT "text" FROM "trace" WHERE "seq" = 12');
      const text = r!.text.replace('"name":', '"name":\n');
      await l.sql('UPDATE "trace" SET "text" = $2, "hash" = $3 WHERE "seq" = $1', [
        12,
        text,
        nodeSha256(text),
      ]);
      const q = { query: l.sql.bind(l) } as Parameters<typeof readRows>[0];
      const rows = await readRows(q, 0, 1000);
      expect(rows.find((x) => x.seq === 12)?.text).toBe(text);
      const v = await l.verify();
      expect(v.mismatch?.seq).toBe(12);
      expect(v.entries).toBe(11);
    } finally {
      await l.close();
    }
  });
});
