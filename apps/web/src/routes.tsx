import type { QueryClient, QueryKey } from '@tanstack/react-query';
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  type RouterHistory,
  retainSearchParams,
} from '@tanstack/react-router';
import { getToken } from './api/client';
import { fetchClock } from './api/clock';
import { fetchCluster } from './api/cluster';
import {
  fetchBindings,
  fetchCalibrations,
  fetchCapabilities,
  fetchContracts,
  fetchOverview,
  fetchProviders,
  fetchScheduler,
  fetchTenants,
  fetchVhm,
  fetchVhms,
  prefetchMe,
  replayStateQuery,
} from './api/data';
import { fetchFleet, fetchUsage } from './api/fleetHealth';
import { qk } from './api/keys';
import { fetchTail } from './api/traceCache';
import { fetchAlertGroups, fetchAttention } from './api/triage';
import { NotFound } from './shell/NotFound';
import { Root } from './shell/Root';
import { RouteSkeleton } from './shell/Skeleton';
import { ViewError } from './shell/ViewError';
import { Overview } from './views/Overview';

// The console's one route registry. Every page, its typed search params and its code-split chunk
// are declared here; links and navigation are checked against it at compile time.

const int = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
/** Drops the keys whose value is undefined, so the URL never carries `key=undefined`. */
function defined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export interface RootSearch {
  /** The logical time being inspected (replayed from the trace); absent = live. */
  at?: number;
}

/** What every route's loader sees: the query cache (null in tests that render without one). */
export interface RouterContext {
  qc: QueryClient | null;
}

/**
 * A route's main request, sent as soon as the route matches, alongside its code-split chunk rather
 * than after it: the view reads the same query key, so the answer is waiting when it mounts. Live
 * only (a replay L reads the replayed state) and only when signed in. Never awaited.
 */
function prefetch<T>(
  context: RouterContext,
  search: RootSearch,
  queryKey: QueryKey,
  queryFn: (signal: AbortSignal) => Promise<T>,
  staleTime?: number,
  /** false: the first render does not wait for this read (lib/settle.ts). */
  firstPaint = true,
): void {
  if (!context.qc || search.at !== undefined || !getToken()) return;
  void context.qc.prefetchQuery({
    queryKey,
    queryFn: ({ signal }) => queryFn(signal),
    ...(staleTime !== undefined ? { staleTime } : {}),
    ...(firstPaint ? {} : { meta: { firstPaint: false } }),
  });
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  validateSearch: (s: Record<string, unknown>): RootSearch => defined({ at: int(s.at) }),
  // The replay time follows every link until "Back to live" clears it.
  search: { middlewares: [retainSearchParams<RootSearch>(['at'])] },
  // The principal before any page's request (root loaders run first), and the clock every page's
  // top bar (and a replay's banner) shows, so neither changes size after the first render; live
  // or replaying. Any signed-in principal may read the clock. At a replay L, every page reads the
  // state replayed to it, so that is sent too (the page would otherwise grow when it answers).
  loader: ({ context: { qc }, location }) => {
    const search: RootSearch = location.search;
    if (!qc) return;
    prefetchMe(qc);
    if (!getToken()) return;
    void qc.prefetchQuery({ queryKey: qk.clock(), queryFn: ({ signal }) => fetchClock(signal) });
    if (search.at !== undefined) void qc.prefetchQuery(replayStateQuery(search.at));
  },
  component: Root,
  notFoundComponent: NotFound,
});

// The overview is in the entry (it is where the console opens); every other page is its own chunk.
const overviewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  component: Overview,
  loader: ({ context, location }) => {
    prefetch(context, location.search, qk.overview(), fetchOverview);
    prefetch(context, location.search, qk.attention(), fetchAttention);
    prefetch(context, location.search, qk.alertGroups(), fetchAlertGroups);
  },
});

export interface TreeSearch {
  q?: string;
  state?: string;
  tenant?: string;
}
const vhmsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/vhms',
  validateSearch: (s: Record<string, unknown>): TreeSearch =>
    defined({ q: str(s.q), state: str(s.state), tenant: str(s.tenant) }),
  loader: ({ context, location: { search } }) => {
    prefetch(context, search, qk.vhms(), fetchVhms);
    prefetch(context, search, qk.tenants(), fetchTenants);
    prefetch(context, search, qk.providers(), fetchProviders);
    prefetch(context, search, qk.contracts('all'), (s) => fetchContracts(undefined, s));
    prefetch(context, search, qk.bindings('all'), (s) => fetchBindings(undefined, s));
  },
}).lazy(() => import('./views/VhmTree').then((m) => m.route));

const vhmRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/vhms/$id',
  // The VHM and what its head and first panels show (capabilities, contracts, bindings, names).
  loader: ({ context, params: { id }, location: { search } }) => {
    prefetch(context, search, qk.vhm(id), (s) => fetchVhm(id, s));
    prefetch(context, search, qk.vhmCaps(id), (s) => fetchCapabilities(id, s));
    prefetch(context, search, qk.contracts(id), (s) => fetchContracts(id, s));
    prefetch(context, search, qk.bindings(id), (s) => fetchBindings(id, s));
    prefetch(context, search, qk.tenants(), fetchTenants);
    prefetch(context, search, qk.providers(), fetchProviders);
  },
}).lazy(() => import('./views/vhm/VhmDetail').then((m) => m.route));

const providersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/providers',
  loader: ({ context, location }) => prefetch(context, location.search, qk.fleet(), fetchFleet),
}).lazy(() => import('./views/ProviderList').then((m) => m.route));
const providerRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/providers/$id',
  loader: ({ context, params: { id }, location: { search } }) => {
    prefetch(context, search, qk.providers(), fetchProviders);
    prefetch(context, search, qk.providerUsage(id), (s) => fetchUsage(id, s));
    prefetch(context, search, qk.calibrations(), fetchCalibrations);
  },
}).lazy(() => import('./views/Providers').then((m) => m.detailRoute));

const schedulerRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/scheduler',
  loader: ({ context, location: { search } }) => {
    prefetch(context, search, qk.scheduler(), fetchScheduler);
    prefetch(context, search, qk.vhms(), fetchVhms);
  },
}).lazy(() => import('./views/Scheduler').then((m) => m.route));

export interface TraceSearch {
  /** The selected entry. */
  seq?: number;
  /** Entry kinds the history hides, comma-separated (see lib/traceGroups.ts HIDEABLE). */
  hide?: string;
}
const traceRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/trace',
  validateSearch: (s: Record<string, unknown>): TraceSearch =>
    defined({ seq: int(s.seq), hide: str(s.hide) }),
  // The newest page, read once: the stream appends to it (never stale, as in the view). The page
  // does not wait for it to draw (firstPaint: false): its rows are added below the rest.
  loader: ({ context, location }) => {
    const { qc } = context;
    if (qc)
      prefetch(
        context,
        location.search,
        qk.traceTail(),
        (s) => fetchTail(qc, s),
        Number.POSITIVE_INFINITY,
        false,
      );
  },
}).lazy(() => import('./views/Trace').then((m) => m.route));

const replayRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/replay',
  // The live head bounds the slider, whatever L is being inspected.
  loader: ({ context: { qc } }) => {
    if (qc && getToken())
      void qc.prefetchQuery({ queryKey: qk.overview(), queryFn: ({ signal }) => fetchOverview(signal) });
  },
}).lazy(() => import('./views/Replay').then((m) => m.route));
const clusterRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/cluster',
  loader: ({ context, location }) => prefetch(context, location.search, qk.cluster(), fetchCluster),
}).lazy(() => import('./views/Cluster').then((m) => m.route));
const complianceRoute = createRoute({ getParentRoute: () => rootRoute, path: '/compliance' }).lazy(() =>
  import('./views/Compliance').then((m) => m.route),
);
const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin',
  loader: ({ context, location }) => prefetch(context, location.search, qk.tenants(), fetchTenants),
}).lazy(() => import('./views/Admin').then((m) => m.route));

export const routeTree = rootRoute.addChildren([
  overviewRoute,
  vhmsRoute,
  vhmRoute,
  providersRoute,
  providerRoute,
  schedulerRoute,
  traceRoute,
  replayRoute,
  clusterRoute,
  complianceRoute,
  adminRoute,
]);

export function createAppRouter(history?: RouterHistory, qc: QueryClient | null = null) {
  return createRouter({
    routeTree,
    context: { qc },
    ...(history ? { history } : {}),
    // A link's chunk is fetched when the pointer rests on it or it is focused.
    defaultPreload: 'intent',
    // Data lives in TanStack Query, kept fresh by the stream; the router caches nothing itself.
    defaultPreloadStaleTime: 0,
    defaultPendingComponent: RouteSkeleton,
    defaultErrorComponent: ViewError,
    defaultNotFoundComponent: NotFound,
  });
}

export type AppRouter = ReturnType<typeof createAppRouter>;

declare module '@tanstack/react-router' {
  interface Register {
    router: AppRouter;
  }
}
