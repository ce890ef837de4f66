import type { Binding, BindingState, Contract } from '@xdv/core';
import { estimate, relative } from '../lib/clock';
import { AtL, Est } from './time';
import { fmt } from './ui';

const STEPS: BindingState[] = ['requested', 'validated', 'active', 'released'];

/**
 * A binding as its requested → validated → active → released machine, with the L of each step (and,
 * given the current L and the clock's pace, how long ago that was, as a tooltip).
 */
export function BindingMachine({
  binding,
  now,
  tickMs,
}: {
  binding: Pick<Binding, 'id' | 'state' | 'history' | 'domain'>;
  now?: number | undefined;
  tickMs?: number | undefined;
}) {
  const at = new Map<BindingState, number>();
  for (const [s, l] of binding.history) if (!at.has(s)) at.set(s, l);
  const current = STEPS.indexOf(binding.state);
  return (
    <ol className="machine" aria-label={`Binding ${binding.id} state machine, now ${binding.state}`}>
      {STEPS.map((s, i) => {
        const reached = at.has(s);
        const skipped = !reached && i < current;
        const cls = s === binding.state ? 'current' : reached ? 'done' : skipped ? 'skipped' : 'todo';
        return (
          <li key={s} className={`step ${cls}`} aria-current={s === binding.state ? 'step' : undefined}>
            <span className="step-name">{s}</span>
            <span className="step-l">
              {reached ? <AtL l={at.get(s)!} now={now} tickMs={tickMs} compact /> : skipped ? 'skipped' : '—'}
              {s === binding.state ? <span className="sr-only"> (current)</span> : null}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** Decoherence budget of a Q contract: used and remaining, never any raw Q state. */
export function BudgetView({ budget, consumed, label }: { budget: number; consumed: number; label: string }) {
  const remaining = Math.max(0, budget - consumed);
  const ratio = budget > 0 ? consumed / budget : 1;
  const tone = consumed > budget ? 'bad' : ratio >= 0.8 ? 'warn' : 'ok';
  return (
    <div className="budget">
      <div className="meter-label">
        <span>{label}</span>
        <span className="num">
          used {fmt(consumed)} · remaining {fmt(remaining)} of {fmt(budget)}
        </span>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a styled bar with a tolerance marker; <meter> cannot show one */}
      <div
        className={`meter-bar tone-${tone}`}
        role="meter"
        aria-label={`${label}: decoherence budget used`}
        aria-valuemin={0}
        aria-valuemax={budget}
        aria-valuenow={Math.min(consumed, budget)}
        aria-valuetext={`${fmt(consumed)} used, ${fmt(remaining)} remaining of ${fmt(budget)} budget units`}
      >
        <span style={{ width: `${Math.min(100, Math.round(ratio * 100))}%` }} />
      </div>
    </div>
  );
}

export type WindowPhase = 'pending' | 'open' | 'closed' | 'terminated';

/** The reason the core records when a Φ window reaches its end (engine/expiry.ts). */
const EXPIRED = 'coherence window expired';

export function windowPhase(start: number, end: number, l: number, ended = false): WindowPhase {
  return ended ? 'terminated' : l < start ? 'pending' : l < end ? 'open' : 'closed';
}

/** How an envelope ended before its window did: the L (when known) and the reason code (if any). */
export interface Ended {
  l: number | null;
  reason?: string | null;
}

/**
 * Whether a binding's Φ envelope has ended before its window did: the binding is released, or its
 * contract revoked or released. It ended at the L the binding was released (else the contract's end).
 */
export function envelopeEnded(
  b: Pick<Binding, 'state' | 'history'>,
  c: Pick<Contract, 'status' | 'endedL' | 'reason'>,
): Ended | null {
  if (b.state !== 'released' && c.status !== 'revoked' && c.status !== 'released') return null;
  const released = b.history.find(([s]) => s === 'released')?.[1];
  return { l: released ?? c.endedL ?? null, reason: c.reason };
}

/**
 * A Φ coherence window [start, end) on a logical-time axis, with the current L and the last
 * stability index against the contract's tolerance. An envelope that has been terminated is shown
 * as terminated (at the L it ended, when known), never as open. Pure function of its inputs.
 */
export function WindowView({
  label,
  start,
  end,
  now,
  stability,
  tolerance,
  ended = null,
  tickMs,
}: {
  label: string;
  start: number;
  end: number;
  now: number;
  stability: number | null;
  tolerance: number;
  ended?: Ended | null;
  /** The clock's pace: each tick count gets its wall-clock estimate (none while unknown). */
  tickMs?: number | undefined;
}) {
  // A window that simply ran out is not a failure: it is drawn closed, in a neutral colour.
  const natural = ended !== null && (ended.reason === EXPIRED || (ended.l !== null && ended.l >= end));
  const early = natural ? null : ended;
  const endL = early?.l ?? null;
  const lo = Math.min(start, now, endL ?? start);
  const hi = Math.max(end, now + 1, endL ?? end);
  const span = Math.max(1, hi - lo);
  const x = (l: number) => 10 + ((l - lo) / span) * 580;
  const phase = windowPhase(start, end, now, early !== null);
  const text =
    phase === 'terminated'
      ? `terminated${endL !== null ? ` at L ${fmt(endL)}` : ''}${early?.reason ? ` (${early.reason})` : ''}`
      : phase === 'open'
        ? `open: ${fmt(end - now)} ticks remain`
        : phase === 'pending'
          ? `opens in ${fmt(start - now)} ticks`
          : `closed ${fmt(now - end + 1)} ticks ago`;
  // The same distances in wall-clock time, from the ticks and the pace only (no browser clock).
  const est =
    phase === 'terminated'
      ? endL !== null
        ? relative(endL, now, tickMs)
        : null
      : estimate(phase === 'open' ? end - now : phase === 'pending' ? start - now : now - end + 1, tickMs);
  // A terminated window is drawn up to the L it ended at, and the rest of it as an outline only.
  const cut = phase === 'terminated' && endL !== null ? Math.min(Math.max(endL, start), end) : null;
  const stable = stability === null ? null : stability >= tolerance;
  return (
    <figure className="window">
      <figcaption>
        <strong>{label}</strong> window [L {fmt(start)}, L {fmt(end)}) —{' '}
        <span className={`phase-${phase}`}>
          {text}
          <Est text={est} bracket={phase !== 'terminated'} />
        </span>
        {' · '}
        {phase === 'terminated' ? 'last ' : ''}stability index{' '}
        <span className={stable === false ? 'text-bad' : ''}>
          {stability === null ? 'not reported yet' : `${(stability / 100).toFixed(2)}%`}
        </span>{' '}
        (tolerance {(tolerance / 100).toFixed(2)}%)
      </figcaption>
      <svg
        viewBox="0 0 600 44"
        role="img"
        aria-label={`Coherence window from L ${start} to L ${end}; current L ${now}; ${text}${est ? (phase === 'terminated' ? `, ${est}` : ` (${est})`) : ''}`}
      >
        <line x1="10" x2="590" y1="30" y2="30" className="axis" />
        {phase === 'terminated' ? (
          <>
            <rect
              x={x(start)}
              y="18"
              width={Math.max(2, x(end) - x(start))}
              height="12"
              className="win win-cut"
            />
            {cut !== null && cut > start ? (
              <rect
                x={x(start)}
                y="18"
                width={Math.max(2, x(cut) - x(start))}
                height="12"
                className="win win-terminated"
              />
            ) : null}
            {endL !== null ? <line x1={x(endL)} x2={x(endL)} y1="14" y2="34" className="ended" /> : null}
          </>
        ) : (
          <rect
            x={x(start)}
            y="18"
            width={Math.max(2, x(end) - x(start))}
            height="12"
            className={`win win-${phase}`}
          />
        )}
        <line x1={x(now)} x2={x(now)} y1="8" y2="38" className="now" />
      </svg>
      {/* The scale in HTML, not SVG text: it stays legible (≥ 12 px) however narrow the panel. */}
      <div className="window-scale" aria-hidden="true">
        <span>L {fmt(lo)}</span>
        <span>now L {fmt(now)}</span>
        <span>L {fmt(hi)}</span>
      </div>
      {stability !== null ? (
        // biome-ignore lint/a11y/useSemanticElements: a styled bar with a tolerance marker; <meter> cannot show one
        <div
          className={`meter-bar tone-${stable ? 'ok' : 'bad'}`}
          role="meter"
          aria-label={`${label}: ${phase === 'terminated' ? 'last ' : ''}stability index`}
          aria-valuemin={0}
          aria-valuemax={10000}
          aria-valuenow={stability}
          aria-valuetext={`${(stability / 100).toFixed(2)}%, tolerance ${(tolerance / 100).toFixed(2)}%`}
        >
          <span style={{ width: `${stability / 100}%` }} />
          <i className="tolerance" style={{ left: `${tolerance / 100}%` }} />
        </div>
      ) : null}
    </figure>
  );
}
