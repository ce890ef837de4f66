import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { BindingMachine, BudgetView, envelopeEnded, WindowView, windowPhase } from '../src/components/domain';

describe('binding machine', () => {
  it('shows requested → validated → active → released with the L of each reached step', () => {
    render(
      <BindingMachine
        binding={{
          id: 'bind-1',
          domain: 'Q',
          state: 'active',
          history: [
            ['requested', 4],
            ['validated', 5],
            ['active', 9],
          ],
        }}
      />,
    );
    const list = screen.getByRole('list', { name: /bind-1 state machine, now active/ });
    const steps = list.querySelectorAll('li');
    expect([...steps].map((s) => s.querySelector('.step-name')?.textContent)).toEqual([
      'requested',
      'validated',
      'active',
      'released',
    ]);
    expect(steps[2]!.getAttribute('aria-current')).toBe('step');
    expect(steps[0]!.className).toContain('done');
    expect(steps[0]!.textContent).toContain('L 4');
    expect(steps[2]!.textContent).toContain('L 9');
    expect(steps[3]!.className).toContain('todo');
  });

  it('marks skipped steps when released straight from requested', () => {
    render(
      <BindingMachine
        binding={{
          id: 'bind-2',
          domain: 'K',
          state: 'released',
          history: [
            ['requested', 1],
            ['released', 3],
          ],
        }}
      />,
    );
    const steps = screen.getByRole('list').querySelectorAll('li');
    expect(steps[1]!.className).toContain('skipped');
    expect(steps[2]!.className).toContain('skipped');
    expect(steps[3]!.getAttribute('aria-current')).toBe('step');
  });
});

describe('decoherence budget', () => {
  it('shows used and remaining of the budget', () => {
    render(<BudgetView label="ctr-1" budget={120} consumed={65} />);
    expect(screen.getByText('used 65 · remaining 55 of 120')).toBeTruthy();
    const m = screen.getByRole('meter', { name: /ctr-1: decoherence budget used/ });
    expect(m.getAttribute('aria-valuenow')).toBe('65');
    expect(m.getAttribute('aria-valuetext')).toBe('65 used, 55 remaining of 120 budget units');
    expect(m.className).toContain('tone-ok');
  });

  it('warns near exhaustion and never shows a negative remainder', () => {
    render(<BudgetView label="ctr-2" budget={100} consumed={130} />);
    expect(screen.getByText('used 130 · remaining 0 of 100')).toBeTruthy();
    expect(screen.getByRole('meter').className).toContain('tone-bad');
  });
});

describe('coherence window', () => {
  it('places the window on the logical-time axis against the current L', () => {
    render(<WindowView label="env-1" start={100} end={300} now={250} stability={9400} tolerance={9000} />);
    expect(screen.getByText('open: 50 ticks remain')).toBeTruthy();
    expect(screen.getByRole('img', { name: /from L 100 to L 300; current L 250/ })).toBeTruthy();
    const s = screen.getByRole('meter', { name: 'env-1: stability index' });
    expect(s.getAttribute('aria-valuetext')).toBe('94.00%, tolerance 90.00%');
    expect(s.className).toContain('tone-ok');
  });

  it('says when a window is pending or closed, and flags stability below tolerance', () => {
    expect(windowPhase(10, 20, 5)).toBe('pending');
    expect(windowPhase(10, 20, 19)).toBe('open');
    expect(windowPhase(10, 20, 20)).toBe('closed');
    const { rerender } = render(
      <WindowView label="env-2" start={10} end={20} now={5} stability={null} tolerance={9000} />,
    );
    expect(screen.getByText('opens in 5 ticks')).toBeTruthy();
    expect(screen.getByText('not reported yet')).toBeTruthy();
    rerender(<WindowView label="env-2" start={10} end={20} now={25} stability={8000} tolerance={9000} />);
    expect(screen.getByText('closed 6 ticks ago')).toBeTruthy();
    expect(screen.getByRole('meter').className).toContain('tone-bad');
  });
});

describe('terminated Φ envelope', () => {
  it('is drawn as terminated at the L it ended, never as open, even inside its window', () => {
    render(
      <WindowView
        label="env-1"
        start={81}
        end={481}
        now={123}
        stability={2528}
        tolerance={6000}
        ended={{ l: 105, reason: 'PHI_ERR_STABILITY_BREACH' }}
      />,
    );
    expect(screen.queryByText(/open:/)).toBeNull();
    expect(screen.getByText('terminated at L 105 (PHI_ERR_STABILITY_BREACH)').className).toBe(
      'phase-terminated',
    );
    const img = screen.getByRole('img', { name: /from L 81 to L 481; current L 123; terminated at L 105/ });
    expect(img.querySelector('.win-open')).toBeNull();
    expect(img.querySelector('.win-terminated')).not.toBeNull();
    expect(img.querySelector('line.ended')).not.toBeNull();
    expect(screen.getByRole('meter', { name: 'env-1: last stability index' }).className).toContain(
      'tone-bad',
    );
  });

  it('says terminated without an L when the data has none', () => {
    expect(windowPhase(10, 20, 15, true)).toBe('terminated');
    render(
      <WindowView
        label="env-2"
        start={10}
        end={20}
        now={15}
        stability={null}
        tolerance={9000}
        ended={{ l: null }}
      />,
    );
    expect(screen.getByText('terminated')).toBeTruthy();
  });

  it('an envelope ends when its binding is released or its contract revoked or released', () => {
    const active = { state: 'active' as const, history: [['active', 9]] as Array<['active', number]> };
    const live = { status: 'active' as const, endedL: null, reason: null };
    expect(envelopeEnded(active, live)).toBeNull();
    expect(
      envelopeEnded(
        {
          state: 'released',
          history: [
            ['active', 9],
            ['released', 30],
          ],
        },
        { status: 'revoked', endedL: 31, reason: 'PHI_ERR_STABILITY_BREACH' },
      ),
    ).toEqual({ l: 30, reason: 'PHI_ERR_STABILITY_BREACH' });
    expect(envelopeEnded(active, { status: 'revoked', endedL: 31, reason: null })).toEqual({
      l: 31,
      reason: null,
    });
  });
});

