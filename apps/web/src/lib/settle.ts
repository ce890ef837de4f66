import type { QueryClient } from '@tanstack/react-query';

/**
 * Resolves when no query is fetching, or after `capMs`, whichever is first. The console's first
 * render waits for the requests its route sent (the principal, the page's main reads): the page is
 * then rendered once, whole, instead of as skeletons and again for every answer that arrives.
 */
export function settle(qc: QueryClient, capMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (qc.isFetching() === 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, capMs);
    const unsubscribe = qc.getQueryCache().subscribe(() => {
      if (qc.isFetching() === 0) done();
    });
  });
}
