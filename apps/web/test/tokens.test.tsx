import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Me, Token } from '../src/api/types';
import Admin from '../src/views/Admin';
import { mockApi, renderWithClient } from './helpers';

const op: Token = {
  id: 'tok-0',
  kind: 'operator',
  tenant: null,
  role: null,
  provider: null,
  label: 'op',
  revoked: false,
  createdAt: '2026-11-20T10:00:00.000Z',
  lastUsedAt: '2026-11-25T08:30:12.000Z',
  expiresAt: null,
};
const old: Token = {
  ...op,
  id: 'tok-1',
  label: 'old ci',
  lastUsedAt: null,
  expiresAt: '2026-11-21T10:00:00.000Z',
};
const me: Me = { token: op, tenantName: null };

describe('the token panel', () => {
  it('shows created, last used and expiry; mints with an expiry', async () => {
    const { calls } = mockApi({
      'GET /v1/me': me,
      'GET /v1/tenants': { items: [], nextCursor: null },
      'GET /v1/tokens': { items: [op, old] },
      'POST /v1/tokens': { token: { ...op, id: 'tok-2', label: 'short' }, secret: 'xdv_shown_once' },
    });
    renderWithClient(<Admin />);
    const table = (await screen.findByText('old ci')).closest('table')!;
    const heads = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(heads).toEqual([
      'Token',
      'Label',
      'Principal',
      'Created',
      'Last used',
      'Expires',
      'Status',
      'Actions',
    ]);
    const [, opRow, oldRow] = within(table).getAllByRole('row');
    expect(opRow!.textContent).toContain('2026-11-20 10:00 UTC');
    expect(opRow!.textContent).toContain('2026-11-25 08:30 UTC');
    expect(opRow!.textContent).toContain('active');
    expect(oldRow!.textContent).toContain('never');
    expect(oldRow!.textContent).toContain('2026-11-21 10:00 UTC');
    expect(oldRow!.textContent).toContain('expired');

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Mint token' }));
    const dlg = await screen.findByRole('dialog');
    await user.selectOptions(within(dlg).getByLabelText('Kind'), 'operator');
    await user.type(within(dlg).getByLabelText('Label'), 'short');
    await user.selectOptions(within(dlg).getByLabelText('Expires after'), '1 day');
    await user.click(within(dlg).getByRole('button', { name: 'Mint' }));
    await screen.findByText(/xdv_shown_once/);
    const post = calls.find((c) => c.method === 'POST' && c.url === '/v1/tokens');
    expect(post?.body).toEqual({ kind: 'operator', label: 'short', expiresInSeconds: 86_400 });
  });
});