describe('wall-clock estimates beside logical time', () => {
  it('an open window says how long it has left, a pending one when it opens, a closed one since when', () => {
    const { rerender } = render(
      <WindowView
        label="env-1"
        start={100}
        end={300}
        now={263}
        stability={null}
        tolerance={9000}
        tickMs={1000}
      />,
    );
    const open = screen.getByText('open: 37 ticks remain');
    expect(open.textContent).toBe('open: 37 ticks remain (≈ 37 s)');
    expect(open.querySelector('.est')).not.toBeNull();
    expect(
      screen.getByRole('img', { name: /current L 263; open: 37 ticks remain \(≈ 37 s\)$/ }),
    ).toBeTruthy();
    rerender(
      <WindowView
        label="env-1"
        start={100}
        end={300}
        now={70}
        stability={null}
        tolerance={9000}
        tickMs={1000}
      />,
    );
    expect(screen.getByText('opens in 30 ticks').textContent).toBe('opens in 30 ticks (≈ 30 s)');
    rerender(
      <WindowView
        label="env-1"
        start={100}
        end={300}
        now={419}
        stability={null}
        tolerance={9000}
        tickMs={1000}
      />,
    );
    expect(screen.getByText('closed 120 ticks ago').textContent).toBe('closed 120 ticks ago (≈ 2 min)');
  });

  it('follows L, not the browser clock: the estimate changes only when L (or the pace) does', () => {
    const props = { label: 'env-1', start: 0, end: 600, stability: null, tolerance: 9000, tickMs: 1000 };
    const { rerender } = render(<WindowView {...props} now={0} />);
    expect(screen.getByText(/ticks remain/).textContent).toBe('open: 600 ticks remain (≈ 10 min)');
    rerender(<WindowView {...props} now={0} />);
    expect(screen.getByText(/ticks remain/).textContent).toBe('open: 600 ticks remain (≈ 10 min)');
    rerender(<WindowView {...props} now={590} />);
    expect(screen.getByText(/ticks remain/).textContent).toBe('open: 10 ticks remain (≈ 10 s)');
    rerender(<WindowView {...props} now={590} tickMs={60_000} />);
    expect(screen.getByText(/ticks remain/).textContent).toBe('open: 10 ticks remain (≈ 10 min)');
  });

  it('a manual clock shows no made-up estimate, and an unknown pace shows none at all', () => {
    const { rerender } = render(
      <WindowView
        label="env-1"
        start={100}
        end={300}
        now={250}
        stability={null}
        tolerance={9000}
        tickMs={0}
      />,
    );
    expect(screen.getByText(/ticks remain/).textContent).toBe('open: 50 ticks remain (manual clock)');
    rerender(<WindowView label="env-1" start={100} end={300} now={250} stability={null} tolerance={9000} />);
    expect(screen.getByText(/ticks remain/).textContent).toBe('open: 50 ticks remain');
  });

  it('a terminated window says how long ago it ended', () => {
    render(
      <WindowView
        label="env-1"
        start={81}
        end={481}
        now={123}
        stability={null}
        tolerance={6000}
        ended={{ l: 105, reason: 'PHI_ERR_STABILITY_BREACH' }}
        tickMs={1000}
      />,
    );
    expect(screen.getByText('terminated at L 105 (PHI_ERR_STABILITY_BREACH)').textContent).toBe(
      'terminated at L 105 (PHI_ERR_STABILITY_BREACH) · ≈ 18 s ago',
    );
  });

  it('binding steps carry how long ago each was reached, as a tooltip', () => {
    render(
      <BindingMachine
        binding={{
          id: 'bind-1',
          domain: 'Q',
          state: 'active',
          history: [
            ['requested', 4],
            ['validated', 5],
            ['active', 64],
          ],
        }}
        now={124}
        tickMs={1000}
      />,
    );
    const steps = screen.getByRole('list').querySelectorAll('li');
    expect(steps[0]!.querySelector('[title]')?.getAttribute('title')).toBe('≈ 2 min ago');
    expect(steps[2]!.querySelector('[title]')?.getAttribute('title')).toBe('≈ 1 min ago');
    expect(steps[2]!.textContent).toContain('L 64 (≈ 1 min ago)');
  });
});
