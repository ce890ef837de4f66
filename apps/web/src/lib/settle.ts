import type { QueryClient } from '@tanstack/react-query';

/**
 * Resolves when no query is fetching, or after `capMs`, whichever is first. The console's first
 * render waits for the requests its route sent (the principal, the page's main reads): the page is
 * then rendered once, whole, instead of as skeletons and again for every answer that arrives.
 * A read prefetched with `meta: { firstPaint: false }` is not waited for: the page draws its frame
 * first and that read's part when it comes (the trace's entries, the largest and slowest answer).
 */
export function settle(qc: QueryClient, capMs: number): Promise<void> {
  return new Promise((resolve) => {
    const busy = () => qc.isFetching({ predicate: (q) => q.meta?.firstPaint !== false }) > 0;
    if (!busy()) return resolve();
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, capMs);
    const unsubscribe = qc.getQueryCache().subscribe(() => {
      if (!busy()) done();
    });
  });
}
