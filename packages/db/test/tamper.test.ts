import { nodeSha256 } from '@xdv/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger } from '../src/index.js';
import { BACKENDS, type Backend, freshBackend, op } from './helpers.js';

type Tamper = (l: Ledger, k: number) => Promise<void>;

// k = 11 is a tenant.create command entry, 12 its tenant.created effect (genesis is 1–2).

const one = async (l: Ledger, k: number) =>
  (
    await l.sql<{ text: string; hash: string }>('SELECT "text","hash" FROM "trace" WHERE "seq" = $1', [k])
  )[0]!;

// Each attack names the seq where verification must stop.
const TAMPERS: Array<[string, number, Tamper]> = [
  [
    'edit a row',
    11,
    async (l, k) => {
      await l.sql(`UPDATE "trace" SET "text" = replace("text", '"name":"t', '"name":"X') WHERE "seq" = $1`, [
        k,
      ]);
    },
  ],
  [
    // An effect entry rewritten with a valid hash: replay regenerates it from its command and
    // names it. (A rewritten command entry with a valid hash is named at its first effect.)
    'edit an effect row and recompute its hash',
    12,
    async (l, k) => {
      const r = await one(l, k);
      const text = r.text.replace('"name":"t', '"name":"X');
      if (text === r.text) throw new Error('nothing to edit');
      await l.sql('UPDATE "trace" SET "text" = $2, "hash" = $3 WHERE "seq" = $1', [
        k,
        text,
        nodeSha256(text),
      ]);
    },
  ],
  ['delete a row', 11, async (l, k) => l.sql('DELETE FROM "trace" WHERE "seq" = $1', [k]).then(() => {})],
  [
    'insert a row',
    11,
    async (l, k) => {
      await l.sql('UPDATE "trace" SET "seq" = "seq" + 1000000 WHERE "seq" >= $1', [k]);
      await l.sql('UPDATE "trace" SET "seq" = "seq" - 999999 WHERE "seq" >= 1000000');
      await l.sql(
        `INSERT INTO "trace" ("seq","l","type","text","prev","hash") SELECT $1, "l", "type", "text", "prev", "hash" FROM "trace" WHERE "seq" = $2`,
        [k, k - 1],
      );
    },
  ],
  [
    'swap two rows',
    11,
    async (l, k) => {
      await l.sql('UPDATE "trace" SET "seq" = -1 WHERE "seq" = $1', [k]);
      await l.sql('UPDATE "trace" SET "seq" = $1 WHERE "seq" = $2', [k, k + 1]);
      await l.sql('UPDATE "trace" SET "seq" = $1 WHERE "seq" = -1', [k + 1]);
    },
  ],
];

const quota = { vhms: 1, memory: 0, cpu: 0, qubits: 0, envelopes: 0 };

describe.each(BACKENDS)('tampering on %s', (kind) => {
  const backends: Backend[] = [];
  afterAll(async () => {
    for (const b of backends) await b.cleanup();
  });

  it.each(TAMPERS)(
    '%s: verify and boot name the first bad seq; writes are refused, reads still work',
    async (_, k, tamper) => {
      const b = freshBackend(kind, { checkpointEvery: 0, checkpointOnClose: false });
      backends.push(b);
      const ledger = await Ledger.open(b.opts);
      try {
        await ledger.submitMany(
          Array.from({ length: 12 }, (_, i) => op({ type: 'tenant.create', name: `t${i}`, quota })),
        );
        expect((await ledger.verify()).ok).toBe(true);
        await ledger.sql('ALTER TABLE "trace" DISABLE TRIGGER USER'); // what only a privileged attacker can do
        await tamper(ledger, k);
        const v = await ledger.verify();
        expect(v.ok).toBe(false);
        expect(v.mismatch?.seq).toBe(k);
        expect(v.entries).toBe(k - 1);
      } finally {
        await ledger.close();
      }
      const rebooted = await Ledger.open(b.opts);
      try {
        expect(rebooted.broken?.seq).toBe(k);
        expect(rebooted.state.seq).toBeLessThanOrEqual(k);
        await expect(rebooted.submit(op({ type: 'clock.advance', ticks: 1 }))).rejects.toMatchObject({
          code: 'HV_TRACE_BROKEN',
        });
        expect((await rebooted.entries({ limit: 5 })).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
        expect((await rebooted.verify()).mismatch?.seq).toBe(k);
      } finally {
        await rebooted.close();
      }
    },
  );

  it('the append-only trigger refuses UPDATE and DELETE on the trace', async () => {
    const b = freshBackend(kind);
    backends.push(b);
    const ledger = await Ledger.open(b.opts);
    try {
      await expect(ledger.sql('UPDATE "trace" SET "type" = \'x\' WHERE "seq" = 1')).rejects.toThrow(
        /append-only/,
      );
      await expect(ledger.sql('DELETE FROM "trace"')).rejects.toThrow(/append-only/);
      expect((await ledger.verify()).ok).toBe(true);
    } finally {
      await ledger.close();
    }
  });
});
