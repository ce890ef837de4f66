import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { admin, emptyOverview, mockApi, page, renderApp, renderWithClient } from './helpers';

// Code-split views: each route shows its own view, whether its chunk was fetched ahead (the page
// the console opens on) or on the way (client-side navigation from another split view).

describe('code-split views', () => {
  it('navigating from one split view to another shows the other', async () => {
    mockApi({
      'GET /v1/me': admin,
      'GET /v1/overview': emptyOverview,
      'GET /v1/trace': { items: [], head: { seq: 0, hash: '', l: 0 }, nextAfter: null },
      'GET /v1/compliance': { present: false, path: '/x/cts-report.json', signature: null, report: null },
      'GET /v1/vhms': page([]),
    });
    sessionStorage.setItem('xdv.token', 'xdv_test');
    const { router } = renderApp('/trace');
    expect(await screen.findByRole('heading', { level: 1, name: 'Trace' })).toBeTruthy();
    await act(() => router.navigate({ to: '/compliance' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Compliance' })).toBeTruthy();
    expect(screen.queryByRole('heading', { level: 1, name: 'Trace' })).toBeNull();
    await act(() => router.navigate({ to: '/trace' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Trace' })).toBeTruthy();
  });
});

describe('the top bar', () => {
  const routes = (tickMs: number) => ({
    'GET /v1/me': admin,
    'GET /v1/overview': { ...emptyOverview, l: 1234 },
    'GET /v1/clock': { l: 1230, tickMs, ticking: tickMs > 0 },
    'GET /v1/vhms': page([]),
  });

  it('shows the live L and the pace of the clock', async () => {
    mockApi(routes(1000));
    sessionStorage.setItem('xdv.token', 'xdv_test');
    renderApp();
    const clock = await screen.findByTitle(/^Logical time L/);
    await waitFor(() => expect(clock.textContent).toBe('L 1,234 · 1 tick ≈ 1 s'));
  });

  it('says "manual clock" when only an operator ticks', async () => {
    mockApi(routes(0));
    sessionStorage.setItem('xdv.token', 'xdv_test');
    renderApp();
    const clock = await screen.findByTitle(/^Logical time L/);
    await waitFor(() => expect(clock.textContent).toBe('L 1,234 · manual clock'));
  });

  it('the NOT LIVE banner says how long ago the replayed L was', async () => {
    mockApi({
      ...routes(1000),
      'GET /v1/replay/state': { l: 1114, live: false, seq: 3, summary: {}, state: {} },
    });
    sessionStorage.setItem('xdv.token', 'xdv_test');
    renderApp('/replay?at=1114');
    const banner = await screen.findByText('NOT LIVE');
    await waitFor(() =>
      expect(banner.parentElement!.textContent).toContain(
        'showing the state at logical time L 1114 (≈ 2 min ago) (replayed',
      ),
    );
  });
});

describe('honest status', () => {
  it('the badge is red when requests cannot reach the server, amber when it is not ready', async () => {
    const { liveBadge } = await import('../src/api/health');
    expect(liveBadge('live', 'ok', { ready: true, reason: null }).tone).toBe('live');
    expect(liveBadge('live', 'down', { ready: true, reason: null })).toMatchObject({
      tone: 'offline',
      label: 'Offline',
    });
    expect(liveBadge('offline', 'ok', undefined).tone).toBe('offline');
    expect(
      liveBadge('live', 'ok', { ready: false, reason: 'The server is not ready (starting).' }),
    ).toMatchObject({
      tone: 'degraded',
      why: 'The server is not ready (starting).',
    });
    expect(liveBadge('live', 'error', { ready: true, reason: null }).tone).toBe('degraded');
  });

  it('turns the top bar badge to Offline once a request finds the server unreachable', async () => {
    mockApi({ 'GET /v1/me': admin, 'GET /v1/overview': emptyOverview, 'GET /v1/vhms': page([]) });
    sessionStorage.setItem('xdv.token', 'xdv_test');
    renderApp('/vhms');
    await screen.findByRole('heading', { level: 1, name: 'VHMs' });
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    const { get } = await import('../src/api/client');
    await get('/v1/vhms').catch(() => {});
    await waitFor(() => {
      const badge = document.querySelector('.live')!;
      expect(badge.textContent).toContain('Offline');
      expect(badge.getAttribute('aria-label')).toMatch(
        /^Live updates: Offline\. The server cannot be reached/,
      );
    });
  });

  it('a page whose code cannot be downloaded shows Reload instead of a blank console', async () => {
    const { ViewError } = await import('../src/shell/ViewError');
    renderWithClient(
      <ViewError
        error={new TypeError('Failed to fetch dynamically imported module: /assets/Trace-x.js')}
        reset={() => {}}
      />,
    );
    expect(screen.getByRole('heading', { level: 1, name: 'This page could not be loaded' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Reload' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Go to the overview' })).toBeTruthy();
  });

  it('an error panel offers Retry, which sends the request again', async () => {
    let n = 0;
    mockApi({
      'GET /v1/me': admin,
      'GET /v1/overview': emptyOverview,
      'GET /v1/vhms': () =>
        ++n === 1
          ? new Response(JSON.stringify({ code: 'HV_UNAVAILABLE', detail: 'try later' }), {
              status: 503,
              headers: { 'content-type': 'application/problem+json' },
            })
          : page([]),
    });
    sessionStorage.setItem('xdv.token', 'xdv_test');
    renderApp('/vhms');
    fireEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    await screen.findByText(/No VHMs yet/);
    expect(n).toBe(2);
  });

  it('a tenant is never shown a server path or an npm command on the compliance page', async () => {
    mockApi({
      'GET /v1/me': admin,
      'GET /v1/overview': emptyOverview,
      'GET /v1/compliance': {
        present: false,
        path: '/srv/xdv/cts-report.json',
        writtenAt: null,
        signature: null,
        report: null,
      },
    });
    sessionStorage.setItem('xdv.token', 'xdv_test');
    renderApp('/compliance');
    await screen.findByText('No conformance report has been published for this installation yet.');
    expect(document.body.textContent).not.toContain('/srv/xdv');
    expect(document.body.textContent).not.toContain('npm');
  });
});
