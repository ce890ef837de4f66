import { applyTheme, storedTheme } from './lib/theme';
import { nextTask } from './lib/yield';
import './styles.css';
// Used by the shared components of every page (badges, attention, alerts): inlined with the entry's
// CSS, so no page's first render waits for a stylesheet's round trip (a code-split chunk's CSS is
// fetched when the chunk is imported, and the import waits for it).
import './triage.css';

// The entry is small on purpose. Evaluating the console's code (React DOM, the router, the query
// cache, the pages) is tens of milliseconds of main-thread work; done as one task it blocks input
// on a slow phone, so it is split into tasks, each yielding to the browser before the next. The
// chunks themselves are fetched at once: index.html preloads them (vite.config.ts).

applyTheme(storedTheme());

// The static shell of index.html is painted first (a frame, then a task after it): the first paint
// never waits for the console's code, whatever the script's timing.
await new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
await import('react-dom/client');
await nextTask();
const { boot } = await import('./boot');
await nextTask();
await boot();
