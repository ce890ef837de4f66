import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, startTransition } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ApiError } from './api/client';
import { prefetchMe } from './api/data';
import { settle } from './lib/settle';
import { applyTheme, storedTheme } from './lib/theme';
import { createAppRouter } from './routes';
import './styles.css';

applyTheme(storedTheme());

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
// /v1/me at once, not after the first render: the shell is hidden until it answers.
prefetchMe(qc);

// Let the browser paint the static shell of index.html first (a frame, then a task after it): the
// first paint then never waits for the first render of the console, whatever the script's timing.
await new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

// The route first: its chunk, and the requests its loaders send (the principal's was sent above).
// The static shell stays while they are answered (1.5 s at most), then the page renders once with
// its data, in a transition, so React renders it in slices instead of one long task; rendering
// skeletons first re-rendered it synchronously for every answer that arrived.
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
