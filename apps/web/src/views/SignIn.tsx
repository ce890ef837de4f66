import { useState } from 'react';
import { ApiError, api } from '../api/client';
import type { Me } from '../api/types';
import { ErrorBox } from '../components/ui';

export function SignIn({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main className="signin" id="main">
      <form
        className="panel signin-card"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await api<Me>('GET', '/v1/me', { token: token.trim() });
            onSignedIn(token.trim());
          } catch (err) {
            setError(err instanceof ApiError ? err : new ApiError(0, 'ERROR', String(err)));
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1>
          XDV <span>View</span>
        </h1>
        <p className="muted">Operator dashboard and tenant portal of the XDV Domain Hypervisor.</p>
        <label>
          <span>API token</span>
          <input
            type="password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            autoComplete="off"
            required
            placeholder="xdv_…"
          />
        </label>
        <p className="muted small">
          The token is kept in this tab's session storage only and is removed on sign-out.
        </p>
        {error ? <ErrorBox error={error} title="Sign-in failed" /> : null}
        <button type="submit" className="primary" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
