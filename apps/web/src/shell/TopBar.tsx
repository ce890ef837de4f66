import { useState } from 'react';
import { useClock } from '../api/clock';
import { liveBadge, useReach, useReadiness } from '../api/health';
import { useLiveStatus } from '../api/live';
import { fmt } from '../components/ui';
import { pace } from '../lib/clock';
import { useAt } from '../lib/router';
import { applyTheme, storedTheme, type Theme } from '../lib/theme';

/** The live logical time and the clock's pace: "L 1,234 · 1 tick ≈ 1 s" or "L 1,234 · manual clock". */
export function ClockStatus() {
  const { live, tickMs } = useClock();
  // Until the clock is known, a placeholder of its width keeps the top bar from reflowing.
  if (live === undefined)
    return (
      <span className="clock" aria-hidden="true">
        L —
      </span>
    );
  const p = pace(tickMs);
  return (
    <span
      className="clock"
      title="Logical time L: only the server's clock source moves it, one tick at a time"
    >
      L {fmt(live)}
      {p ? <span className="clock-pace"> · {p}</span> : null}
    </span>
  );
}

export function LiveIndicator() {
  const s = useLiveStatus();
  const reach = useReach();
  const ready = useReadiness();
  const at = useAt();
  if (at !== null) return null;
  const b = liveBadge(s, reach, ready.data);
  return (
    <span
      className={`live live-${b.tone}`}
      role="status"
      aria-label={`Live updates: ${b.label}. ${b.why}`}
      title={b.why}
    >
      <span aria-hidden="true">●</span> {b.label}
    </span>
  );
}

export function ThemeToggle() {
  const [t, setT] = useState<Theme>(() => storedTheme());
  const next: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };
  return (
    <button
      type="button"
      onClick={() => {
        const n = next[t];
        applyTheme(n);
        setT(n);
      }}
      title={`Colour theme: ${t}. Switch to ${next[t]}`}
    >
      {t === 'system' ? '◐' : t === 'light' ? '☀' : '☾'}{' '}
      <span className="theme-label">{t === 'system' ? 'Auto' : t === 'light' ? 'Light' : 'Dark'}</span>
    </button>
  );
}
