import { fireEvent, render, screen, within } from '@testing-library/react';
import type { FleetRow, Provider } from '@xdv/core';
import { describe, expect, it } from 'vitest';
import { seriesUrl } from '../src/api/fleetHealth';
import type { Series } from '../src/api/types';
import { WindowView } from '../src/components/domain';
import { FleetTable } from '../src/components/FleetTable';
import { ProviderAttestation } from '../src/components/ProviderAttestation';
import { ProviderUsage } from '../src/components/ProviderUsage';
import { QubitTable, qubitRows } from '../src/components/QubitTable';
import { mockApi, renderWithClient } from './helpers';

// Issue 15 §4: Q and Φ health that answers "can I run now?".

const thresholds = {
  t1Min: 50,
  t2Min: 30,
  fidelityMin: 9900,
  readoutMax: 300,
  noiseMax: 1500,
  driftMax: 1000,
};
const series: Series = {
  provider: 'provider-3',
  thresholds,
  series: [
    {
      subject: 'qubit-0',
      metric: 't1',
      samples: [
        { l: 9, v: 100 },
        { l: 10, v: 110 },
      ],
    },
    { subject: 'qubit-0', metric: 'readoutError', samples: [{ l: 10, v: 120 }] },
    { subject: 'qubit-7', metric: 't1', samples: [{ l: 10, v: 15 }] },
    { subject: 'qubit-7', metric: 'readoutError', samples: [{ l: 10, v: 434 }] },
  ],
};

function row(over: Partial<FleetRow> & Pick<FleetRow, 'id' | 'name' | 'domain'>): FleetRow {
  const z = { memory: 0, cpu: 0, qubits: 0, envelopes: 0 };
  return {
    health: 'ok',
    attestation: 'attested',
    lastReportL: 10,
    calibration: null,
    capacity: z,
    allocated: z,
    activeContracts: 0,
    ...over,
  };
}

describe('the per-qubit calibration table', () => {
  it('shows each qubit’s latest values toned against the thresholds', () => {
    expect(qubitRows(series).map((r) => [r.qubit, r.cells.map((c) => c.ok)])).toEqual([
      [0, [true, null, null, true]],
      [7, [false, null, null, false]],
    ]);
    render(<QubitTable series={series} />);
    expect(screen.getByText(/1 of 2 qubits outside/)).toBeTruthy();
    const q7 = screen.getByRole('rowheader', { name: '7' }).closest('tr')!;
    expect(within(q7).getByText('15').closest('td')!.className).toContain('out');
    expect(within(q7).getAllByText(/outside the threshold/)).toHaveLength(2);
    expect(screen.getByText('110').closest('td')!.className).toContain('in');
  });

  it('asks the server for the last N ticks, downsampled', () => {
    expect(seriesUrl('provider-3', 500, 60, null)).toBe(
      '/v1/providers/provider-3/series?from=440&to=500&points=240',
    );
    expect(seriesUrl('provider-3', 500, null, 120)).toBe(
      '/v1/providers/provider-3/series?from=0&to=120&points=240',
    );
  });
});

