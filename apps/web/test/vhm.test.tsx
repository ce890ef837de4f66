import { fireEvent, screen, within } from '@testing-library/react';
import type { Binding, Contract, Entry } from '@xdv/core';
import { describe, expect, it } from 'vitest';
import { liveSummaries } from '../src/lib/treeLive';
import { exactBytes, gib } from '../src/lib/units';
import VhmDetail from '../src/views/vhm/VhmDetail';
import { admin, cap, detailRoutes, emptyOverview, mockApi, page, renderWithClient, vhm } from './helpers';

function contract(n: number, over: Partial<Contract> = {}): Contract {
  return {
    id: `contract-${n}`,
    vhm: 'vhm-1',
    domain: 'Q',
    provider: 'provider-3',
    status: 'active',
    issuedL: 2,
    endedL: null,
    reason: null,
    binding: null,
    tenant: 'tenant-1',
    k: null,
    q: { qubits: 4, budget: 100, calibration: 'cal-1' },
    phi: null,
    consumed: 0,
    ...over,
  };
}

function binding(n: number, state: Binding['state']): Binding {
  return {
    id: `binding-${n}`,
    vhm: 'vhm-1',
    contract: `contract-${n}`,
    domain: 'Q',
    state,
    capability: 'cap-1',
    container: null,
    envelope: null,
    history: [['requested', 2]],
  };
}

const entry = (seq: number, over: Partial<Entry>): Entry => ({
  seq,
  l: seq,
  type: 'vhm.pause',
  tenant: 'tenant-1',
  vhm: 'vhm-1',
  domain: null,
  capability: null,
  contract: null,
  payload: {},
  outcome: 'accepted',
  prev: '',
  hash: '',
  text: '',
  ...over,
});

