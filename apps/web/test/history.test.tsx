import { QueryClient } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { type Entry, run, scenario } from '@xdv/core';
import { describe, expect, it } from 'vitest';
import { qk } from '../src/api/keys';
import { affectedKeys, applyEntry } from '../src/api/live';
import { merge } from '../src/api/traceCache';
import type { TracePage } from '../src/api/types';
import { TraceHistory } from '../src/components/TraceHistory';
import { actorOf, categoryOf, codeOf, groupEntries, summarize } from '../src/lib/traceGroups';
import Trace, { NewerBar, newerGroups } from '../src/views/Trace';
import { mockApi, renderWithClient } from './helpers';

// Issue 15 §5: the trace as an event history, appended live instead of refetched.

const { OPERATOR, genesisCmd, quotaOf, tenantAdmin } = scenario;
const quota = quotaOf({ vhms: 2, memory: 1024, cpu: 2, qubits: 0, envelopes: 0 });

/** A short real trace: genesis, a tenant, a VHM, a clock tick, and a tenant refused an operator action. */
function entries(): Entry[] {
  const { results } = run([
    genesisCmd(),
    { type: 'tenant.create', name: 'acme', quota, actor: OPERATOR },
    {
      type: 'vhm.create',
      tenant: 'tenant-1',
      name: 'web',
      quota,
      parent: null,
      capability: null,
      actor: tenantAdmin('tenant-1'),
    },
    { type: 'clock.advance', ticks: 1, actor: OPERATOR },
    { type: 'tenant.create', name: 'sneaky', quota, actor: tenantAdmin('tenant-1') },
  ]);
  return results.flatMap((r) => r.entries);
}

const clock = { tickMs: 1000, now: 1, live: 1, notLive: false };

