import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AtL, Ticks } from '../src/components/time';
import { duration, estimate, pace, relative, ticks } from '../src/lib/clock';

describe('wall-clock estimate of a number of ticks', () => {
  it('0 ticks, 1 tick and sub-second ticks', () => {
    expect(estimate(0, 1000)).toBe('0 s');
    expect(estimate(1, 1000)).toBe('≈ 1 s');
    expect(estimate(1, 250)).toBe('< 1 s');
    expect(estimate(3, 250)).toBe('< 1 s');
    expect(estimate(4, 250)).toBe('≈ 1 s');
  });

  it('seconds, minutes, hours and days, rounded before the unit is chosen', () => {
    expect(estimate(40, 1000)).toBe('≈ 40 s');
    expect(estimate(59, 1000)).toBe('≈ 59 s');
    expect(duration(59_400)).toBe('≈ 59 s');
    expect(duration(59_600)).toBe('≈ 1 min'); // never "≈ 60 s"
    expect(estimate(60, 1000)).toBe('≈ 1 min');
    expect(estimate(89, 1000)).toBe('≈ 1 min');
    expect(estimate(90, 1000)).toBe('≈ 2 min');
    expect(estimate(180, 1000)).toBe('≈ 3 min');
    expect(duration(59 * 60_000 + 40_000)).toBe('≈ 1 h'); // never "≈ 60 min"
    expect(estimate(7200, 1000)).toBe('≈ 2 h');
    expect(duration(23.6 * 3_600_000)).toBe('≈ 1 d'); // never "≈ 24 h"
    expect(estimate(5 * 86_400, 1000)).toBe('≈ 5 d');
    expect(estimate(1000 * 86_400, 1000)).toBe('≈ 1,000 d');
  });

  it('the pace scales the estimate', () => {
    expect(estimate(40, 500)).toBe('≈ 20 s');
    expect(estimate(40, 60_000)).toBe('≈ 40 min');
  });

  it('a negative count is a length of time like its magnitude', () => {
    expect(estimate(-40, 1000)).toBe('≈ 40 s');
  });

  it('a manual clock has no estimate, and an unknown pace shows nothing', () => {
    expect(estimate(40, 0)).toBe('manual clock');
    expect(estimate(0, 0)).toBe('manual clock');
    expect(estimate(40, undefined)).toBeNull();
    expect(estimate(40, null)).toBeNull();
  });
});

describe('an absolute L against the current L', () => {
  it('now, in the future, in the past', () => {
    expect(relative(100, 100, 1000)).toBe('now');
    expect(relative(130, 100, 1000)).toBe('in ≈ 30 s');
    expect(relative(101, 100, 1000)).toBe('in ≈ 1 s');
    expect(relative(99, 100, 1000)).toBe('≈ 1 s ago');
    expect(relative(100 - 120, 100, 1000)).toBe('≈ 2 min ago');
    expect(relative(99, 100, 100)).toBe('< 1 s ago');
    expect(relative(101, 100, 100)).toBe('in < 1 s');
  });

  it('with a manual clock, only "now" is known', () => {
    expect(relative(100, 100, 0)).toBe('now');
    expect(relative(130, 100, 0)).toBe('manual clock');
    expect(relative(70, 100, 0)).toBe('manual clock');
  });

  it('nothing without the current L or the pace', () => {
    expect(relative(100, undefined, 1000)).toBeNull();
    expect(relative(100, 100, undefined)).toBeNull();
  });
});

describe('pace and tick counts', () => {
  it('pace', () => {
    expect(pace(1000)).toBe('1 tick ≈ 1 s');
    expect(pace(1500)).toBe('1 tick ≈ 1.5 s');
    expect(pace(250)).toBe('1 tick ≈ 250 ms');
    expect(pace(120_000)).toBe('1 tick ≈ 2 min');
    expect(pace(0)).toBe('manual clock');
    expect(pace(undefined)).toBeNull();
  });

  it('ticks', () => {
    expect(ticks(1)).toBe('1 tick');
    expect(ticks(0)).toBe('0 ticks');
    expect(ticks(1234)).toBe('1,234 ticks');
  });
});

describe('<Ticks> and <AtL>', () => {
  it('show the estimate as muted text beside the number', () => {
    const { container } = render(
      <p>
        <Ticks n={37} tickMs={1000} /> · <AtL l={80} now={200} tickMs={1000} />
      </p>,
    );
    expect(container.textContent).toBe('37 ticks (≈ 37 s) · L 80 (≈ 2 min ago)');
    expect(container.querySelectorAll('.est')).toHaveLength(2);
  });

  it('compact: the estimate is a tooltip and visually-hidden text', () => {
    render(<AtL l={1234} now={1234} tickMs={1000} compact />);
    const el = screen.getByTitle('now');
    expect(el.textContent).toBe('L 1,234 (now)');
    expect(el.querySelector('.sr-only')?.textContent).toBe(' (now)');
  });

  it('manual clock and unknown pace', () => {
    const { container, rerender } = render(<Ticks n={5} tickMs={0} />);
    expect(container.textContent).toBe('5 ticks (manual clock)');
    rerender(<Ticks n={5} tickMs={undefined} />);
    expect(container.textContent).toBe('5 ticks');
    rerender(<AtL l={9} now={4} tickMs={undefined} bare />);
    expect(container.textContent).toBe('9');
  });
});
