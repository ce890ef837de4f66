import type { ProviderUsage } from '@xdv/core';
import type { Series } from '../api/types';
import { fmt } from './ui';

// A Φ envelope's stability at a glance (issue 15 §4): a sparkline of its recent stability index
// against the tolerance its contract set. Labels are HTML text, legible at any width.

const W = 240;
const H = 40;

export function points(samples: ReadonlyArray<{ l: number; v: number }>): string {
  if (samples.length === 0) return '';
  const lo = samples[0]!.l;
  const span = Math.max(1, samples.at(-1)!.l - lo);
  return samples.map((s) => `${((s.l - lo) / span) * W},${(H - (s.v / 10000) * H).toFixed(1)}`).join(' ');
}

export function StabilitySparklines({ series, usage }: { series: Series; usage: ProviderUsage | undefined }) {
  const stab = series.series.filter((x) => x.metric === 'stability' && x.samples.length > 0);
  if (stab.length === 0) return null;
  const tolerance = (env: string) => usage?.contracts.find((c) => c.envelope === env)?.tolerance ?? null;
  return (
    <ul className="sparklines">
      {stab.map((x) => {
        const tol = tolerance(x.subject);
        const last = x.samples.at(-1)!;
        const below = tol !== null && last.v < tol;
        return (
          <li key={x.subject}>
            <span className="spark-label">
              <code>{x.subject}</code> stability {fmt(last.v)} bp
              {tol !== null ? ` · tolerance ${fmt(tol)} bp` : ' · ended or not yours'}
              {below ? <strong className="text-bad"> below tolerance</strong> : null}
            </span>
            <svg
              viewBox={`0 0 ${W} ${H}`}
              className="spark"
              role="img"
              aria-label={`${x.subject}: stability ${last.v} bp at L ${last.l}${tol !== null ? `, tolerance ${tol} bp` : ''}`}
              preserveAspectRatio="none"
            >
              {tol !== null ? (
                <line x1="0" x2={W} y1={H - (tol / 10000) * H} y2={H - (tol / 10000) * H} className="tol" />
              ) : null}
              <polyline points={points(x.samples)} className={below ? 'line bad' : 'line'} />
            </svg>
          </li>
        );
      })}
    </ul>
  );
}
