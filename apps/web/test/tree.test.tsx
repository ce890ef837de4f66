import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { flattenTree } from '../src/lib/tree';
import { TreeView } from '../src/views/VhmTree';
import { inRouter, vhm } from './helpers';

function fleet(n: number) {
  // Every tenth VHM is a root; the nine after it are its children, the odd ones nested one level deeper.
  const out = [];
  for (let i = 1; i <= n; i++) {
    const root = (i - 1) % 10 === 0;
    const parentId = root
      ? null
      : (i - 1) % 2 === 0
        ? `vhm-${i - 1}`
        : `vhm-${Math.floor((i - 1) / 10) * 10 + 1}`;
    out.push(
      vhm(i, {
        parent: parentId,
        depth: root ? 0 : (i - 1) % 2 === 0 ? 2 : 1,
        state: i % 7 === 0 ? 'paused' : 'active',
      }),
    );
  }
  return out;
}

const none = { q: '', state: '', tenant: '' };

describe('flattenTree', () => {
  it('orders depth-first by numeric id and honours collapsed nodes', () => {
    const vs = [vhm(10), vhm(2, { parent: 'vhm-10' }), vhm(1), vhm(3, { parent: 'vhm-2' })];
    expect(flattenTree(vs, none, new Set()).map((r) => [r.vhm.id, r.depth])).toEqual([
      ['vhm-1', 0],
      ['vhm-10', 0],
      ['vhm-2', 1],
      ['vhm-3', 2],
    ]);
    expect(flattenTree(vs, none, new Set(['vhm-10'])).map((r) => r.vhm.id)).toEqual(['vhm-1', 'vhm-10']);
  });

  it('shows matches with their ancestors as context', () => {
    const vs = [
      vhm(1, { name: 'alpha' }),
      vhm(2, { name: 'beta', parent: 'vhm-1' }),
      vhm(3, { name: 'gamma' }),
    ];
    const rows = flattenTree(vs, { q: 'bet', state: '', tenant: '' }, new Set());
    expect(rows.map((r) => [r.vhm.id, r.context])).toEqual([
      ['vhm-1', true],
      ['vhm-2', false],
    ]);
  });
});

describe('VHM tree', () => {
  it('virtualises 10,000 VHMs: renders only a window of rows, and scrolling moves the window', () => {
    const vs = fleet(10_000);
    render(inRouter(<TreeView vhms={vs} filter={none} />));
    const rows = screen.getAllByTestId('tree-row');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    expect(screen.getByText('10,000 of 10,000 VHMs shown')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'vm-1' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'vm-5000' })).toBeNull();
    // nesting is exposed to assistive technology
    expect(rows[0]!.getAttribute('aria-level')).toBe('1');
    expect(rows[1]!.getAttribute('aria-level')).toBe('2');
    expect(rows[0]!.getAttribute('aria-setsize')).toBe('10000');
    // scroll far down: a different window, still small
    const scroller = screen.getByTestId('tree-scroll');
    scroller.scrollTop = 36 * 5000;
    fireEvent.scroll(scroller);
    const after = screen.getAllByTestId('tree-row');
    expect(after.length).toBeLessThan(60);
    expect(Number(after[0]!.getAttribute('aria-posinset'))).toBeGreaterThan(4900);
    expect(screen.queryByRole('link', { name: 'vm-1' })).toBeNull();
    // a long list scrolls inside the box's full height
    expect(scroller.style.height).toBe('600px');
  });

  it('a short fleet gets a box as tall as its rows, not an empty 600 px one', () => {
    render(inRouter(<TreeView vhms={fleet(100).slice(0, 3)} filter={none} />));
    expect(screen.getAllByTestId('tree-row')).toHaveLength(3);
    expect(screen.getByTestId('tree-scroll').style.height).toBe(`${3 * 36 + 2}px`);
  });

  it('filters by state and search, and collapses a subtree', () => {
    const vs = fleet(100);
    const { rerender } = render(
      inRouter(<TreeView vhms={vs} filter={{ q: '', state: 'paused', tenant: '' }} />),
    );
    const shown = screen.getAllByTestId('tree-row');
    // paused ones plus their ancestors as context
    expect(shown.some((r) => r.classList.contains('context'))).toBe(true);
    expect(screen.getByRole('link', { name: 'vm-7' })).toBeTruthy();
    rerender(inRouter(<TreeView vhms={vs} filter={{ q: 'vm-42', state: '', tenant: '' }} />));
    expect(screen.getByRole('link', { name: 'vm-42' })).toBeTruthy();
    rerender(inRouter(<TreeView vhms={vs} filter={none} />));
    const before = screen.getByText(/of 100 VHMs shown/).textContent;
    fireEvent.click(screen.getByRole('button', { name: 'Collapse vm-1' }));
    expect(screen.getByText(/of 100 VHMs shown/).textContent).not.toBe(before);
    expect(screen.queryByRole('link', { name: 'vm-2' })).toBeNull();
    expect(
      screen
        .getByRole('button', { name: 'Expand vm-1' })
        .closest('[role=treeitem]')
        ?.getAttribute('aria-expanded'),
    ).toBe('false');
  });
});
