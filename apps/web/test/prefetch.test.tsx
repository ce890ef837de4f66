import { QueryClient } from '@tanstack/react-query';
import { createMemoryHistory } from '@tanstack/react-router';
import { describe, expect, it } from 'vitest';
import { qk } from '../src/api/keys';
import { createAppRouter } from '../src/routes';
import { mockApi, vhm } from './helpers';

// A detail page's main request is sent when its route matches (the router's loader), alongside the
// page's code-split chunk, not after the chunk has arrived and the view has mounted.

function load(path: string) {
  const qc = new QueryClient();
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }), qc);
  return { qc, done: router.load() };
}

describe('route prefetch', () => {
  it('asks for the VHM when /vhms/$id matches, before any view renders', async () => {
    const { calls } = mockApi({ 'GET /v1/vhms/vhm-1': vhm(1) });
    sessionStorage.setItem('xdv.token', 'xdv_test');
    const { qc, done } = load('/vhms/vhm-1');
    await done;
    await expect.poll(() => qc.getQueryData(qk.vhm('vhm-1'))).toMatchObject({ id: 'vhm-1' });
    expect(calls.map((c) => c.url)).toContain('/v1/vhms/vhm-1');
    // And what its head and first panels show.
    const paths = calls.map((c) => c.url.split('?')[0]);
    for (const p of [
      '/v1/vhms/vhm-1/capabilities',
      '/v1/contracts',
      '/v1/bindings',
      '/v1/tenants',
      '/v1/providers',
    ])
      expect(paths).toContain(p);
  });

  it('asks who the session is first, before the page request', async () => {
    const { calls } = mockApi({
      'GET /v1/me': { token: { id: 'tok-1', kind: 'operator', tenant: null, role: null } },
      'GET /v1/vhms/vhm-1': vhm(1),
    });
    sessionStorage.setItem('xdv.token', 'xdv_test');
    const { qc, done } = load('/vhms/vhm-1');
    await done;
    await expect.poll(() => qc.getQueryData(qk.me())).toBeDefined();
    expect(calls.map((c) => c.url).slice(0, 3)).toEqual(['/v1/me', '/v1/clock', '/v1/vhms/vhm-1']);
  });

  it('asks for the clock while replaying too: the replay banner shows the live L from the first render', async () => {
    const { calls } = mockApi({});
    sessionStorage.setItem('xdv.token', 'xdv_test');
    await load('/replay?at=3').done;
    await expect.poll(() => calls.map((c) => c.url)).toEqual(expect.arrayContaining(['/v1/me', '/v1/clock']));
  });

  it('at a replay L, asks for the state replayed to it on every page, and the live head on /replay', async () => {
    const { calls } = mockApi({});
    sessionStorage.setItem('xdv.token', 'xdv_test');
    await load('/vhms?at=7').done;
    await expect.poll(() => calls.map((c) => c.url)).toContain('/v1/replay/state?l=7');
    await load('/replay?at=3').done;
    await expect
      .poll(() => calls.map((c) => c.url))
      .toEqual(expect.arrayContaining(['/v1/replay/state?l=3', '/v1/overview']));
    // Live, no replayed state is read.
    calls.length = 0;
    await load('/vhms').done;
    await expect.poll(() => calls.some((c) => c.url.startsWith('/v1/vhms'))).toBe(true);
    expect(calls.some((c) => c.url.startsWith('/v1/replay'))).toBe(false);
  });

  it('asks for the overview, attention list and alert groups when / matches, and the VHMs for /vhms', async () => {
    const { calls } = mockApi({});
    sessionStorage.setItem('xdv.token', 'xdv_test');
    await load('/').done;
    await expect
      .poll(() => calls.map((c) => c.url))
      .toEqual(expect.arrayContaining(['/v1/me', '/v1/overview', '/v1/attention', '/v1/alerts/groups']));
    await load('/vhms').done;
    await expect.poll(() => calls.some((c) => c.url.startsWith('/v1/vhms'))).toBe(true);
  });

  it('sends nothing while replaying an earlier L, or when signed out', async () => {
    const { calls } = mockApi({ 'GET /v1/vhms/vhm-1': vhm(1) });
    sessionStorage.setItem('xdv.token', 'xdv_test');
    await load('/vhms/vhm-1?at=3').done;
    sessionStorage.removeItem('xdv.token');
    await load('/vhms/vhm-1').done;
    expect(calls.filter((c) => c.url.startsWith('/v1/vhms/'))).toEqual([]);
    // Signed out, not even the principal is asked for.
    expect(calls.filter((c) => c.url === '/v1/me')).toHaveLength(1);
  });
});
