import { type ReactNode, type RefObject, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { num } from '../lib/num';
import { exactBytes, gib } from '../lib/units';

/** Widths of the placeholder lines: distinct, so each is its own key. */
const SKELETON = [92, 74, 86, 63, 80, 69, 88, 57];

/** Grey placeholder lines in place of content that is on its way, with its name for a screen reader. */
export function Loading({ what = 'Loading', lines = 3 }: { what?: string; lines?: number }) {
  return (
    <div className="skeleton" role="status" aria-live="polite" aria-label={what}>
      <span className="sr-only">{what}…</span>
      {SKELETON.slice(0, lines).map((w) => (
        <span key={w} className="skeleton-line" style={{ width: `${w}%` }} aria-hidden="true" />
      ))}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

export function ErrorBox({
  error,
  title = 'Request failed',
  onRetry,
}: {
  error: unknown;
  title?: string;
  /** Shown as a Retry button: the request is sent again. */
  onRetry?: () => void;
}) {
  const code = error instanceof ApiError ? error.code : 'ERROR';
  const detail =
    error instanceof ApiError ? error.detail : error instanceof Error ? error.message : String(error);
  return (
    <div className="state error" role="alert">
      <strong>{title}</strong> <code className="code">{code}</code>
      <span className="detail">{detail}</span>
      {onRetry ? (
        <button type="button" className="retry" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/** Loading, error and empty states around a list or object. */
export function Guard<T>({
  src,
  empty,
  what,
  children,
}: {
  src: { data: T | undefined; error: unknown; isPending: boolean; refetch?: () => unknown };
  empty?: (d: T) => ReactNode | null;
  what?: string;
  children: (d: T) => ReactNode;
}) {
  const retry = src.refetch;
  if (src.error) return <ErrorBox error={src.error} {...(retry ? { onRetry: () => void retry() } : {})} />;
  if (src.isPending || src.data === undefined) return <Loading {...(what ? { what } : {})} />;
  const e = empty?.(src.data);
  if (e) return <Empty>{e}</Empty>;
  return <>{children(src.data)}</>;
}

export function Badge({ tone, children }: { tone?: string; children: ReactNode }) {
  return <span className={`badge ${tone ? `tone-${tone}` : ''}`}>{children}</span>;
}

export const STATE_TONE: Record<string, string> = {
  requested: 'info',
  validated: 'info',
  issued: 'info',
  active: 'ok',
  running: 'ok',
  attested: 'ok',
  ok: 'ok',
  paused: 'warn',
  degraded: 'warn',
  waiting: 'warn',
  terminated: 'bad',
  revoked: 'bad',
  failed: 'bad',
  released: 'muted',
  exited: 'muted',
  done: 'muted',
};

export function StateBadge({ state }: { state: string }) {
  return <Badge tone={STATE_TONE[state] ?? 'muted'}>{state}</Badge>;
}

export function DomainTag({ domain }: { domain: string }) {
  const label = domain === 'PHI' ? 'Φ' : domain;
  return (
    <span className={`domain domain-${domain.toLowerCase()}`} title={`${label} domain`}>
      {label}
    </span>
  );
}

/** A bar of used against a total, with the numbers written out. */
export function Meter({
  label,
  used,
  total,
  unit = '',
  warnAt = 0.8,
  format = fmt,
  exact,
}: {
  label: string;
  used: number;
  total: number;
  unit?: string;
  warnAt?: number;
  /** How a figure is written (memory: GiB); `exact` is the tooltip with the precise figures. */
  format?: (n: number) => string;
  exact?: (n: number) => string;
}) {
  const ratio = total > 0 ? used / total : used > 0 ? Number.POSITIVE_INFINITY : 0;
  const tone = ratio > 1 ? 'bad' : ratio >= warnAt ? 'warn' : 'ok';
  const pct = Math.min(100, Math.round(ratio * 100));
  return (
    <div className="meter">
      <div className="meter-label">
        <span>{label}</span>
        <span className="num" title={exact ? `${exact(used)} of ${exact(total)}` : undefined}>
          {format(used)} / {format(total)}
          {unit ? ` ${unit}` : ''}
        </span>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a styled bar with a tolerance marker; <meter> cannot show one */}
      <div
        className={`meter-bar tone-${tone}`}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={used}
        aria-valuetext={`${format(used)} of ${format(total)}${unit ? ` ${unit}` : ''}`}
      >
        <span style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

export function fmt(n: number): string {
  return num(n);
}

export function bytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

export function Section({
  title,
  actions,
  children,
  id,
  wide = false,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  id?: string;
  /** Two grid columns where the screen has them (a table whose columns need the room). */
  wide?: boolean;
}) {
  const hid = `h-${(id ?? title).replace(/[^a-zA-Z0-9]+/g, '-').toLowerCase()}`;
  const ref = useRef<HTMLElement>(null);
  const scrolls = useScrollsSideways(ref);
  return (
    // A panel whose content is wider than the screen scrolls; then it takes focus, so a keyboard can scroll it.
    <section
      ref={ref}
      className={wide ? 'panel wide' : 'panel'}
      aria-labelledby={hid}
      {...(scrolls ? { tabIndex: 0 } : {})}
    >
      <header className="panel-head">
        <h2 id={hid}>{title}</h2>
        {actions ? <div className="panel-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

/** A quantity in its unit: memory in GiB with the exact bytes on hover; anything else as counted. */
export function Qty({ resource, n }: { resource: string; n: number }) {
  if (resource === 'memory')
    return (
      <span className="num" title={exactBytes(n)}>
        {gib(n)}
      </span>
    );
  return <span className="num">{fmt(n)}</span>;
}

/** Whether an element's content is wider than the element (it scrolls sideways), kept current on resize. */
function useScrollsSideways(ref: RefObject<HTMLElement | null>): boolean {
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const check = () => setScrolls(el.scrollWidth > el.clientWidth + 1);
    const ro = new ResizeObserver(check);
    ro.observe(el);
    for (const c of el.children) ro.observe(c);
    // No check() here: reading scrollWidth in an effect forces a layout per panel (a dozen on the
    // VHM page); the observer's first callback comes after the browser's own layout, for free.
    return () => ro.disconnect();
  }, [ref]);
  return scrolls;
}
