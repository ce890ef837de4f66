import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { GuardedAction } from '../src/components/GuardedAction';
import { type Call, mockApi, renderWithClient } from './helpers';

const preview = {
  dryRun: true,
  wouldBe: 'accepted',
  error: null,
  etag: '"e1"',
  entries: [
    { seq: 41, l: 12, type: 'vhm.terminate', outcome: 'accepted', vhm: 'vhm-1', payload: {} },
    {
      seq: 42,
      l: 12,
      type: 'binding.released',
      outcome: 'effect',
      vhm: 'vhm-1',
      payload: { binding: 'binding-2' },
    },
  ],
  capacity: [{ provider: 'provider-3', resource: 'qubits', before: 10, after: 4, capacity: 50 }],
  budgets: [{ contract: 'ctr-2', before: 70, after: 0, budget: 120 }],
  quota: [],
  invariants: { checked: 9, violations: [] },
};
const accepted = { outcome: 'accepted', seq: 41, l: 12, created: {}, entries: [] };

describe('guarded action dialog', () => {
  it('shows the dry-run preview: entries, capacity and budget effect, invariants', async () => {
    const { calls } = mockApi({ 'POST /v1/vhms/vhm-1/terminate dry': preview });
    renderWithClient(
      <GuardedAction
        label="Terminate"
        gate={{ allowed: true, reason: null }}
        confirmName="web"
        request={() => ({ method: 'POST', path: '/v1/vhms/vhm-1/terminate' })}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Terminate' }));
    expect(screen.getByRole('dialog')).toBeTruthy();
    await screen.findByText('Dry run: the core would accept this.');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('/v1/vhms/vhm-1/terminate?dryRun=true');
    // Each effect names its subject.
    expect(screen.getByText(/binding-2 → released/)).toBeTruthy();
    expect(screen.getByText('provider-3')).toBeTruthy();
    expect(screen.getByText('provider-3').closest('tr')!.textContent).toContain('10 → 4');
    expect(screen.getByText('70 → 0')).toBeTruthy();
    // Stamped with the L it was previewed at.
    expect(screen.getByText('as of L 12')).toBeTruthy();
    expect(screen.getByText(/Invariants: 9 checked, all hold afterwards/)).toBeTruthy();
  });

  it("shows a VHM's quota before → after beside the provider's capacity", async () => {
    mockApi({
      'POST /v1/vhms/vhm-1/terminate dry': {
        ...preview,
        quota: [{ vhm: 'vhm-7', resource: 'qubits', before: 8, after: 2, quota: 16 }],
      },
    });
    renderWithClient(
      <GuardedAction
        label="Terminate"
        gate={{ allowed: true, reason: null }}
        request={() => ({ method: 'POST', path: '/v1/vhms/vhm-1/terminate' })}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Terminate' }));
    await screen.findByText('Dry run: the core would accept this.');
    expect(screen.getByRole('heading', { name: 'Quota' })).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: 'Used before → after' })).toBeTruthy();
    const row = screen.getByText('vhm-7').closest('tr')!;
    expect([...row.cells].map((c) => c.textContent)).toEqual(['vhm-7', 'qubits', '8 → 2', '16']);
    expect(screen.getByRole('columnheader', { name: 'Allocated before → after' })).toBeTruthy();
  });

  it('asks for the VHM name before a destructive action, then commits without dryRun', async () => {
    const { calls } = mockApi({
      'POST /v1/vhms/vhm-1/terminate dry': preview,
      'POST /v1/vhms/vhm-1/terminate': accepted,
    });
    const { qc } = renderWithClient(
      <GuardedAction
        label="Terminate"
        gate={{ allowed: true, reason: null }}
        confirmName="web"
        request={() => ({ method: 'POST', path: '/v1/vhms/vhm-1/terminate' })}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Terminate' }));
    await screen.findByText('Dry run: the core would accept this.');
    const confirm = screen.getByRole('button', { name: 'Confirm: Terminate' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    const input = screen.getByLabelText('Type web to confirm');
    fireEvent.change(input, { target: { value: 'we' } });
    expect(confirm.disabled).toBe(true);
    fireEvent.change(input, { target: { value: 'web' } });
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    const done = await screen.findByText(/Accepted at seq 41/);
    expect(done.textContent).toBe('Accepted at seq 41, L 12.');
    // The dialog reads the clock from the cache only (it sends nothing else); once L is known and
    // moves on, the accepted L reads as a wall-clock time ago.
    qc.setQueryData(['clock'], { l: 42, tickMs: 1000, ticking: true });
    await waitFor(() => expect(done.textContent).toBe('Accepted at seq 41, L 12 (≈ 30 s ago).'));
    expect(calls.map((c) => c.url)).toEqual([
      '/v1/vhms/vhm-1/terminate?dryRun=true',
      '/v1/vhms/vhm-1/terminate',
    ]);
    // The commit is guarded by what was previewed, and executes once however often it is sent.
    expect(calls[1]!.headers['if-match']).toBe('"e1"');
    expect(calls[1]!.headers['idempotency-key']).toMatch(/.{8,}/);
  });

  it('a stale preview is refused, not committed: it re-runs and asks for confirmation again', async () => {
    let n = 0;
    const { calls } = mockApi({
      'POST /v1/vhms/vhm-1/pause dry': () => ({
        ...preview,
        etag: `"e${++n}"`,
        entries: [{ ...preview.entries[0], l: 11 + n }],
      }),
      'POST /v1/vhms/vhm-1/pause': (c: Call) =>
        c.headers['if-match'] === '"e1"'
          ? new Response(JSON.stringify({ code: 'HV_PRECONDITION_FAILED', detail: 'changed' }), {
              status: 412,
              headers: { 'content-type': 'application/problem+json' },
            })
          : accepted,
    });
    renderWithClient(
      <GuardedAction
        label="Pause"
        gate={{ allowed: true, reason: null }}
        request={() => ({ method: 'POST', path: '/v1/vhms/vhm-1/pause' })}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    await screen.findByText('as of L 12');
    fireEvent.click(screen.getByRole('button', { name: 'Confirm: Pause' }));
    await screen.findByText(/The state changed since the preview, so nothing was committed/);
    await screen.findByText('as of L 13');
    expect(screen.queryByText(/Accepted at seq/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Confirm: Pause' }));
    await screen.findByText(/Accepted at seq 41/);
    const commits = calls.filter((c) => !c.url.includes('dryRun'));
    expect(commits.map((c) => c.headers['if-match'])).toEqual(['"e1"', '"e2"']);
    // A new preview gets a new key: the refused request never executed.
    expect(commits[0]!.headers['idempotency-key']).not.toBe(commits[1]!.headers['idempotency-key']);
  });

  it('re-runs the preview when an entry touching its subject arrives on the stream', async () => {
    let n = 0;
    mockApi({
      'POST /v1/vhms/vhm-1/pause dry': () => ({
        ...preview,
        entries: [{ ...preview.entries[0], seq: 41, l: 11 + ++n }],
      }),
    });
    const { qc } = renderWithClient(
      <GuardedAction
        label="Pause"
        gate={{ allowed: true, reason: null }}
        request={() => ({ method: 'POST', path: '/v1/vhms/vhm-1/pause' })}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    await screen.findByText('as of L 12');
    // An entry about another VHM changes nothing here.
    qc.setQueryData(
      ['live-tail'],
      [{ seq: 41, l: 12, vhm: 'vhm-2', contract: null, capability: null, payload: {} }],
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(n).toBe(1);
    qc.setQueryData(
      ['live-tail'],
      [{ seq: 42, l: 13, vhm: 'vhm-1', contract: null, capability: null, payload: {} }],
    );
    await screen.findByText('as of L 13');
  });

  it('keeps focus in the dialog after "Preview impact", and says what is missing', async () => {
    mockApi({ 'POST /v1/vhms dry': preview });
    renderWithClient(
      <GuardedAction
        label="Create VHM"
        gate={{ allowed: true, reason: null }}
        fields={
          <label>
            <span>Name</span>
            <input required defaultValue="" />
          </label>
        }
        request={() => ({ method: 'POST', path: '/v1/vhms', body: { name: 'x' } })}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Create VHM' }));
    fireEvent.click(screen.getByRole('button', { name: 'Preview impact' }));
    expect(screen.getByRole('alert').textContent).toBe('Missing: Name.');
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'web' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview impact' }));
    await screen.findByText('Dry run: the core would accept this.');
    const dialog = screen.getByRole('dialog');
    expect(dialog.contains(document.activeElement)).toBe(true);
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('sends nothing but the dry run when cancelled', async () => {
    const { calls } = mockApi({ 'POST /v1/bindings/bind-1/release dry': preview });
    renderWithClient(
      <GuardedAction
        label="Release"
        gate={{ allowed: true, reason: null }}
        confirmName="web"
        request={() => ({
          method: 'POST',
          path: '/v1/bindings/bind-1/release',
          body: { capability: 'cap-1' },
        })}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Release' }));
    await screen.findByText('Dry run: the core would accept this.');
    fireEvent.change(screen.getByLabelText('Type web to confirm'), { target: { value: 'web' } });
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toContain('dryRun=true');
    expect(calls[0]!.body).toEqual({ capability: 'cap-1' });
  });

  it('Escape closes without committing', async () => {
    const { calls } = mockApi({ 'POST /v1/vhms/vhm-1/pause dry': { ...preview, budgets: [], capacity: [] } });
    renderWithClient(
      <GuardedAction
        label="Pause"
        gate={{ allowed: true, reason: null }}
        request={() => ({ method: 'POST', path: '/v1/vhms/vhm-1/pause' })}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    await screen.findByText('Dry run: the core would accept this.');
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.every((c) => c.url.includes('dryRun=true'))).toBe(true);
  });

  it('shows a refusal from the dry run with its code and keeps confirm disabled', async () => {
    mockApi({
      'POST /v1/vhms/vhm-1/contracts dry': {
        ...preview,
        wouldBe: 'rejected',
        error: {
          code: 'HV_CAPACITY_EXCEEDED',
          params: { available: 4, provider: 'provider-3', requested: 6, resource: 'qubits' },
          detail: 'provider-3 has 4 qubits free; 6 requested.',
        },
        entries: [{ seq: 41, l: 12, type: 'contract.allocate', outcome: 'rejected', payload: {} }],
      },
    });
    renderWithClient(
      <GuardedAction
        label="Allocate"
        gate={{ allowed: true, reason: null }}
        request={() => ({ method: 'POST', path: '/v1/vhms/vhm-1/contracts', body: {} })}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Allocate' }));
    await screen.findByText('HV_CAPACITY_EXCEEDED');
    expect(screen.getByText('provider-3 has 4 qubits free; 6 requested.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Confirm: Allocate' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
  });

  it('shows the API problem code and detail when the commit is refused', async () => {
    mockApi({
      'POST /v1/vhms/vhm-1/pause dry': preview,
      'POST /v1/vhms/vhm-1/pause': () =>
        new Response(JSON.stringify({ code: 'HV_LIFECYCLE_INVALID', detail: 'vhm-1 is paused.' }), {
          status: 409,
          headers: { 'content-type': 'application/problem+json' },
        }),
    });
    renderWithClient(
      <GuardedAction
        label="Pause"
        gate={{ allowed: true, reason: null }}
        request={() => ({ method: 'POST', path: '/v1/vhms/vhm-1/pause' })}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    await screen.findByText('Dry run: the core would accept this.');
    fireEvent.click(screen.getByRole('button', { name: 'Confirm: Pause' }));
    await waitFor(() => expect(screen.getByText('HV_LIFECYCLE_INVALID')).toBeTruthy());
    expect(screen.getByText('vhm-1 is paused.')).toBeTruthy();
  });
});
