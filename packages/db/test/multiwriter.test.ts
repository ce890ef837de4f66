import { type Command, checkAll, type Entry, scenario } from '@xdv/core';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger } from '../src/index.js';
import { type Backend, freshBackend, op, pgUrl } from './helpers.js';

const until = async (cond: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for convergence');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.skipIf(!pgUrl)('two writers on one PostgreSQL', () => {
  const backends: Backend[] = [];
  afterAll(async () => {
    for (const b of backends) await b.cleanup();
  });

  it('conflicting Q allocations from two Ledgers conserve capacity, keep the chain gap-free and converge', async () => {
    const b = freshBackend('pg', { checkpointEvery: 50 });
    backends.push(b);
    // Open both at once: migrations and genesis race and must still give one schema and one genesis.
    const [a, c] = await Promise.all([Ledger.open(b.opts), Ledger.open(b.opts)]);
    try {
      const seenByC: Entry[] = [];
      c.onCommit((es) => seenByC.push(...es));
      const q = a.state.seq; // both genesis attempts left exactly one
      expect(q).toBe(2);
      const setup = await a.submit(
        scenario.registerCmd(scenario.registration('qpu-1', 'Q', { qubits: 50 }, 3), 3),
      );
      const provider = setup.entries[1]!.payload.provider as string;
      const cal = (await a.submit(op({ type: 'calibration.issue', provider, from: 0, until: 100_000 })))
        .entries[1]!.payload.calibration as string;
      const vhms: Array<{ vhm: string; cap: string; actor: Command['actor'] }> = [];
      for (let t = 0; t < 2; t++) {
        const tenant = (
          await a.submit(
            op({
              type: 'tenant.create',
              name: `t${t}`,
              quota: scenario.quotaOf({ vhms: 4, memory: 1 << 20, cpu: 16, qubits: 200, envelopes: 0 }),
            }),
          )
        ).entries[1]!.payload.tenant as string;
        const actor = scenario.tenantAdmin(tenant);
        for (let i = 0; i < 2; i++) {
          const r = await a.submit({
            type: 'vhm.create',
            tenant,
            name: `v${i}`,
            quota: scenario.quotaOf({ memory: 1 << 10, cpu: 1, qubits: 100 }),
            parent: null,
            capability: null,
            actor,
          } as Command);
          const vhm = r.entries.find((e) => e.type === 'vhm.created')!.payload.vhm as string;
          const cap = r.entries.find((e) => e.type === 'cap.issued')!.payload.capability as string;
          await a.submit({ type: 'vhm.validate', vhm, actor } as Command);
          await a.submit({ type: 'vhm.activate', vhm, actor } as Command);
          vhms.push({ vhm, cap, actor });
        }
      }
      await until(() => c.state.seq === a.state.seq);
      expect(c.stateHash()).toBe(a.stateHash());

      // 2 × 30 allocations of 7 qubits against a capacity of 50, interleaved across both writers.
      const alloc = (w: { vhm: string; cap: string; actor: Command['actor'] }): Command =>
        ({
          type: 'contract.allocate',
          vhm: w.vhm,
          capability: w.cap,
          domain: 'Q',
          provider,
          q: { qubits: 7, budget: 10, calibration: cal },
          actor: w.actor,
        }) as Command;
      const jobs: Array<Promise<unknown>> = [];
      for (let i = 0; i < 30; i++) {
        jobs.push(a.submit(alloc(vhms[i % 4]!)));
        jobs.push(c.submit(alloc(vhms[(i + 1) % 4]!)));
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      const results = (await Promise.all(jobs)) as Array<{ error: { code: string } | null }>;
      const accepted = results.filter((r) => r.error === null).length;
      expect(accepted).toBe(7); // floor(50 / 7): no writer over-allocated on a stale view

      await until(() => c.state.seq === a.state.seq);
      for (const l of [a, c]) {
        expect(checkAll(l.state)).toEqual([]);
        expect(l.state.providers[provider]!.allocated.qubits).toBe(49);
      }
      expect(c.stateHash()).toBe(a.stateHash());
      expect(a.stats.conflicts + c.stats.conflicts).toBeGreaterThan(0); // the race really happened
      const v = await a.verify();
      expect(v).toEqual({ ok: true, entries: a.state.seq, mismatch: null });
      const gaps = await a.sql<{ n: number; mx: number }>(
        'SELECT count(*)::int AS n, max("seq")::int AS mx FROM "trace"',
      );
      expect(gaps[0]!.n).toBe(gaps[0]!.mx);
      // Every committed batch left one commit round: they tile the trace even under the race, and
      // the rounds that lost a seq conflict first say so.
      const rounds = (await a.rounds(1000)).sort((x, y) => x.firstSeq - y.firstSeq);
      expect(rounds[0]!.firstSeq).toBe(1);
      for (let i = 1; i < rounds.length; i++) expect(rounds[i]!.firstSeq).toBe(rounds[i - 1]!.lastSeq + 1);
      expect(rounds.at(-1)!.lastSeq).toBe(a.state.seq);
      expect(rounds.some((r) => r.retries > 0)).toBe(true);
      // c heard about every entry, its own and a's, in seq order.
      const seqs = seenByC.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(a.state.seq - 2);
    } finally {
      await Promise.all([a.close(), c.close()]);
    }
  });
});
