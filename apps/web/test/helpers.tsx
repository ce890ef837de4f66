import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import {
  createMemoryHistory,
  createRootRoute,
  createRouter,
  RouterContextProvider,
} from '@tanstack/react-router';
import { render } from '@testing-library/react';
import type { Capability, Vhm } from '@xdv/core';
import type { ReactNode } from 'react';
import { vi } from 'vitest';
import { App } from '../src/App';
import type { Me } from '../src/api/types';
import { type AppRouter, createAppRouter } from '../src/routes';

export function vhm(n: number, over: Partial<Vhm> = {}): Vhm {
  const z = { vhms: 0, memory: 0, cpu: 0, qubits: 0, envelopes: 0 };
  return {
    id: `vhm-${n}`,
    tenant: 'tenant-1',
    name: `vm-${n}`,
    parent: null,
    depth: 0,
    state: 'active',
    quota: { vhms: 2, memory: 4096, cpu: 4, qubits: 4, envelopes: 1 },
    used: z,
    carved: z,
    children: [],
    processes: [],
    capabilities: [],
    contracts: [],
    bindings: [],
    sched: { weight: 1, maxQueued: 8, vtime: 0 },
    host: null,
    createdL: 1,
    faultCount: 0,
    ...over,
  };
}

export function cap(
  id: string,
  vhmId: string,
  rights: Capability['rights'],
  over: Partial<Capability> = {},
): Capability {
  return { id, vhm: vhmId, parent: null, rights, children: [], revoked: false, issuedL: 1, ...over };
}

export interface Call {
  method: string;
  url: string;
  body: unknown;
  headers: Record<string, string>;
}

/** A URL on the page's origin as the console wrote it: path and query. */
function relative(url: string): string {
  const u = new URL(url, window.location.origin);
  return u.origin === window.location.origin ? u.pathname + u.search : url;
}

/** A mocked API boundary: routes (method + path without query) to JSON bodies, records every call. */
export function mockApi(routes: Record<string, unknown | ((c: Call) => unknown)>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    // openapi-fetch (api()) passes a Request; the event stream passes (url, init).
    const req = input instanceof Request ? input : null;
    const url = relative(req ? req.url : String(input));
    const method = req ? req.method : (init?.method ?? 'GET');
    const text = req ? await req.clone().text() : init?.body ? String(init.body) : '';
    const body = text ? JSON.parse(text) : undefined;
    const headers = req
      ? Object.fromEntries(req.headers)
      : Object.fromEntries(
          Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [
            k.toLowerCase(),
            v,
          ]),
        );
    const call = { method, url, body, headers };
    calls.push(call);
    const path = url.split('?')[0]!;
    const dry = url.includes('dryRun=true');
    const key = [`${method} ${path}${dry ? ' dry' : ''}`, `${method} ${path}`].find((k) => k in routes);
    if (!key)
      return new Response(
        JSON.stringify({ code: 'HV_ROUTE_NOT_FOUND', detail: `no mock for ${method} ${url}` }),
        {
          status: 404,
          headers: { 'content-type': 'application/problem+json' },
        },
      );
    const r = routes[key];
    const value = typeof r === 'function' ? (r as (c: Call) => unknown)(call) : r;
    if (value instanceof Response) return value;
    return new Response(JSON.stringify(value), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

const testClient = () =>
  new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Number.POSITIVE_INFINITY } } });

/**
 * The component inside a router context at `path` (links and search params need one). Only the
 * context is provided, not the route matching, so the component renders at once as it would
 * inside the console.
 */
export function inRouter(ui: ReactNode, path = '/', router = testRouter(path)) {
  return <RouterContextProvider router={router}>{ui}</RouterContextProvider>;
}

/** A router with no pages at `path`, in memory: what a test reads its location from. */
export function testRouter(path = '/'): AppRouter {
  const router = createRouter({
    routeTree: createRootRoute(),
    history: createMemoryHistory({ initialEntries: [path] }),
  });
  return router as unknown as AppRouter;
}

/** A component under test inside a query client and a router context (`rerender` keeps both). */
export function renderWithClient(ui: ReactNode, path = '/') {
  const qc = testClient();
  const router = testRouter(path);
  const wrap = (x: ReactNode) => (
    <QueryClientProvider client={qc}>{inRouter(x, path, router)}</QueryClientProvider>
  );
  const r = render(wrap(ui));
  return { qc, router, ...r, rerender: (x: ReactNode) => r.rerender(wrap(x)) };
}

/** The whole console at `path`, with the real route registry (in memory, not the window's URL). */
export function renderApp(path = '/') {
  const qc = testClient();
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  const r = render(
    <QueryClientProvider client={qc}>
      <App router={router} />
    </QueryClientProvider>,
  );
  return { qc, router, ...r };
}

export const page = <T,>(items: T[]) => ({ items, nextCursor: null });

/** A tenant admin of tenant-1 (acme). */
export const admin: Me = {
  token: {
    id: 'tok-1',
    kind: 'tenant',
    tenant: 'tenant-1',
    role: 'admin',
    provider: null,
    label: 'a',
    revoked: false,
    createdAt: '2026-11-20T10:00:00.000Z',
    lastUsedAt: null,
    expiresAt: null,
  },
  tenantName: 'acme',
};
/** An overview with nothing in it yet. */
export const emptyOverview = {
  l: 5,
  seq: 10,
  head: null,
  broken: null,
  vhmsByState: {},
  providers: [],
  conservation: { ok: true },
  invariants: { ok: true, violations: 0 },
  alerts: [],
  faults: [],
  tenants: [],
};

/** The API answers a VHM detail page needs: vhm-1 (web) of tenant-1 with the given capabilities. */
export function detailRoutes(me: Me, caps: ReturnType<typeof cap>[]) {
  const v = vhm(1, { name: 'web', capabilities: caps.map((c) => c.id) });
  return {
    'GET /v1/me': me,
    'GET /v1/vhms/vhm-1': v,
    'GET /v1/vhms/vhm-1/capabilities': page(caps),
    'GET /v1/vhms/vhm-1/processes': page([]),
    'GET /v1/vhms/vhm-1/snapshots': page([]),
    'GET /v1/contracts': page([]),
    'GET /v1/bindings': page([]),
    'GET /v1/vhms': page([v]),
    'GET /v1/migrations': page([]),
    'GET /v1/ipc': page([]),
    'GET /v1/providers': page([]),
    'GET /v1/calibrations': page([]),
    'GET /v1/overview': emptyOverview,
    'GET /v1/trace': { items: [], head: { seq: 10, hash: '', l: 5 }, nextAfter: null },
    'GET /v1/tenants': page([]),
  };
}