describe('the VHM page', () => {
  it('shows live contracts and bindings first, ended ones under a collapsed History', async () => {
    mockApi({
      ...detailRoutes(admin, [cap('cap-1', 'vhm-1', ['ALLOC_Q'])]),
      'GET /v1/contracts': page([
        contract(1),
        contract(2, { status: 'revoked', endedL: 9, reason: 'Q_ERR_DECOHERENCE_EXCEEDED' }),
        contract(3, { status: 'released', endedL: 7 }),
      ]),
      'GET /v1/bindings': page([binding(1, 'active'), binding(2, 'released')]),
    });
    renderWithClient(<VhmDetail id="vhm-1" />);
    const contracts = (await screen.findByRole('heading', { name: 'Resource contracts' })).closest(
      'section',
    )!;
    await within(contracts).findByText('contract-1');
    const history = within(contracts).getByText('History · 2 ended contracts').closest('details')!;
    expect(history.open).toBe(false);
    expect(within(history).getByText('contract-2')).toBeTruthy();
    expect(within(history).getByText('Q_ERR_DECOHERENCE_EXCEEDED')).toBeTruthy();
    // the live table does not list them
    expect(within(contracts.querySelector('table')!).queryByText('contract-2')).toBeNull();
    const bindings = (await screen.findByRole('heading', { name: /Domain bindings/ })).closest('section')!;
    const bh = within(bindings).getByText('History · 1 ended bindings').closest('details')!;
    expect(within(bh).getByText('binding-2')).toBeTruthy();
    expect(within(bindings).getAllByText('binding-1').length).toBe(1);
  });

  it('keeps an activity log: its entries newest first with actor, outcome and refusal code', async () => {
    mockApi({
      ...detailRoutes(admin, [cap('cap-1', 'vhm-1', ['ALLOC_Q'])]),
      'GET /v1/trace': {
        items: [
          entry(3, { payload: { actor: { kind: 'operator' } } }),
          entry(4, { type: 'vhm.paused', outcome: 'effect' }),
          entry(5, {
            type: 'vhm.resume',
            outcome: 'rejected',
            payload: { actor: { kind: 'tenant', tenant: 'tenant-1', role: 'admin' }, code: 'HV_BAD_STATE' },
          }),
        ],
        head: { seq: 10, hash: '', l: 5 },
        nextAfter: null,
      },
    });
    renderWithClient(<VhmDetail id="vhm-1" />);
    const log = (await screen.findByRole('heading', { name: 'Activity' })).closest('section')!;
    await within(log).findByText('HV_BAD_STATE');
    const rows = within(log).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.querySelector('code')?.textContent)).toEqual([
      'vhm.resume',
      'vhm.paused',
      'vhm.pause',
    ]);
    expect(rows[0]!.textContent).toContain('acme admin');
    expect(rows[0]!.textContent).toContain('refused');
    expect(rows[2]!.textContent).toContain('operator');
    expect(rows[2]!.textContent).toContain('accepted');
    expect(within(log).queryByRole('button', { name: 'Show older' })).toBeNull();
  });

  it("reads the VHM's newest entries wherever they are in the trace, and older ones on request", async () => {
    const { calls } = mockApi({
      ...detailRoutes(admin, [cap('cap-1', 'vhm-1', ['ALLOC_Q'])]),
      'GET /v1/overview': { ...emptyOverview, seq: 50_000 },
      // 100 entries of this VHM far back in a long trace: the server filters, then limits.
      'GET /v1/trace': (c: { url: string }) => {
        const u = new URL(c.url, 'http://x');
        const before = Number(u.searchParams.get('before'));
        const limit = Number(u.searchParams.get('limit'));
        const all = Array.from({ length: 100 }, (_, i) => entry(1000 + i, {}));
        const below = all.filter((e) => e.seq < before);
        const items = below.slice(-limit);
        return {
          items,
          head: { seq: 50_000, hash: '', l: 5 },
          nextAfter: null,
          nextBefore: below.length > limit ? items[0]!.seq : null,
        };
      },
    });
    renderWithClient(<VhmDetail id="vhm-1" />);
    const log = (await screen.findByRole('heading', { name: 'Activity' })).closest('section')!;
    await within(log).findByText('#1099');
    const reads = calls.filter((c) => c.url.startsWith('/v1/trace?'));
    expect(reads.at(-1)!.url).toMatch(/before=\d+&limit=40&vhm=vhm-1/);
    expect(within(log).getAllByRole('row')).toHaveLength(41);
    expect(within(log).queryByText('#1059')).toBeNull();
    fireEvent.click(within(log).getByRole('button', { name: 'Show older' }));
    await within(log).findByText('#1020');
    expect(within(log).getAllByRole('row')).toHaveLength(81);
    fireEvent.click(within(log).getByRole('button', { name: 'Show older' }));
    await within(log).findByText('#1000');
    expect(within(log).queryByRole('button', { name: 'Show older' })).toBeNull();
    expect(within(log).getByText(/All 100 of this VHM's entries/)).toBeTruthy();
  });

  it('names the tenant and the host in the header, not their ids', async () => {
    mockApi({
      ...detailRoutes(admin, []),
      'GET /v1/vhms/vhm-1': vhm(1, { name: 'web', host: 'provider-1' }),
      'GET /v1/providers': page([{ id: 'provider-1', name: 'host-a', domain: 'K' }]),
    });
    renderWithClient(<VhmDetail id="vhm-1" />);
    await screen.findByRole('link', { name: 'host-a' });
    expect(screen.getByText(/tenant acme · host/)).toBeTruthy();
  });

  it('an unknown (or foreign) VHM has a heading and a way back to the list', async () => {
    mockApi({
      ...detailRoutes(admin, []),
      'GET /v1/vhms/vhm-9': new Response(JSON.stringify({ code: 'HV_NOT_FOUND', detail: 'no such VHM' }), {
        status: 404,
        headers: { 'content-type': 'application/problem+json' },
      }),
    });
    renderWithClient(<VhmDetail id="vhm-9" />);
    expect(await screen.findByRole('heading', { level: 1, name: 'No VHM vhm-9' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Back to the VHM list' }).getAttribute('href')).toBe('/vhms');
  });
});

describe('the tree’s live columns', () => {
  it('counts bindings not yet released and the lowest share of budget left among live Q contracts', () => {
    const m = liveSummaries(
      [
        contract(1, { consumed: 50 }),
        contract(2, { consumed: 12, q: { qubits: 2, budget: 20, calibration: 'c' } }),
        contract(3, { status: 'revoked', consumed: 100 }),
      ],
      [binding(1, 'active'), binding(2, 'requested'), binding(3, 'released')],
    );
    expect(m.get('vhm-1')).toEqual({
      bindings: 2,
      minBudget: { left: 8, budget: 20, contract: 'contract-2' },
    });
  });
});

describe('quantities', () => {
  it('memory in GiB with the exact bytes kept for hover', () => {
    expect(gib(4_831_838_208)).toBe('4.5 GiB');
    expect(gib(1 << 30)).toBe('1 GiB');
    expect(gib(64 * 1024 * 1024)).toBe('64 MiB');
    expect(exactBytes(4_831_838_208)).toBe('4,831,838,208 bytes');
  });
});

describe('Q calibration on the VHM page', () => {
  it('"Run Q job" is disabled with the reason once the calibration expired; the contract shows its validity', async () => {
    mockApi({
      ...detailRoutes(admin, [cap('cap-1', 'vhm-1', ['ALLOC_Q', 'EXECUTE_Q'])]),
      'GET /v1/contracts': page([contract(1, { binding: 'binding-1' })]),
      'GET /v1/bindings': page([binding(1, 'active')]),
      'GET /v1/calibrations': page([{ id: 'cal-1', provider: 'provider-3', from: 1, until: 4, issuedL: 1 }]),
    });
    renderWithClient(<VhmDetail id="vhm-1" />);
    const run = (await screen.findByRole('button', { name: 'Run Q job' })) as HTMLButtonElement;
    await within(document.body).findByText('Calibration: cal-1 expired at L 4');
    expect(run.disabled).toBe(true);
    expect(run.title).toMatch(/^Calibration cal-1 expired at L 4: a job would be refused before execution/);
    expect(screen.getAllByText('cal-1 expired at L 4').length).toBeGreaterThan(0);
  });

  it('a current calibration leaves "Run Q job" enabled and says how long it lasts', async () => {
    mockApi({
      ...detailRoutes(admin, [cap('cap-1', 'vhm-1', ['ALLOC_Q', 'EXECUTE_Q'])]),
      'GET /v1/contracts': page([contract(1, { binding: 'binding-1' })]),
      'GET /v1/bindings': page([binding(1, 'active')]),
      'GET /v1/calibrations': page([
        { id: 'cal-1', provider: 'provider-3', from: 1, until: 500, issuedL: 1 },
      ]),
    });
    renderWithClient(<VhmDetail id="vhm-1" />);
    await within(document.body).findByText('Calibration: cal-1 valid L 1–500 (495 ticks left)');
    expect((screen.getByRole('button', { name: 'Run Q job' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('the quota bar writes memory in GiB with the exact bytes on hover', async () => {
    mockApi({
      ...detailRoutes(admin, []),
      'GET /v1/vhms/vhm-1': vhm(1, {
        name: 'web',
        quota: { vhms: 2, memory: 8 * 2 ** 30, cpu: 4, qubits: 4, envelopes: 1 },
        used: { vhms: 0, memory: 4_831_838_208, cpu: 0, qubits: 0, envelopes: 0 },
      }),
    });
    renderWithClient(<VhmDetail id="vhm-1" />);
    const fig = await screen.findByText('4.5 GiB / 8 GiB');
    expect(fig.getAttribute('title')).toBe('4,831,838,208 bytes of 8,589,934,592 bytes');
  });
});
