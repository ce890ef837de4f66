import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

// A small path router: the API serves index.html for every console path (SPA fallback).

const NAV = 'xdv:navigate';

function subscribe(fn: () => void): () => void {
  window.addEventListener('popstate', fn);
  window.addEventListener(NAV, fn);
  return () => {
    window.removeEventListener('popstate', fn);
    window.removeEventListener(NAV, fn);
  };
}

const snapshot = () => `${window.location.pathname}${window.location.search}`;

export function useLocation(): { path: string; search: URLSearchParams } {
  const loc = useSyncExternalStore(subscribe, snapshot, () => '/');
  const q = loc.indexOf('?');
  return {
    path: q < 0 ? loc : loc.slice(0, q),
    search: new URLSearchParams(q < 0 ? '' : loc.slice(q + 1)),
  };
}

export function navigate(to: string, replace = false): void {
  if (to === snapshot()) return;
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAV));
}

/** The logical time being inspected (?at=L), or null for the live state. */
export function useAt(): number | null {
  const { search } = useLocation();
  const at = search.get('at');
  return at !== null && /^\d+$/.test(at) ? Number(at) : null;
}

/** A path that keeps the replay time when one is set. */
export function withAt(path: string, at: number | null): string {
  if (at === null) return path;
  return `${path}${path.includes('?') ? '&' : '?'}at=${at}`;
}

export function setAt(at: number | null): void {
  const u = new URL(window.location.href);
  if (at === null) u.searchParams.delete('at');
  else u.searchParams.set('at', String(at));
  navigate(`${u.pathname}${u.search}`);
}

export function Link({
  to,
  keepAt = true,
  ...rest
}: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string; keepAt?: boolean }) {
  const at = useAt();
  const href = keepAt ? withAt(to, at) : to;
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a {...rest} href={href} onClick={onClick} />;
}

/** Match a path pattern like /vhms/:id. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!;
    const v = b[i]!;
    if (p.startsWith(':')) out[p.slice(1)] = decodeURIComponent(v);
    else if (p !== v) return null;
  }
  return out;
}