describe('the provider fleet table', () => {
  it('lists every provider and sorts by any column', async () => {
    mockApi({
      'GET /v1/fleet': {
        l: 20,
        items: [
          row({
            id: 'provider-1',
            name: 'host-a',
            domain: 'K',
            capacity: { memory: 100, cpu: 8, qubits: 0, envelopes: 0 },
            allocated: { memory: 10, cpu: 1, qubits: 0, envelopes: 0 },
            activeContracts: 3,
            lastReportL: null,
          }),
          row({
            id: 'provider-3',
            name: 'qpu-aurora',
            domain: 'Q',
            capacity: { memory: 0, cpu: 0, qubits: 64, envelopes: 0 },
            allocated: { memory: 0, cpu: 0, qubits: 48, envelopes: 0 },
            calibration: { id: 'cal-1', from: 0, until: 400, valid: true },
            activeContracts: 1,
          }),
          row({
            id: 'provider-4',
            name: 'qpu-borealis',
            domain: 'Q',
            health: 'degraded',
            calibration: { id: 'cal-2', from: 0, until: 15, valid: false },
          }),
        ],
      },
    });
    renderWithClient(<FleetTable />);
    await screen.findByText('qpu-aurora');
    const names = () => screen.getAllByRole('rowheader').map((h) => h.querySelector('a')!.textContent);
    expect(names()).toEqual(['host-a', 'qpu-aurora', 'qpu-borealis']);
    expect(screen.getByText('valid until L 400')).toBeTruthy();
    expect(screen.getByText('expired at L 15')).toBeTruthy();
    expect(screen.getByText(/75\.0% · 48\/64 qubits/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Capacity in use' }));
    fireEvent.click(screen.getByRole('button', { name: /Capacity in use/ }));
    expect(names()).toEqual(['qpu-aurora', 'host-a', 'qpu-borealis']);
    expect(screen.getByRole('columnheader', { name: /Capacity in use/ }).getAttribute('aria-sort')).toBe(
      'descending',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Active contracts' }));
    expect(names()).toEqual(['qpu-borealis', 'qpu-aurora', 'host-a']);
  });
});

describe('who uses a provider', () => {
  it('lists the VHMs and contracts the API returns, and tells a tenant they are its own', async () => {
    mockApi({
      'GET /v1/providers/provider-3/usage': {
        provider: 'provider-3',
        vhms: [{ id: 'vhm-2', name: 'web', tenant: 'tenant-1', state: 'active', contracts: ['contract-4'] }],
        contracts: [
          {
            id: 'contract-4',
            vhm: 'vhm-2',
            tenant: 'tenant-1',
            domain: 'Q',
            status: 'active',
            qubits: 8,
            envelope: null,
          },
        ],
      },
    });
    renderWithClient(<ProviderUsage provider="provider-3" operator={false} />);
    expect(await screen.findByText(/1 VHM · 1 live contract \(yours only\)/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'web' }).getAttribute('href')).toBe('/vhms/vhm-2');
    expect(screen.getByText('8 qubits')).toBeTruthy();
  });
});

describe('a Φ window', () => {
  it('shows natural expiry as closed in a neutral colour, and an early end as terminated', () => {
    const { rerender } = render(
      <WindowView
        label="env-1"
        start={10}
        end={20}
        now={30}
        stability={9000}
        tolerance={6000}
        ended={{ l: 20, reason: 'coherence window expired' }}
      />,
    );
    const text = screen.getByText(/closed 11 ticks ago/);
    expect(text.className).toBe('phase-closed');
    // Its scale is HTML text (legible at any width), not SVG text scaled down with the bar.
    expect(screen.getByText('now L 30')).toBeTruthy();
    rerender(
      <WindowView
        label="env-1"
        start={10}
        end={20}
        now={30}
        stability={100}
        tolerance={6000}
        ended={{ l: 14, reason: 'PHI_ERR_STABILITY_BREACH' }}
      />,
    );
    expect(screen.getByText(/terminated at L 14/).className).toBe('phase-terminated');
  });
});

describe('the replay diff', () => {
  it('shows each changed field before → after', async () => {
    const { FieldChanges } = await import('../src/components/FieldDiff');
    render(
      <FieldChanges
        changes={{
          vhms: {
            added: [],
            removed: [],
            changed: ['vhm-5'],
            fields: { 'vhm-5': [{ path: 'state', before: 'active', after: 'paused' }] },
          },
        }}
      />,
    );
    const row = screen.getByText('state').closest('tr')!;
    expect(row.textContent).toBe('stateactive→ paused');
  });
});

describe('Φ stability sparklines', () => {
  it('draw each envelope against its contract’s tolerance and say when it is below', async () => {
    const { StabilitySparklines } = await import('../src/components/Sparkline');
    const phi: Series = {
      provider: 'provider-5',
      thresholds,
      series: [
        {
          subject: 'env-1',
          metric: 'stability',
          samples: [
            { l: 1, v: 9000 },
            { l: 2, v: 8800 },
          ],
        },
        {
          subject: 'env-2',
          metric: 'stability',
          samples: [
            { l: 1, v: 7000 },
            { l: 2, v: 5000 },
          ],
        },
        { subject: 'env-2', metric: 'noise', samples: [{ l: 2, v: 10 }] },
      ],
    };
    const contract = (id: string, envelope: string, tolerance: number) => ({
      id,
      vhm: 'vhm-1',
      tenant: 'tenant-1',
      domain: 'PHI' as const,
      status: 'active' as const,
      qubits: null,
      envelope,
      tolerance,
    });
    render(
      <StabilitySparklines
        series={phi}
        usage={{
          provider: 'provider-5',
          vhms: [],
          contracts: [contract('contract-1', 'env-1', 6000), contract('contract-2', 'env-2', 6000)],
        }}
      />,
    );
    expect(screen.getAllByRole('img')).toHaveLength(2);
    expect(
      screen.getByRole('img', { name: 'env-1: stability 8800 bp at L 2, tolerance 6000 bp' }),
    ).toBeTruthy();
    expect(screen.getAllByText('below tolerance')).toHaveLength(1);
    expect(screen.getByText(/env-2/).closest('li')!.textContent).toContain('below tolerance');
  });
});

describe('a provider’s Health line', () => {
  const p = {
    id: 'provider-3',
    name: 'qpu-aurora',
    domain: 'Q',
    attestation: 'attested',
    registeredL: 1,
    health: 'ok',
    lastReportL: 90,
    lastReportSeq: 412,
    firmware: 'f1f2',
    publicKey: 'ab'.repeat(32),
    features: { liveTransfer: false, operations: ['h', 'x'] },
    capacity: { memory: 0, cpu: 0, qubits: 64, envelopes: 0 },
    allocated: { memory: 0, cpu: 0, qubits: 4, envelopes: 0 },
    ranges: [],
  } as unknown as Provider;
  const health = () => screen.getByText('Health').nextElementSibling as HTMLElement;
  /** The Health line without its one-line age: what may wrap, and so must not change with the age. */
  const wrapping = () => {
    const copy = health().cloneNode(true) as HTMLElement;
    for (const n of copy.querySelectorAll('.one-line')) n.remove();
    return copy.textContent;
  };

  it('keeps the report’s changing age on one line of its own (no layout shift as reports arrive)', () => {
    const { rerender } = renderWithClient(<ProviderAttestation p={p} now={90} tickMs={400} />);
    const age = health().querySelector('.one-line')!;
    expect(age.textContent).toBe('last at L 90 (now)');
    expect(age.getAttribute('title')).toBe('last report at L 90 (now)');
    const before = wrapping();
    expect(before).toBe('ok report seq 412');
    rerender(<ProviderAttestation p={p} now={3000} tickMs={400} />);
    expect(health().querySelector('.one-line')!.textContent).toBe('last at L 90 (≈ 19 min ago)');
    expect(wrapping()).toBe(before);
  });

  it('says when a provider has not reported yet', () => {
    renderWithClient(<ProviderAttestation p={{ ...p, lastReportL: null }} now={90} tickMs={400} />);
    expect(health().textContent).toBe('ok no report yet');
  });
});
