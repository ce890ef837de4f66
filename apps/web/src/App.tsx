import { useQueryClient } from '@tanstack/react-query';
import {
  type ComponentType,
  type LazyExoticComponent,
  lazy,
  type ReactNode,
  Suspense,
  useCallback,
  useEffect,
  useState,
} from 'react';
import { getToken, setToken, setUnauthorizedHandler } from './api/client';
import { useClock } from './api/clock';
import { useMe } from './api/data';
import { useLiveStatus, useLiveStream } from './api/live';
import { Est } from './components/time';
import { ErrorBox, fmt, Loading } from './components/ui';
import { pace, relative } from './lib/clock';
import { Link, match, navigate, setAt, useAt, useLocation } from './lib/router';
import { applyTheme, storedTheme, type Theme } from './lib/theme';
import { Overview } from './views/Overview';
import { SignIn } from './views/SignIn';
import { VhmTree } from './views/VhmTree';

/**
 * A code-split view whose chunk can be fetched ahead. Once fetched it renders at once; a view
 * first rendered before that suspends as a lazy component (React then shows the fallback for at
 * least 300 ms, and the view's own requests wait for it).
 */
interface Split<P> {
  name: string;
  loaded: ComponentType<P> | null;
  lazy: LazyExoticComponent<ComponentType<P>>;
  preload: () => Promise<unknown>;
}

function split<P extends object>(name: string, load: () => Promise<{ default: ComponentType<P> }>): Split<P> {
  let pending: Promise<{ default: ComponentType<P> }> | null = null;
  const s: Split<P> = {
    name,
    loaded: null,
    preload: () => {
      pending ??= load().then((m) => {
        s.loaded = m.default;
        return m;
      });
      return pending;
    },
    lazy: lazy(() => s.preload() as Promise<{ default: ComponentType<P> }>),
  };
  return s;
}

function SplitView<P extends object>({ view, props }: { view: Split<P>; props: P }) {
  // Chosen once per mount, so the subtree never remounts when the chunk arrives.
  const [C] = useState(() => view.loaded ?? view.lazy);
  return <C {...props} />;
}

/** A split view; keyed by view, so going from one view to another mounts the other. */
function show<P extends object>(view: Split<P>, props: P): ReactNode {
  return <SplitView key={view.name} view={view} props={props} />;
}

const vhmDetail = split('vhmDetail', () => import('./views/VhmDetail'));
const providers = split('providers', () => import('./views/Providers'));
const scheduler = split('scheduler', () => import('./views/Scheduler'));
const trace = split('trace', () => import('./views/Trace'));
const replay = split('replay', () => import('./views/Replay'));
const admin = split('admin', () => import('./views/Admin'));
const compliance = split('compliance', () => import('./views/Compliance'));
const cluster = split('cluster', () => import('./views/Cluster'));

/** The chunk of the page the console opens on is fetched alongside the sign-in check, not after it. */
export function preloadView(path: string): void {
  const first = path.split('/')[1] ?? '';
  const views: Record<string, { preload: () => Promise<unknown> }> = {
    vhms: vhmDetail,
    providers,
    scheduler,
    trace,
    replay,
    admin,
    compliance,
    cluster,
  };
  if (first === 'vhms' && path.split('/').filter(Boolean).length < 2) return; // the tree is in the main chunk
  void views[first]?.preload().catch(() => {});
}

export function App() {
  const qc = useQueryClient();
  const [token, setTok] = useState<string | null>(() => getToken());
  const signOut = useCallback(() => {
    setToken(null);
    setTok(null);
    qc.clear();
  }, [qc]);
  useEffect(() => {
    setUnauthorizedHandler(signOut);
    return () => setUnauthorizedHandler(null);
  }, [signOut]);
  if (!token)
    return (
      <SignIn
        onSignedIn={(t) => {
          setToken(t);
          setTok(t);
        }}
      />
    );
  return <Shell token={token} onSignOut={signOut} />;
}

