import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Me } from '../src/api/types';
import { capabilityFor, gate } from '../src/lib/caps';
import VhmDetail from '../src/views/vhm/VhmDetail';
import { admin, cap, detailRoutes, mockApi, renderWithClient, vhm } from './helpers';

const viewer: Me = { ...admin, token: { ...admin.token, role: 'viewer' } };

describe('capability gating (pure)', () => {
  const v = vhm(1);
  const caps = [
    cap('cap-1', 'vhm-1', ['BIND_K', 'ALLOC_Q', 'SNAPSHOT'], { revoked: true }),
    cap('cap-2', 'vhm-1', ['BIND_K', 'ALLOC_Q']),
    cap('cap-3', 'vhm-1', ['ALLOC_Q']),
    cap('cap-9', 'vhm-0', ['SNAPSHOT', 'MIGRATE']),
  ];
  it('uses the least-privileged non-revoked capability of this VHM', () => {
    expect(capabilityFor(caps, 'vhm-1', 'ALLOC_Q')?.id).toBe('cap-3');
    expect(gate(admin, v, caps, 'BIND_K')).toMatchObject({ allowed: true, capability: 'cap-2' });
  });
  it('names the missing right: a revoked one or a parent’s capability does not count', () => {
    const g = gate(admin, v, caps, 'SNAPSHOT');
    expect(g.allowed).toBe(false);
    expect(g.reason).toContain('Missing right SNAPSHOT');
    expect(gate(admin, v, caps, 'MIGRATE').reason).toContain('Missing right MIGRATE');
  });
  it('a tenant viewer can do nothing, and replay is read-only', () => {
    expect(gate(viewer, v, caps, 'BIND_K')).toMatchObject({
      allowed: false,
      reason: 'A tenant viewer token is read-only.',
    });
    expect(gate(viewer, v, caps, null).allowed).toBe(false);
    expect(gate(admin, v, caps, 'BIND_K', true).reason).toMatch(/Replay/);
  });
});

describe('capability gating in the VHM detail', () => {
  it('disables actions with no capability and says which right is missing', async () => {
    mockApi(
      detailRoutes(admin, [
        cap('cap-1', 'vhm-1', ['BIND_K', 'PROCESS']),
        cap('cap-2', 'vhm-1', ['SNAPSHOT', 'MIGRATE'], { revoked: true }),
      ]),
    );
    renderWithClient(<VhmDetail id="vhm-1" />);
    const snap = await screen.findByRole('button', { name: 'Take snapshot' });
    await within(document.body).findByText(/Missing right SNAPSHOT/);
    expect((snap as HTMLButtonElement).disabled).toBe(true);
    expect(snap.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(snap.getAttribute('aria-describedby')!)?.textContent).toContain(
      'Missing right SNAPSHOT',
    );
    // findBy: the panels below the fold mount one per task after the first ones (components/Later),
    // later still on a loaded machine.
    const migrate = (await screen.findByRole('button', { name: 'Migrate' })) as HTMLButtonElement;
    expect(migrate.disabled).toBe(true);
    expect(await screen.findByText(/Missing right MIGRATE/)).toBeTruthy();
    const nested = (await screen.findByRole('button', { name: 'Create nested VHM' })) as HTMLButtonElement;
    expect(nested.disabled).toBe(true);
    expect(await screen.findByText(/Missing right SPAWN_NESTED/)).toBeTruthy();
    // what the capability does allow stays enabled
    const spawn = (await screen.findByRole('button', { name: 'Spawn process' })) as HTMLButtonElement;
    expect(spawn.disabled).toBe(false);
    const allocate = (await screen.findByRole('button', { name: 'Allocate contract' })) as HTMLButtonElement;
    expect(allocate.disabled).toBe(false);
  });

  it('a tenant viewer sees every action disabled as read-only', async () => {
    mockApi(
      detailRoutes(viewer, [
        cap('cap-1', 'vhm-1', ['BIND_K', 'PROCESS', 'SNAPSHOT', 'MIGRATE', 'SPAWN_NESTED']),
      ]),
    );
    renderWithClient(<VhmDetail id="vhm-1" />);
    const terminate = await screen.findByRole('button', { name: 'Terminate' });
    await within(document.body).findAllByText('A tenant viewer token is read-only.');
    // findBy: the panels below the fold mount a moment after the first ones (components/Later).
    for (const name of [
      'Terminate',
      'Pause',
      'Take snapshot',
      'Migrate',
      'Spawn process',
      'Allocate contract',
      'Issue root capability',
    ])
      expect(((await screen.findByRole('button', { name })) as HTMLButtonElement).disabled, name).toBe(true);
    expect(terminate).toBeTruthy();
  });
});
