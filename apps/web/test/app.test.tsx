import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { admin, emptyOverview, mockApi, page, renderApp } from './helpers';

// Code-split views: each route shows its own view, whether its chunk was fetched ahead (the page
// the console opens on) or on the way (client-side navigation from another split view).

describe('code-split views', () => {
  it('navigating from one split view to another shows the other', async () => {
    mockApi({
      'GET /v1/me': admin,
      'GET /v1/overview': emptyOverview,
      'GET /v1/trace': { items: [], nextAfter: null },
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
