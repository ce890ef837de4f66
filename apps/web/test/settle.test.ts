import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { settle } from '../src/lib/settle';

// The console's first render waits for the requests its route sent, at most a cap.

describe('settle', () => {
  it('resolves at once when nothing is fetching', async () => {
    const qc = new QueryClient();
    const t0 = Date.now();
    await settle(qc, 10_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('waits for every request in flight, then resolves', async () => {
    const qc = new QueryClient();
    const answers: Array<() => void> = [];
    const slow = (k: string) =>
      void qc.prefetchQuery({
        queryKey: [k],
        queryFn: () => new Promise<string>((r) => answers.push(() => r(k))),
      });
    slow('a');
    slow('b');
    let settled = false;
    const done = settle(qc, 10_000).then(() => {
      settled = true;
    });
    answers[0]!();
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    answers[1]!();
    await done;
    expect(qc.getQueryData(['a'])).toBe('a');
    expect(qc.getQueryData(['b'])).toBe('b');
  });

  it('gives up waiting at the cap: a hung request does not keep the console from rendering', async () => {
    const qc = new QueryClient();
    void qc.prefetchQuery({ queryKey: ['hung'], queryFn: () => new Promise<never>(() => {}) });
    await settle(qc, 50);
    expect(qc.isFetching()).toBe(1);
  });

  it('does not wait for a read marked as not needed for the first paint (the trace page)', async () => {
    const qc = new QueryClient();
    void qc.prefetchQuery({
      queryKey: ['later'],
      queryFn: () => new Promise<never>(() => {}),
      meta: { firstPaint: false },
    });
    const t0 = Date.now();
    await settle(qc, 10_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(qc.isFetching()).toBe(1);
  });
});
