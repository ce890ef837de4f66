import { Ledger } from '@xdv/db';
import { afterAll, describe, expect, it } from 'vitest';
import { ClockSource } from '../src/clock.js';
import { pgUrl } from './harness.js';

// The clock source is the only thing that moves L in a running server. On one PostgreSQL exactly
// one process ticks (an advisory lock); when it goes, another takes over.

const open: Ledger[] = [];
afterAll(async () => {
  for (const l of open) await l.close().catch(() => {});
});

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('clock source', () => {
  it('ticks L every tickMs once started, and stops when stopped', async () => {
    const ledger = await Ledger.open({ databaseUrl: null });
    open.push(ledger);
    const clock = new ClockSource(ledger, 20);
    expect(clock.status).toEqual({ tickMs: 20, ticking: false });
    clock.start();
    await until(() => ledger.state.l >= 3);
    expect(clock.status.ticking).toBe(true);
    await clock.stop();
    const l = ledger.state.l;
    await new Promise((r) => setTimeout(r, 100));
    expect(ledger.state.l).toBe(l);
    // Every tick is a recorded clock.advance by the operator: replay stays deterministic.
    const ticks = (await ledger.entries({ type: 'clock.advance', limit: 1000 })).filter(
      (e) => e.outcome === 'accepted',
    );
    expect(ticks.length).toBe(l);
  });

  it('a manual clock (tickMs 0) never ticks by itself', async () => {
    const ledger = await Ledger.open({ databaseUrl: null });
    open.push(ledger);
    const clock = new ClockSource(ledger, 0);
    clock.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(ledger.state.l).toBe(0);
    await clock.stop();
  });

  it.skipIf(!pgUrl)(
    'on one PostgreSQL exactly one process ticks; another takes over when it stops',
    async () => {
      const schema = `clock_${process.pid}_${Date.now() % 100000}`;
      const a = await Ledger.open({ databaseUrl: pgUrl!, schema, followPollMs: 100 });
      open.push(a);
      const b = await Ledger.open({ databaseUrl: pgUrl!, schema, followPollMs: 100 });
      open.push(b);
      const ca = new ClockSource(a, 1000);
      const cb = new ClockSource(b, 1000);
      expect(await ca.tick()).toBe(true);
      expect(await cb.tick()).toBe(false);
      expect(await ca.tick()).toBe(true);
      expect(await cb.tick()).toBe(false);
      expect(ca.status.ticking).toBe(true);
      expect(cb.status.ticking).toBe(false);
      await ca.stop(); // the holder goes: its session, and the lock, end
      expect(await cb.tick()).toBe(true);
      expect(cb.status.ticking).toBe(true);
      await until(() => a.state.seq === b.state.seq, 5000);
      expect(b.state.l).toBe(3);
      await cb.stop();
    },
  );
});