describe('grouping the trace', () => {
  it('puts each command with its effects, and names actor, code and a summary', () => {
    const groups = groupEntries(entries());
    const vhm = groups.find((g) => g.command?.type === 'vhm.create')!;
    expect(vhm.effects.map((e) => e.type)).toEqual(['vhm.created', 'cap.issued']);
    expect(actorOf(vhm.command)).toBe('tenant-1 admin');
    expect(summarize(vhm)).toBe('tenant-1 → vhm.created vhm-1, cap.issued cap-1');
    const refused = groups.at(-1)!;
    expect(codeOf(refused.command)).toBe('HV_FORBIDDEN');
    expect(summarize(refused)).toMatch(/^refused: /);
    expect(groups.find((g) => g.command?.type === 'clock.advance')!.category).toBe('clock');
    expect(categoryOf('q.metrics.reported')).toBe('reports');
    expect(categoryOf('sched.decision')).toBe('scheduler');
    // Effects whose command is on an earlier page form a group of their own.
    expect(groupEntries(vhm.effects)[0]!.command).toBeNull();
  });

  it('renders rows with actor and code, hides telemetry, and expands a command’s effects', async () => {
    const items = entries();
    const hidden = new Set<'clock'>(['clock']);
    const { rerender, router } = renderWithClient(
      <TraceHistory items={items} hidden={new Set()} selected={null} onSelect={() => {}} clock={clock} />,
    );
    expect(await screen.findByText('clock.advance')).toBeTruthy();
    const row = screen.getByText('vhm.create').closest('tr')!;
    expect(row.textContent).toContain('tenant-1 admin');
    const refused = screen.getByText('HV_FORBIDDEN').closest('tr')!;
    expect(refused.textContent).toContain('rejected');
    // Effects are folded into their command until expanded.
    expect(screen.queryByText('vhm.created')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: /Show the 2 effects of entry/ }));
    expect(screen.getByText('vhm.created')).toBeTruthy();
    expect(screen.getByText('cap.issued')).toBeTruthy();
    // An effect row has its group row's columns (no spanning cell), so the columns a phone hides
    // (L, actor, code, VHM) are the same cells in both, and the VHM is in the VHM column.
    const effect = screen.getByText('vhm.created').closest('tr')!;
    const cols = (r: HTMLTableRowElement) => [...r.cells].map((c) => c.colSpan);
    expect(cols(effect)).toEqual(cols(row as HTMLTableRowElement));
    const vhmCol = [...screen.getAllByRole('columnheader')].findIndex((h) => h.textContent === 'VHM');
    expect((effect as HTMLTableRowElement).cells[vhmCol]!.textContent).toBe('vhm-1');
    const state = row.querySelector('a[href^="/replay?at="]')!;
    const at = items.find((e) => e.type === 'vhm.create')!.l;
    expect(state.getAttribute('href')).toBe(`/replay?at=${at}`);
    // A plain click navigates inside the console (no document load), as a router link would.
    fireEvent.click(state);
    await waitFor(() => expect(router.state.location.pathname).toBe('/replay'));
    expect(router.state.location.search).toEqual({ at });
    fireEvent.click(within(effect as HTMLElement).getByRole('link', { name: 'vhm-1' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/vhms/vhm-1'));
    rerender(
      <TraceHistory items={items} hidden={hidden} selected={null} onSelect={() => {}} clock={clock} />,
    );
    expect(screen.queryByText('clock.advance')).toBeNull();
    expect(screen.getByText('vhm.create')).toBeTruthy();
  });
});

describe('the live trace tail', () => {
  it('appends streamed entries to the cached newest page, once, without invalidating trace pages', () => {
    const all = entries();
    const qc = new QueryClient();
    const page: TracePage = {
      items: all.slice(0, 3),
      head: { seq: 3, hash: all[2]!.hash, l: 0 },
      nextAfter: null,
    };
    qc.setQueryData(qk.traceTail(), page);
    const pending = new Map<string, unknown[]>();
    for (const e of all.slice(2)) applyEntry(qc, e, pending);
    applyEntry(qc, all.at(-1)!, pending);
    const tail = qc.getQueryData<TracePage>(qk.traceTail())!;
    expect(tail.items.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
    expect(tail.head.seq).toBe(all.at(-1)!.seq);
    for (const k of pending.values()) expect(k[0]).not.toBe('trace');
    expect(affectedKeys({ type: 'sched.decision', vhm: null })).toContainEqual(['trace', 'decisions']);
    // An entry the page already read (it raced the read) is not added twice.
    expect(merge(tail, [all[1]!])).toBe(tail);
  });

  it('reads the newest page once, offers streamed entries above the rows, keeps the selection in the URL', async () => {
    const all = entries();
    const head = all.at(-1)!;
    const { calls } = mockApi({
      'GET /v1/me': {
        token: {
          id: 't',
          kind: 'operator',
          tenant: null,
          role: null,
          provider: null,
          label: 'op',
          revoked: false,
          createdAt: '',
          lastUsedAt: null,
          expiresAt: null,
        },
        tenantName: null,
      },
      'GET /v1/overview': {
        l: 1,
        seq: head.seq,
        head: head.hash,
        broken: null,
        vhmsByState: {},
        providers: [],
        conservation: { ok: true },
        invariants: { ok: true, violations: 0 },
        alerts: [],
        faults: [],
        tenants: [],
      },
      'GET /v1/trace': {
        items: all.slice(0, -1),
        head: { seq: head.seq - 1, hash: '', l: 1 },
        nextAfter: null,
      },
      'GET /v1/trace/verify': { ok: true, entries: all.length, mismatch: null },
      'GET /v1/trace/head': new Response(JSON.stringify({ code: 'HV_NOT_FOUND', detail: 'none' }), {
        status: 404,
        headers: { 'content-type': 'application/problem+json' },
      }),
    });
    const { qc, router } = renderWithClient(<Trace />, '/trace');
    await screen.findByText('vhm.create');
    const pending = new Map<string, unknown[]>();
    applyEntry(qc, head, pending);
    for (const k of pending.values()) await qc.invalidateQueries({ queryKey: k });
    // The streamed entry waits above the rows instead of pushing them down; the reader brings it up.
    const rows = () =>
      [...document.querySelectorAll('tr.group-row')].map(
        (r) => (r as HTMLTableRowElement).cells[0]!.textContent,
      );
    const before = rows();
    const offer = await screen.findByRole('button', { name: '▲ Show 1 newer entry' });
    expect(screen.queryByText('HV_FORBIDDEN')).toBeNull();
    expect(rows()).toEqual(before);
    fireEvent.click(offer);
    await screen.findByText('HV_FORBIDDEN');
    expect(screen.getByText('Up to date: newer entries are offered here.')).toBeTruthy();
    expect(calls.filter((c) => c.url.startsWith('/v1/trace?')).length).toBe(1);
    // The newest page directly, without waiting for the head from the overview.
    expect(calls.find((c) => c.url.startsWith('/v1/trace?'))?.url).toBe(
      `/v1/trace?before=${Number.MAX_SAFE_INTEGER}&limit=50`,
    );
    fireEvent.click(screen.getByRole('button', { name: String(head.seq) }));
    await waitFor(() => expect(router.state.location.search).toEqual({ seq: head.seq }));
    expect(screen.getByRole('complementary', { name: `Entry ${head.seq}` })).toBeTruthy();
  });
});

describe('entries newer than the page on screen', () => {
  it('counts the groups a reader would see, and says when the live tail dropped some', () => {
    const all = entries();
    const at = (n: number): TracePage => ({
      items: all.slice(0, n),
      head: { seq: all[n - 1]!.seq, hash: '', l: 0 },
      nextAfter: null,
    });
    const shown = at(3);
    const live = at(all.length);
    const tick = all.find((e) => e.type === 'clock.advance')!;
    expect(tick.seq).toBeGreaterThan(3);
    const groups = newerGroups(shown, live, new Set());
    expect(groups.gap).toBe(false);
    expect(newerGroups(shown, live, new Set(['clock'])).groups).toBe(groups.groups - 1);
    expect(newerGroups(live, live, new Set())).toEqual({ groups: 0, gap: false });
    // The tail kept only its newest entries: some between the screen and them are not counted.
    const trimmed = { ...live, items: live.items.slice(-1) };
    expect(newerGroups(shown, trimmed, new Set())).toEqual({ groups: 1, gap: true });
  });

  it('offers them by count, or as a jump when the tail no longer reaches the rows on screen', () => {
    const shows: number[] = [];
    const { rerender } = render(<NewerBar newer={{ groups: 3, gap: false }} onShow={() => shows.push(1)} />);
    fireEvent.click(screen.getByRole('button', { name: '▲ Show 3 newer entries' }));
    expect(shows).toEqual([1]);
    rerender(<NewerBar newer={{ groups: 0, gap: true }} onShow={() => {}} />);
    expect(screen.getByRole('button', { name: '▲ Jump to the newest entries' })).toBeTruthy();
    rerender(<NewerBar newer={{ groups: 0, gap: false }} onShow={() => {}} />);
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('tells a screen reader once that entries wait, not at every new entry', () => {
    const { rerender } = render(<NewerBar newer={{ groups: 0, gap: false }} onShow={() => {}} />);
    const status = screen.getByRole('status');
    expect(status.textContent).toBe('');
    rerender(<NewerBar newer={{ groups: 1, gap: false }} onShow={() => {}} />);
    const said = status.textContent;
    expect(said).toMatch(/Newer entries are waiting/);
    // More entries arrive: the live region's text stays the same, so nothing is announced again.
    rerender(<NewerBar newer={{ groups: 7, gap: false }} onShow={() => {}} />);
    expect(screen.getByRole('status')).toBe(status);
    expect(status.textContent).toBe(said);
    rerender(<NewerBar newer={{ groups: 0, gap: true }} onShow={() => {}} />);
    expect(status.textContent).toBe(said);
    rerender(<NewerBar newer={{ groups: 0, gap: false }} onShow={() => {}} />);
    expect(status.textContent).toBe('');
  });
});

describe('a long trace page', () => {
  // Rows are drawn 10 per task: on a busy machine (two test suites at once) that takes seconds.
  const SLOW = { timeout: 15_000 };
  const many = (): Entry[] => {
    const { results } = run([
      genesisCmd(),
      ...Array.from({ length: 119 }, () => ({ type: 'clock.advance' as const, ticks: 1, actor: OPERATOR })),
    ]);
    return results.flatMap((r) => r.entries);
  };
  const rows = () => document.querySelectorAll('tr.group-row').length;

  it('draws the newest 20 groups, 10 rows per commit after the table itself, and more on request', async () => {
    renderWithClient(
      <TraceHistory items={many()} hidden={new Set()} selected={null} onSelect={() => {}} clock={clock} />,
    );
    // The first commit is the table's frame: the rows follow in later tasks, each a transition,
    // so the answer that brings them never renders them in one synchronous task.
    expect(rows()).toBe(0);
    await waitFor(() => expect(rows()).toBeGreaterThan(0), SLOW);
    expect(rows()).toBeLessThanOrEqual(10);
    await waitFor(() => expect(rows()).toBe(20), SLOW);
    expect(screen.getByText('100 older on this page')).toBeTruthy();
    for (const n of [40, 60, 80, 100, 120]) {
      fireEvent.click(await screen.findByRole('button', { name: 'Show 20 more' }, SLOW));
      await waitFor(() => expect(rows()).toBe(n), SLOW);
    }
    expect(screen.queryByRole('button', { name: /more$/ })).toBeNull();
    expect(screen.queryByText(/older on this page/)).toBeNull();
  });

  it('always draws the selected entry, however old', async () => {
    const items = many();
    const old = items.filter((e) => e.type === 'clock.advance')[1]!.seq;
    renderWithClient(
      <TraceHistory items={items} hidden={new Set()} selected={old} onSelect={() => {}} clock={clock} />,
    );
    expect(await screen.findByRole('button', { name: String(old), pressed: true }, SLOW)).toBeTruthy();
  });
});
