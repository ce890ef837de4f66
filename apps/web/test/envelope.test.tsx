import { screen, within } from '@testing-library/react';
import type { Binding, Contract } from '@xdv/core';
import { describe, expect, it } from 'vitest';
import VhmDetail from '../src/views/VhmDetail';
import { admin, cap, detailRoutes, mockApi, page, renderWithClient } from './helpers';

// The VHM detail view draws a Φ envelope that a stability breach terminated as terminated on the
// coherence-window timeline (with the L it ended), even while the L is still inside its window.

const contract = (over: Partial<Contract>): Contract => ({
  id: 'contract-9',
  vhm: 'vhm-1',
  tenant: 'tenant-1',
  domain: 'PHI',
  provider: 'provider-5',
  status: 'active',
  k: null,
  q: null,
  phi: { start: 81, duration: 400, tolerance: 6000 },
  consumed: 0,
  reason: null,
  issuedL: 77,
  endedL: null,
  binding: 'binding-9',
  ...over,
});

const binding = (over: Partial<Binding>): Binding => ({
  id: 'binding-9',
  vhm: 'vhm-1',
  contract: 'contract-9',
  domain: 'PHI',
  state: 'active',
  capability: 'cap-1',
  container: null,
  envelope: 'env-1',
  history: [
    ['requested', 79],
    ['validated', 80],
    ['active', 81],
  ],
  ...over,
});

function routes(c: Contract, b: Binding) {
  const base = detailRoutes(admin, [cap('cap-1', 'vhm-1', ['ALLOC_PHI', 'EXECUTE_PHI'])]);
  return {
    ...base,
    'GET /v1/overview': { ...base['GET /v1/overview'], l: 123 },
    'GET /v1/contracts': page([c]),
    'GET /v1/bindings': page([b]),
    'GET /v1/providers/provider-5/series': {
      provider: 'provider-5',
      thresholds: {},
      series: [{ subject: 'env-1', metric: 'stability', samples: [{ l: 104, v: 2528 }] }],
    },
  };
}

describe('Φ envelope in the VHM detail', () => {
  it('a live envelope inside its window is open', async () => {
    mockApi(routes(contract({}), binding({})));
    renderWithClient(<VhmDetail id="vhm-1" />);
    const win = await screen.findByRole('img', {
      name: /^Coherence window from L 81 to L 481; current L 123; open/,
    });
    expect(win.querySelector('.win-open')).not.toBeNull();
  });

  it('a terminated envelope is shown as terminated at the L it ended, not as open', async () => {
    mockApi(
      routes(
        contract({ status: 'revoked', endedL: 105, reason: 'PHI_ERR_STABILITY_BREACH' }),
        binding({
          state: 'released',
          history: [
            ['requested', 79],
            ['validated', 80],
            ['active', 81],
            ['released', 105],
          ],
        }),
      ),
    );
    renderWithClient(<VhmDetail id="vhm-1" />);
    const win = await screen.findByRole('img', {
      name: 'Coherence window from L 81 to L 481; current L 123; terminated at L 105 (PHI_ERR_STABILITY_BREACH)',
    });
    expect(win.querySelector('.win-open')).toBeNull();
    const figure = win.closest('figure')!;
    expect(within(figure).queryByText(/ticks remain/)).toBeNull();
    expect(within(figure).getByText('terminated at L 105 (PHI_ERR_STABILITY_BREACH)')).toBeTruthy();
    // No action on an ended envelope.
    expect(screen.queryByRole('button', { name: 'Apply Φ transform' })).toBeNull();
  });
});
