// Wall-clock estimates of logical time. L moves only when the server's clock source ticks (one tick
// every tickMs of wall time; tickMs 0 = a manual clock that moves only when an operator ticks it).
// Everything here is a pure function of a number of ticks and tickMs: the console never animates
// an estimate by the browser's clock, it re-renders when L changes.
import { num } from './num';

/** The server's logical clock, as GET /v1/clock answers it. */
export interface ClockInfo {
  l: number;
  tickMs: number;
  ticking: boolean;
}

export const MANUAL = 'manual clock';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A duration in milliseconds as one rounded unit: "0 s", "< 1 s", "≈ 40 s", "≈ 3 min", "≈ 2 h", "≈ 5 d". */
export function duration(ms: number): string {
  const a = Math.abs(ms);
  if (a === 0) return '0 s';
  if (a < SECOND) return '< 1 s';
  // Round first, then pick the unit, so 59.6 s reads "≈ 1 min", never "≈ 60 s".
  const s = Math.round(a / SECOND);
  if (s < 60) return `≈ ${s} s`;
  const m = Math.round(a / MINUTE);
  if (m < 60) return `≈ ${m} min`;
  const h = Math.round(a / HOUR);
  if (h < 24) return `≈ ${h} h`;
  return `≈ ${num(Math.round(a / DAY))} d`;
}

/**
 * The wall-clock length of `ticks` ticks (its magnitude) at `tickMs` per tick; "manual clock" when
 * the clock only moves on an operator's tick; null when the pace is not known (yet).
 */
export function estimate(ticks: number, tickMs: number | null | undefined): string | null {
  if (tickMs === null || tickMs === undefined || !Number.isFinite(ticks)) return null;
  if (tickMs <= 0) return MANUAL;
  return duration(ticks * tickMs);
}

/** An absolute L relative to the current L: "now", "in ≈ 30 s", "≈ 2 min ago" (or "manual clock"). */
export function relative(
  l: number,
  now: number | null | undefined,
  tickMs: number | null | undefined,
): string | null {
  if (now === null || now === undefined || tickMs === null || tickMs === undefined) return null;
  const d = l - now;
  if (d === 0) return 'now';
  if (tickMs <= 0) return MANUAL;
  const e = duration(d * tickMs);
  return d > 0 ? `in ${e}` : `${e} ago`;
}

/** The pace of the clock: "1 tick ≈ 1 s", "1 tick ≈ 250 ms", or "manual clock". */
export function pace(tickMs: number | null | undefined): string | null {
  if (tickMs === null || tickMs === undefined) return null;
  if (tickMs <= 0) return MANUAL;
  if (tickMs < SECOND) return `1 tick ≈ ${tickMs} ms`;
  if (tickMs < MINUTE) return `1 tick ≈ ${Number((tickMs / SECOND).toFixed(1))} s`;
  return `1 tick ${duration(tickMs)}`;
}

/** "1 tick", "40 ticks", "1,234 ticks". */
export function ticks(n: number): string {
  return `${num(n)} ${Math.abs(n) === 1 ? 'tick' : 'ticks'}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * The browser's local time of day, "22:47:05": without Intl, whose first formatter costs a page
 * tens of milliseconds of locale-data loading (see num.ts).
 */
export function timeOfDay(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