function Shell({ token, onSignOut }: { token: string; onSignOut: () => void }) {
  const qc = useQueryClient();
  const me = useMe();
  const at = useAt();
  useLiveStream(qc, token, me.isSuccess && me.data.token.kind !== 'provider');
  const { path } = useLocation();
  const operator = me.data?.token.kind === 'operator';
  const nav: Array<[string, string, boolean]> = [
    ['/', 'Overview', true],
    ['/vhms', 'VHMs', true],
    ['/providers', 'Providers', true],
    ['/scheduler', 'Scheduler', true],
    ['/trace', 'Trace', true],
    ['/replay', 'Replay', true],
    ['/cluster', 'Cluster', true],
    ['/compliance', 'Compliance', true],
    ['/admin', 'Tenants & tokens', operator],
  ];
  const active = (p: string) => (p === '/' ? path === '/' : path.startsWith(p));
  const view = route(path, operator);
  return (
    <div className={`app ${at !== null ? 'not-live' : ''}`}>
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="XDV View home">
          XDV <span>View</span>
        </Link>
        <nav aria-label="Main">
          <ul>
            {nav
              .filter(([, , show]) => show)
              .map(([p, label]) => (
                <li key={p}>
                  <Link to={p} aria-current={active(p) ? 'page' : undefined}>
                    {label}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <div className="topbar-right">
          {me.data?.token.kind !== 'provider' ? <ClockStatus /> : null}
          <LiveIndicator />
          <ThemeToggle />
          <span className="who" title={me.data?.token.id}>
            {me.data
              ? me.data.token.kind === 'tenant'
                ? `${me.data.tenantName ?? me.data.token.tenant} · ${me.data.token.role}`
                : me.data.token.kind
              : '…'}
          </span>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      {at !== null ? <ReplayBanner at={at} /> : null}
      <main id="main" tabIndex={-1}>
        {me.error ? (
          <ErrorBox error={me.error} title="Could not load your principal" />
        ) : me.isPending ? (
          <Loading what="Signing in" />
        ) : (
          <Suspense fallback={<Loading what="Loading view" />}>{view}</Suspense>
        )}
      </main>
    </div>
  );
}

function route(path: string, operator: boolean): ReactNode {
  if (path === '/') return <Overview />;
  if (path === '/vhms') return <VhmTree />;
  const vhm = match('/vhms/:id', path);
  if (vhm) return show(vhmDetail, { id: vhm.id! });
  if (path === '/providers') return show(providers, {});
  const prov = match('/providers/:id', path);
  if (prov) return show(providers, { selected: prov.id! });
  if (path === '/scheduler') return show(scheduler, {});
  if (path === '/trace') return show(trace, {});
  if (path === '/replay') return show(replay, {});
  if (path === '/compliance') return show(compliance, {});
  if (path === '/cluster') return show(cluster, {});
  if (path === '/admin')
    return operator ? (
      show(admin, {})
    ) : (
      <div className="page">
        <h1>Tenants and tokens</h1>
        <ErrorBox error={new Error('Tenants and tokens are managed by operators.')} />
      </div>
    );
  return (
    <div className="panel">
      <h1>Not found</h1>
      <p>
        No console page at <code>{path}</code>. <Link to="/">Go to the overview</Link>.
      </p>
    </div>
  );
}

function ReplayBanner({ at }: { at: number }) {
  const { live, tickMs } = useClock();
  return (
    <div className="replay-banner" role="status">
      <strong>NOT LIVE</strong> — showing the state at logical time L {at}
      <Est text={live !== undefined ? relative(at, live, tickMs) : null} /> (replayed from the trace; actions
      are disabled).
      <span className="spacer" />
      <button type="button" onClick={() => setAt(Math.max(0, at - 1))} title="Step back one tick">
        ◀ L−1
      </button>
      <button type="button" onClick={() => setAt(at + 1)} title="Step forward one tick">
        L+1 ▶
      </button>
      <button type="button" className="primary" onClick={() => setAt(null)}>
        Back to live{live !== undefined ? ` (L ${fmt(live)})` : ''}
      </button>
    </div>
  );
}

/** The live logical time and the clock's pace: "L 1,234 · 1 tick ≈ 1 s" or "L 1,234 · manual clock". */
function ClockStatus() {
  const { live, tickMs } = useClock();
  if (live === undefined) return null;
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

function LiveIndicator() {
  const s = useLiveStatus();
  const at = useAt();
  if (at !== null) return null;
  return (
    <span className={`live live-${s}`} role="status" aria-label={`Live updates: ${s}`}>
      <span aria-hidden="true">●</span>{' '}
      {s === 'live' ? 'Live' : s === 'connecting' ? 'Connecting' : 'Offline'}
    </span>
  );
}

function ThemeToggle() {
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
      {t === 'system' ? '◐ Auto' : t === 'light' ? '☀ Light' : '☾ Dark'}
    </button>
  );
}

export { navigate };
