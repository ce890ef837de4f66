import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { AlertGroup, AlertView } from '@xdv/core';
import { describe, expect, it } from 'vitest';
import type { Me } from '../src/api/types';
import { AlertGroupsSection } from '../src/components/AlertGroups';
import { AttentionStrip } from '../src/components/Attention';
import { admin, emptyOverview, mockApi, renderWithClient } from './helpers';

// Issue 15 §1: the attention strip and alerts grouped by subject, acknowledged with a note.

const operatorMe: Me = {
  ...admin,
  token: { ...admin.token, kind: 'operator', tenant: null, role: null },
  tenantName: null,
};

function alert(id: string, over: Partial<AlertView> = {}): AlertView {
  return {
    id,
    l: 18,
    provider: 'provider-3',
    metric: 't1',
    value: 15,
    threshold: 50,
    subject: 'qubit 7',
    status: 'firing',
    severity: 'warning',
    resolution: null,
    resolvedAt: null,
    ...over,
  };
}

function group(over: Partial<AlertGroup> = {}): AlertGroup {
  const latest = alert('alert-4');
  return {
    key: 'provider-3/qubit 7',
    provider: 'provider-3',
    subject: 'qubit 7',
    severity: 'warning',
    status: 'firing',
    acknowledged: false,
    firing: 2,
    total: 4,
    metrics: ['t1', 'readoutError'],
    latest,
    firingIds: ['alert-3', 'alert-4'],
    ...over,
  };
}

const resolved = group({
  key: 'provider-5/env-2',
  provider: 'provider-5',
  subject: 'env-2',
  severity: 'critical',
  status: 'resolved',
  acknowledged: true,
  firing: 0,
  total: 1,
  metrics: ['stability'],
  latest: alert('alert-1', {
    provider: 'provider-5',
    subject: 'env-2',
    metric: 'stability',
    status: 'resolved',
    severity: 'critical',
    resolution: 'subject_ended',
    resolvedAt: 40,
  }),
  firingIds: [],
});

const accepted = { outcome: 'accepted', seq: 90, l: 50, created: {}, entries: [] };
const preview = {
  dryRun: true,
  wouldBe: 'accepted',
  etag: null,
  error: null,
  entries: [
    {
      seq: 90,
      l: 50,
      type: 'alert.acknowledge',
      outcome: 'accepted',
      payload: { alert: 'alert-4', note: 'recalibrating qubit 7' },
      vhm: null,
      contract: null,
      capability: null,
    },
  ],
  capacity: [],
  budgets: [],
  quota: [],
  invariants: { checked: 9, violations: [] },
};

describe('the needs-attention strip', () => {
  it('lists paused VHMs, stale providers, a broken trace and unacknowledged alerts, each with Inspect and its action', async () => {
    mockApi({
      'GET /v1/me': operatorMe,
      'GET /v1/overview': { ...emptyOverview, broken: { seq: 77, reason: 'hash mismatch' } },
      'GET /v1/attention': {
        l: 60,
        items: [
          {
            kind: 'vhm_paused',
            vhm: 'vhm-5',
            name: 'research',
            tenant: 'tenant-2',
            faults: 3,
            action: 'resume',
          },
          {
            kind: 'provider_stale',
            provider: 'provider-4',
            name: 'qpu-borealis',
            lastReportL: 40,
            health: 'ok',
            action: 'inspect',
          },
          { kind: 'alert', group: group(), action: 'acknowledge' },
        ],
      },
    });
    renderWithClient(<AttentionStrip />);
    const strip = await screen.findByRole('region', { name: /Needs attention/ });
    await within(strip).findByText(/broken at seq 77/);
    const items = within(strip).getAllByRole('listitem');
    expect(items).toHaveLength(4);
    expect(items[1]!.textContent).toContain('research');
    expect(within(items[1]!).getByRole('link', { name: 'Inspect' }).getAttribute('href')).toBe('/vhms/vhm-5');
    expect(within(items[1]!).getByRole('button', { name: 'Resume' })).toBeTruthy();
    expect(items[2]!.textContent).toContain('has not reported for 20 ticks');
    expect(within(items[3]!).getByRole('button', { name: 'Acknowledge' })).toBeTruthy();
  });

  it('says when nothing needs anyone', async () => {
    mockApi({
      'GET /v1/me': operatorMe,
      'GET /v1/overview': emptyOverview,
      'GET /v1/attention': { l: 5, items: [] },
    });
    renderWithClient(<AttentionStrip />);
    expect(
      await screen.findByText(/No paused VHM, stale provider, broken trace or unacknowledged alert/),
    ).toBeTruthy();
  });
});

describe('alert groups', () => {
  it('shows firing groups with severity and count, resolved ones on request', async () => {
    mockApi({ 'GET /v1/me': operatorMe, 'GET /v1/alerts/groups': { items: [group(), resolved] } });
    renderWithClient(<AlertGroupsSection />);
    const row = (await screen.findByText(/qubit 7/)).closest('tr')!;
    expect(row.textContent).toContain('warning');
    expect(row.textContent).toContain('firing ×2');
    expect(row.textContent).toContain('T1, readout error · 4 alerts');
    expect(screen.queryByText(/env-2/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Show resolved' }));
    const old = screen.getByText(/env-2/).closest('tr')!;
    expect(old.textContent).toContain('critical');
    expect(old.textContent).toContain('envelope ended at L 40');
  });

  it('acknowledges the newest firing alert with the operator’s note', async () => {
    const { calls } = mockApi({
      'GET /v1/me': operatorMe,
      'GET /v1/alerts/groups': { items: [group()] },
      'POST /v1/alerts/alert-4/acknowledge dry': preview,
      'POST /v1/alerts/alert-4/acknowledge': accepted,
    });
    renderWithClient(<AlertGroupsSection />);
    const ack = (await screen.findByRole('button', { name: 'Acknowledge' })) as HTMLButtonElement;
    await waitFor(() => expect(ack.disabled).toBe(false));
    fireEvent.click(ack);
    fireEvent.change(screen.getByLabelText(/Note/), { target: { value: 'recalibrating qubit 7' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview impact' }));
    await screen.findByText('Dry run: the core would accept this.');
    const confirm = screen.getByRole('button', { name: 'Confirm: Acknowledge' }) as HTMLButtonElement;
    await waitFor(() => expect(confirm.disabled).toBe(false));
    fireEvent.click(confirm);
    await waitFor(() =>
      expect(calls.some((c) => c.method === 'POST' && !c.url.includes('dryRun'))).toBe(true),
    );
    const commit = calls.find((c) => c.method === 'POST' && !c.url.includes('dryRun'))!;
    expect(commit.url).toBe('/v1/alerts/alert-4/acknowledge');
    expect(commit.body).toEqual({ note: 'recalibrating qubit 7' });
  });

  it('tells a tenant that only an operator acknowledges', async () => {
    mockApi({ 'GET /v1/me': admin, 'GET /v1/alerts/groups': { items: [group()] } });
    renderWithClient(<AlertGroupsSection />);
    const button = (await screen.findByRole('button', { name: 'Acknowledge' })) as HTMLButtonElement;
    await waitFor(() => expect(button.disabled).toBe(true));
    expect(button.title).toBe('Only an operator acknowledges alerts.');
  });
});
