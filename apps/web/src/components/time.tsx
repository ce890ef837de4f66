import { estimate, relative, ticks } from '../lib/clock';
import { fmt } from './ui';

// Logical time with its wall-clock estimate beside it. Pure: the estimate is computed from the
// number of ticks (or an L against the current L) and the clock's pace, so it changes only when L
// (or the pace) does; nothing here reads the browser's clock.

interface EstProps {
  /** The estimate in a tooltip and visually-hidden text instead of beside the number (tight spots). */
  compact?: boolean;
}

/** " (≈ 37 s)" (or " · ≈ 37 s" unbracketed) as muted small text; nothing when the pace is not known. */
export function Est({
  text,
  compact = false,
  bracket = true,
}: { text: string | null; bracket?: boolean } & EstProps) {
  if (text === null) return null;
  return <span className={compact ? 'sr-only' : 'est'}>{bracket ? ` (${text})` : ` · ${text}`}</span>;
}

/** "40 ticks (≈ 40 s)", "40 ticks (manual clock)". */
export function Ticks({
  n,
  tickMs,
  compact = false,
}: { n: number; tickMs: number | null | undefined } & EstProps) {
  const e = estimate(n, tickMs);
  return (
    <span className="ticks" title={compact && e ? e : undefined}>
      {ticks(n)}
      <Est text={e} compact={compact} />
    </span>
  );
}

/** "L 1,234 (≈ 2 min ago)", "L 1,300 (in ≈ 1 min)", "L 1,234 (now)"; `bare` leaves out the "L ". */
export function AtL({
  l,
  now,
  tickMs,
  compact = false,
  bare = false,
}: {
  l: number;
  now: number | null | undefined;
  tickMs: number | null | undefined;
  bare?: boolean;
} & EstProps) {
  const e = relative(l, now, tickMs);
  return (
    <span className="at-l" title={compact && e ? e : undefined}>
      {bare ? fmt(l) : `L ${fmt(l)}`}
      <Est text={e} compact={compact} />
    </span>
  );
}
