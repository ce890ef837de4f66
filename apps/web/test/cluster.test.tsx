import { screen, waitFor, within } from '@testing-library/react';
import type { Entry } from '@xdv/core';
import { describe, expect, it } from 'vitest';
import type { ClusterNode, ClusterView } from '../src/api/cluster';
import { affectedKeys, applyEntry } from '../src/api/live';
import type { Me } from '../src/api/types';
import Cluster from '../src/views/Cluster';
import { mockApi, renderWithClient } from './helpers';

const operatorMe: Me = {
  token: {
    id: 'tok-0',
    kind: 'operator',
    tenant: null,
    role: null,
    provider: null,
    label: 'op',
    revoked: false,
    createdAt: '2026-11-20T10:00:00.000Z',
    lastUsedAt: null,
    expiresAt: null,
  },
  tenantName: null,
};
const tenantMe: Me = {
  token: { ...operatorMe.token, id: 'tok-1', kind: 'tenant', tenant: 'tenant-1', role: 'viewer' },
  tenantName: 'acme',
};

const HASH_A = 'ab12cd34ef56'.padEnd(64, '0');

function node(id: string, over: Partial<ClusterNode> = {}): ClusterNode {
  return {
    id,
    self: false,
    status: 'ok',
    startedAt: '2026-11-25T10:00:00.000Z',
    lastSeenAt: '2026-11-25T10:05:00.000Z',
    closedAt: null,
    ageMs: 300,
    appliedSeq: 120,
    appliedL: 60,
    lag: 0,
    hashAgrees: true,
    broken: false,
    ...over,
  };
}

const internals = (n: number): Partial<ClusterNode> => ({
  hostname: 'vm',
  pid: 100 + n,
  driver: 'pg',
  version: '@xdv/db 0.1.0 node v20.20.2',
  hashSeq: 120,
  stateHash: HASH_A,
  brokenSeq: null,
  commits: 10 * n,
  entries: 50 * n,
  conflicts: n,
  catchUps: 2 * n,
  reloads: 0,
  rebuilds: n,
  checkpoints: 1,
});

function operatorView(seq = 120): ClusterView {
  return {
    scope: 'operator',
    ordering: { seq, l: 60, source: 'trace' },
    nodes: [
      node('vm:101:1:1764064800000', { self: true, ...internals(1) }),
      node('vm:102:1:1764064800500', { ...internals(2), appliedSeq: 110, lag: 10, status: 'lagging' }),
      node('vm:99:1:1764060000000', { ...internals(3), status: 'stale', ageMs: 42_000 }),
    ],
    contracts: {
      scope: 'fleet',
      providers: [
        {
          provider: 'provider-3',
          name: 'qpu-1',
          domain: 'Q',
          health: 'ok',
          attestation: 'attested',
          contracts: { issued: 1, active: 2, released: 3, revoked: 0 },
          allocated: { memory: 0, cpu: 0, qubits: 12, envelopes: 0 },
          capacity: { memory: 0, cpu: 0, qubits: 50, envelopes: 0 },
        },
      ],
    },
    rounds: [
      {
        firstSeq: 118,
        lastSeq: 120,
        firstL: 59,
        lastL: 60,
        entries: 3,
        node: 'vm:102:1:1764064800500',
        retries: 1,
        committedAt: '2026-11-25T10:04:59.000Z',
      },
      {
        firstSeq: 117,
        lastSeq: 117,
        firstL: 58,
        lastL: 58,
        entries: 1,
        node: 'vm:101:1:1764064800000',
        retries: 0,
        committedAt: '2026-11-25T10:04:58.000Z',
      },
    ],
  };
}

