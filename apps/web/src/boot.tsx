import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, startTransition } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ApiError } from './api/client';
import { settle } from './lib/settle';
import { nextTask } from './lib/yield';
import { createAppRouter } from './routes';

/**
 * Starts the console in the page: the route first (its chunk, and the requests its loaders send,
 * the principal's among them), then one render of the page with its data.
 */
export async function boot(): Promise<void> {
  const qc = new QueryClient({
    defaultOptions: {
      queries: {
        // Fresh data comes from the SSE stream; no interval polling, no refetch on focus.
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (n, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2,
      },
    },
  });
  const router = createAppRouter(undefined, qc);
  await nextTask();
  // The static shell stays while the route's requests are answered (1.5 s at most), then the page
  // renders once with its data, in a transition, so React renders it in slices instead of one long
  // task; rendering skeletons first re-rendered it synchronously for every answer that arrived.
  await router.load().catch(() => {});
  await settle(qc, 1_500);
  const root = createRoot(document.getElementById('root')!);
  startTransition(() =>
    root.render(
      <StrictMode>
        <QueryClientProvider client={qc}>
          <App router={router} />
        </QueryClientProvider>
      </StrictMode>,
    ),
  );
}
