import { useQueryClient } from '@tanstack/react-query';
import { Outlet, useRouterState } from '@tanstack/react-router';
import { useCallback, useEffect, useState } from 'react';
import { getToken, setToken, setUnauthorizedHandler } from '../api/client';
import { useMe } from '../api/data';
import { useLiveStream } from '../api/live';
import { ErrorBox, Loading } from '../components/ui';
import { Link, useAt } from '../lib/router';
import { SignIn } from '../views/SignIn';
import { ReplayBanner } from './ReplayBanner';

import { ClockStatus, LiveIndicator, ThemeToggle } from './TopBar';

/** The root of every page: sign-in until a token is held, then the shell around the page. */
export function Root() {
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

const NAV = [
  { to: '/', label: 'Overview' },
  { to: '/vhms', label: 'VHMs' },
  { to: '/providers', label: 'Providers' },
  { to: '/scheduler', label: 'Scheduler' },
  { to: '/trace', label: 'Trace' },
  { to: '/replay', label: 'Replay' },
  { to: '/cluster', label: 'Cluster' },
  { to: '/compliance', label: 'Compliance' },
  { to: '/admin', label: 'Tenants & tokens', operatorOnly: true },
] as const;

function Shell({ token, onSignOut }: { token: string; onSignOut: () => void }) {
  const qc = useQueryClient();
  const me = useMe();
  const at = useAt();
  useLiveStream(qc, token, me.isSuccess && me.data.token.kind !== 'provider');
  const path = useRouterState({ select: (s) => s.location.pathname });
  const operator = me.data?.token.kind === 'operator';
  const active = (p: string) => (p === '/' ? path === '/' : path === p || path.startsWith(`${p}/`));
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
            {NAV.filter((n) => !('operatorOnly' in n) || operator).map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={active(n.to) ? 'page' : undefined}>
                  {n.label}
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
          <ErrorBox
            error={me.error}
            title="Could not load your principal"
            onRetry={() => void me.refetch()}
          />
        ) : (
          <>
            {me.isPending ? <Loading what="Signing in" lines={6} /> : null}
            {/* The page mounts (and sends its requests) while the principal is on its way; it is
                shown once the principal is known, so nothing role-dependent flickers in. */}
            <div className="outlet" hidden={me.isPending}>
              <Outlet />
            </div>
          </>
        )}
      </main>
    </div>
  );
}
