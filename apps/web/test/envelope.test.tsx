import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Binding, Contract } from '@xdv/core';
import { describe, expect, it } from 'vitest';
import VhmDetail from '../src/views/vhm/VhmDetail';
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

describe('wall-clock estimates in the VHM detail', () => {
  const clock = (tickMs: number) => ({ 'GET /v1/clock': { l: 123, tickMs, ticking: tickMs > 0 } });
  const phiProvider = {
    id: 'provider-5',
    name: 'lumen',
    domain: 'PHI',
    attestation: 'attested',
  };

  it('the Φ window says how long it has left, from GET /v1/clock’s pace', async () => {
    mockApi({ ...routes(contract({}), binding({})), ...clock(1000) });
    renderWithClient(<VhmDetail id="vhm-1" />);
    const win = await screen.findByRole('img', {
      name: /current L 123; open: 358 ticks remain \(≈ 6 min\)$/,
    });
    expect(within(win.closest('figure')!).getByText(/ticks remain/).textContent).toBe(
      'open: 358 ticks remain (≈ 6 min)',
    );
    // The contract row gives the window's length, the header how long ago the VHM was created.
    expect(screen.getByText(/^window \[81, 481\)/).textContent).toContain('(≈ 7 min)');
    expect(screen.getByText(/created at/).textContent).toContain('L 1 (≈ 2 min ago)');
  });

  it('the allocation form starts the Φ window at the current L (+ ~5 s) and follows L until one is typed', async () => {
    const r = {
      ...routes(contract({}), binding({})),
      ...clock(1000),
      'GET /v1/providers': page([phiProvider]),
    };
    mockApi(r);
    const { qc } = renderWithClient(<VhmDetail id="vhm-1" />);
    const open = await screen.findByRole('button', { name: 'Allocate contract' });
    await waitFor(() => expect((open as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(open);
    const d = await screen.findByRole('dialog');
    fireEvent.change(within(d).getByLabelText('Domain'), { target: { value: 'PHI' } });
    const start = within(d).getByLabelText('Window start (L)') as HTMLInputElement;
    expect(start.value).toBe('128');
    expect(start.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(start.getAttribute('aria-describedby')!)!.textContent).toBe(
      'current L + margin; opens in 5 ticks (in ≈ 5 s)',
    );
    const duration = within(d).getByLabelText('Window duration (ticks)') as HTMLInputElement;
    expect(document.getElementById(duration.getAttribute('aria-describedby')!)!.textContent).toBe(
      'lasts ≈ 2 min',
    );
    fireEvent.change(duration, { target: { value: '3600' } });
    expect(document.getElementById(duration.getAttribute('aria-describedby')!)!.textContent).toBe(
      'lasts ≈ 1 h',
    );
    // L moves on (the stream patches the overview): the default start moves with it.
    qc.setQueryData(['overview'], (o: object) => ({ ...o, l: 140 }));
    await waitFor(() => expect(start.value).toBe('145'));
    // A typed start stays put; its estimate says it has already opened.
    fireEvent.change(start, { target: { value: '130' } });
    expect(start.value).toBe('130');
    expect(document.getElementById(start.getAttribute('aria-describedby')!)!.textContent).toBe(
      'opened 10 ticks ago (≈ 10 s ago): the window is already partly over start at the current L',
    );
    fireEvent.click(within(d).getByRole('button', { name: 'start at the current L' }));
    expect(start.value).toBe('145');
  });

  it('with a manual clock the form starts the window now and makes up no estimate', async () => {
    mockApi({ ...routes(contract({}), binding({})), ...clock(0), 'GET /v1/providers': page([phiProvider]) });
    renderWithClient(<VhmDetail id="vhm-1" />);
    const win = await screen.findByRole('img', { name: /open: 358 ticks remain \(manual clock\)$/ });
    expect(win).toBeTruthy();
    const open = screen.getByRole('button', { name: 'Allocate contract' }) as HTMLButtonElement;
    await waitFor(() => expect(open.disabled).toBe(false));
    fireEvent.click(open);
    const d = await screen.findByRole('dialog');
    fireEvent.change(within(d).getByLabelText('Domain'), { target: { value: 'PHI' } });
    const start = within(d).getByLabelText('Window start (L)') as HTMLInputElement;
    expect(start.value).toBe('123');
    expect(document.getElementById(start.getAttribute('aria-describedby')!)!.textContent).toBe(
      'current L + margin; opens now',
    );
    const duration = within(d).getByLabelText('Window duration (ticks)');
    expect(document.getElementById(duration.getAttribute('aria-describedby')!)!.textContent).toBe(
      'manual clock',
    );
  });
});
