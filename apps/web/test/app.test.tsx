import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App, preloadView } from '../src/App';
import { navigate } from '../src/lib/router';
import { admin, emptyOverview, mockApi, page, renderWithClient } from './helpers';

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
    window.history.replaceState(null, '', '/trace');
    preloadView('/trace');
    renderWithClient(<App />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Trace' })).toBeTruthy();
    act(() => navigate('/compliance'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Compliance' })).toBeTruthy();
    expect(screen.queryByRole('heading', { level: 1, name: 'Trace' })).toBeNull();
    act(() => navigate('/trace'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Trace' })).toBeTruthy();
  });
});
