import { useClock } from '../api/clock';
import { Est } from '../components/time';
import { fmt } from '../components/ui';
import { relative } from '../lib/clock';
import { useSetAt } from '../lib/router';

export function ReplayBanner({ at }: { at: number }) {
  const { live, tickMs } = useClock();
  const setAt = useSetAt();
  return (
    <div className="replay-banner" role="status">
      <strong>NOT LIVE</strong> — showing the state at logical time L {at}
      {/* Placeholders until the live L is known, so the banner does not grow (and push the page). */}
      <Est text={live !== undefined ? relative(at, live, tickMs) : '…'} /> (replayed from the trace; actions
      are disabled).
      <span className="spacer" />
      <button type="button" onClick={() => setAt(Math.max(0, at - 1))} title="Step back one tick">
        ◀ L−1
      </button>
      <button type="button" onClick={() => setAt(at + 1)} title="Step forward one tick">
        L+1 ▶
      </button>
      <button type="button" className="primary" onClick={() => setAt(null)}>
        Back to live (L {live !== undefined ? fmt(live) : '…'})
      </button>
    </div>
  );
}