describe('Cluster view', () => {
  it('shows the operator every node in the API’s order with health, lag, hash prefix and counters', async () => {
    mockApi({ 'GET /v1/me': operatorMe, 'GET /v1/cluster': operatorView() });
    renderWithClient(<Cluster />);
    const nodes = await screen.findByRole('table', { name: /Nodes in node-id order/ });
    const rows = within(nodes).getAllByRole('row').slice(1);
    // The API's order (by node id) is kept: no client-side re-sorting.
    expect(
      rows.map((r) => within(r).getAllByRole('rowheader')[0]!.querySelector('code')!.textContent),
    ).toEqual(['vm:101:1:1764064800000', 'vm:102:1:1764064800500', 'vm:99:1:1764060000000']);
    expect(within(rows[0]!).getByText('this node')).toBeTruthy();
    expect(within(rows[0]!).getByText('ok')).toBeTruthy();
    expect(within(rows[0]!).getByText('ab12cd34ef56')).toBeTruthy(); // 12-character hash prefix
    expect(within(rows[1]!).getByText('lagging')).toBeTruthy();
    expect(within(rows[1]!).getByText('10')).toBeTruthy(); // lag
    expect(within(rows[2]!).getByText('stale')).toBeTruthy();
    expect(within(rows[2]!).getByText('42 s ago')).toBeTruthy();
    expect(within(nodes).getByRole('columnheader', { name: 'Commits · entries' })).toBeTruthy();
    expect(within(rows[1]!).getByText('20 · 100')).toBeTruthy();

    expect(screen.getByTestId('head-seq').textContent).toBe('120');
    expect(screen.getByText('1 lagging · 1 ok · 1 stale')).toBeTruthy();

    const contracts = screen.getByRole('table', { name: /Every contract/ });
    const q = within(contracts).getAllByRole('row')[1]!;
    expect(
      within(q)
        .getAllByRole('cell')
        .map((c) => c.textContent)
        .slice(0, 4),
    ).toEqual(['1', '2', '3', '0']);
    const meter = within(q).getByRole('meter', { name: 'qpu-1 logical qubits' });
    expect(meter.getAttribute('aria-valuenow')).toBe('12');
    expect(meter.getAttribute('aria-valuemax')).toBe('50');

    const rounds = screen.getByRole('table', { name: /Each round is one committed batch/ });
    const r = within(rounds).getAllByRole('row').slice(1);
    expect(r.map((x) => within(x).getByRole('rowheader').textContent)).toEqual(['118–120', '117']);
    expect(within(r[0]!).getByText('vm:102:1:1764064800500')).toBeTruthy();
  });

  it('shows a tenant node health and its own contracts, without node internals', async () => {
    const v = operatorView();
    const tenantView: ClusterView = {
      ...v,
      scope: 'tenant',
      nodes: [node('vm:101:1:1764064800000', { self: true, hashAgrees: null })],
      contracts: {
        scope: 'own',
        providers: v.contracts.providers.map((p) => ({
          ...p,
          contracts: { issued: 0, active: 1, released: 0, revoked: 0 },
          allocated: { ...p.allocated, qubits: 4 },
        })),
      },
    };
    mockApi({ 'GET /v1/me': tenantMe, 'GET /v1/cluster': tenantView });
    renderWithClient(<Cluster />);
    const nodes = await screen.findByRole('table', { name: /Nodes in node-id order/ });
    expect(within(nodes).queryByRole('columnheader', { name: 'Commits · entries' })).toBeNull();
    expect(within(nodes).getByText('no peer at this seq')).toBeTruthy();
    expect(screen.getByRole('table', { name: /Only acme’s contracts are counted/ })).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: 'Your allocation vs capacity' })).toBeTruthy();
    expect(screen.getByRole('meter', { name: 'qpu-1 logical qubits' }).getAttribute('aria-valuenow')).toBe(
      '4',
    );
  });

  it('shows the API’s code and message when the request fails', async () => {
    mockApi({
      'GET /v1/me': operatorMe,
      'GET /v1/cluster': () =>
        new Response(JSON.stringify({ code: 'HV_UNAVAILABLE', detail: 'database unreachable' }), {
          status: 503,
          headers: { 'content-type': 'application/problem+json' },
        }),
    });
    renderWithClient(<Cluster />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load the cluster view');
    expect(alert.textContent).toContain('HV_UNAVAILABLE');
    expect(alert.textContent).toContain('database unreachable');
  });

  it('is refreshed by the live stream: every entry invalidates the cluster query', async () => {
    let seq = 120;
    const { calls } = mockApi({ 'GET /v1/me': operatorMe, 'GET /v1/cluster': () => operatorView(seq) });
    const { qc } = renderWithClient(<Cluster />);
    await waitFor(() => expect(screen.getByTestId('head-seq').textContent).toBe('120'));
    expect(affectedKeys({ type: 'tenant.created', vhm: null })).toContainEqual(['cluster']);
    expect(affectedKeys({ type: 'q.metrics.reported', vhm: null })).toContainEqual(['cluster']);
    seq = 121;
    const pending = new Map<string, unknown[]>();
    applyEntry(qc, { seq: 121, l: 61, type: 'clock.advanced', vhm: null } as unknown as Entry, pending);
    for (const k of pending.values()) await qc.invalidateQueries({ queryKey: k });
    await waitFor(() => expect(screen.getByTestId('head-seq').textContent).toBe('121'));
    expect(calls.filter((c) => c.url.startsWith('/v1/cluster')).length).toBe(2);
  });
});
