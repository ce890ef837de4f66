import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { admin, emptyOverview, mockApi, page, renderApp } from './helpers';

// Quantities in the unit a person reads (GiB), the exact byte count only on hover (issue 15 §3).

const provider = {
  id: 'prov-1',
  name: 'kvm-a',
  domain: 'K',
  attestation: 'attested',
  health: 'ok',
  capacity: { memory: 8 * 1024 ** 3, cpu: 16, qubits: 0, envelopes: 0 },
  allocated: { memory: 4_831_838_208, cpu: 4, qubits: 0, envelopes: 0 },
};

describe('memory on the overview provider cards', () => {
  it('shows GiB, with the exact bytes in the title only', async () => {
    mockApi({
      'GET /v1/me': admin,
      'GET /v1/overview': { ...emptyOverview, providers: [provider] },
      'GET /v1/attention': { l: 5, items: [] },
      'GET /v1/vhms': page([]),
    });
    sessionStorage.setItem('xdv.token', 'xdv_test');
    renderApp('/');
    const card = await screen.findByRole('article', { name: 'Provider kvm-a' });
    expect(card.textContent).toContain('4.5 GiB / 8 GiB');
    expect(card.textContent).not.toMatch(/4,831,838,208|4831838208/);
    const figure = within(card).getByText('4.5 GiB / 8 GiB');
    expect(figure.getAttribute('title')).toBe('4,831,838,208 bytes of 8,589,934,592 bytes');
  });
});

describe('the overview without layout shift', () => {
  it('draws the attention strip and the grid together, not the grid first', async () => {
    const { calls, fetchMock } = mockApi({
      'GET /v1/me': admin,
      'GET /v1/overview': emptyOverview,
      'GET /v1/attention': { l: 5, items: [] },
      'GET /v1/vhms': page([]),
    });
    const answer = fetchMock.getMockImplementation()!;
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    fetchMock.mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.includes('/v1/attention')) await gate;
      return answer(input, init);
    });
    sessionStorage.setItem('xdv.token', 'xdv_test');
    renderApp('/');
    await waitFor(() => expect(calls.some((c) => c.url.startsWith('/v1/overview'))).toBe(true));
    await new Promise((r) => setTimeout(r, 300));
    expect(screen.queryByRole('heading', { name: 'VHMs by state' })).toBeNull();
    release();
    expect(await screen.findByRole('heading', { name: 'VHMs by state' })).toBeTruthy();
    expect(screen.getByRole('region', { name: /Needs attention/ })).toBeTruthy();
  });
});
