import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import type { Quota } from '@xdv/core';
import { useState } from 'react';
import { api, get } from '../api/client';
import { useMe, useTenants } from '../api/data';
import { qk } from '../api/keys';
import type { Token } from '../api/types';
import { Dialog } from '../components/Dialog';
import { GuardedAction } from '../components/GuardedAction';
import { QuotaFields } from '../components/QuotaFields';
import { Badge, Empty, ErrorBox, fmt, Guard, Loading, Meter, Section } from '../components/ui';
import { writeBlock } from '../lib/caps';
import { useAt } from '../lib/router';
import { exactBytes, gib } from '../lib/units';

export default function Admin() {
  // Both panels appear together, so that on a narrow screen the tokens do not move down when the
  // tenants arrive above them (layout shift).
  const tenants = useTenants();
  const tokens = useTokens();
  const ready = !tenants.isPending && !tokens.isPending;
  return (
    <div className="page">
      <h1>Tenants and tokens</h1>
      {ready ? null : <Loading what="Loading tenants and tokens" />}
      <div className="grid" hidden={!ready}>
        <Tenants />
        <Tokens />
      </div>
    </div>
  );
}

const useTokens = () =>
  useQuery({
    queryKey: qk.tokens(),
    queryFn: ({ signal }) => get<{ items: Token[] }>('/v1/tokens', signal),
  });

function Tenants() {
  const src = useTenants();
  const me = useMe();
  const blocked = writeBlock(me.data, src.notLive);
  const [name, setName] = useState('');
  const [quota, setQuota] = useState<Quota>({ vhms: 10, memory: 1 << 20, cpu: 64, qubits: 20, envelopes: 4 });
  return (
    <Section
      title="Tenants"
      actions={
        <GuardedAction
          label="Create tenant"
          tone="primary"
          gate={{ allowed: !blocked, reason: blocked }}
          request={() =>
            name.trim() ? { method: 'POST', path: '/v1/tenants', body: { name: name.trim(), quota } } : null
          }
          fields={
            <>
              <label>
                <span>Name</span>
                <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
              </label>
              <QuotaFields value={quota} onChange={setQuota} />
            </>
          }
        />
      }
    >
      <Guard src={src} empty={(t) => (t.length ? null : 'No tenants yet.')}>
        {(ts) => (
          <div className="cards">
            {ts.map((t) => (
              <article key={t.id} className="card" aria-label={`Tenant ${t.name}`}>
                <h3>
                  {t.name} <span className="muted small">{t.id}</span>
                </h3>
                <Meter label="VHMs" used={t.carved.vhms} total={t.quota.vhms} />
                <Meter
                  label="Memory"
                  used={t.carved.memory}
                  total={t.quota.memory}
                  format={gib}
                  exact={exactBytes}
                />
                <Meter label="CPU slices" used={t.carved.cpu} total={t.quota.cpu} />
                <Meter label="Qubits" used={t.carved.qubits} total={t.quota.qubits} />
                <Meter label="Φ envelopes" used={t.carved.envelopes} total={t.quota.envelopes} />
                <SetQuota id={t.id} name={t.name} quota={t.quota} blocked={blocked} />
              </article>
            ))}
          </div>
        )}
      </Guard>
    </Section>
  );
}

function SetQuota({
  id,
  name,
  quota,
  blocked,
}: {
  id: string;
  name: string;
  quota: Quota;
  blocked: string | null;
}) {
  const [q, setQ] = useState<Quota>(quota);
  return (
    <GuardedAction
      small
      label={`Set quota of ${name}`}
      gate={{ allowed: !blocked, reason: blocked }}
      onOpen={() => setQ(quota)}
      request={() => ({ method: 'PUT', path: `/v1/tenants/${id}/quota`, body: { quota: q } })}
      fields={<QuotaFields value={q} onChange={setQ} />}
    />
  );
}

function Tokens() {
  const qc = useQueryClient();
  const at = useAt();
  const tenants = useTenants();
  const list = useTokens();
  const me = useMe();
  const [minting, setMinting] = useState(false);
  const [secret, setSecret] = useState<{ token: Token; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);
  return (
    <Section
      title="API tokens"
      actions={
        <button type="button" className="primary" onClick={() => setMinting(true)} disabled={at !== null}>
          Mint token
        </button>
      }
    >
      <p className="muted small">
        Tokens are stored hashed; a secret is shown once, when it is minted. Tokens are not part of the trace.
      </p>
      {list.error ? (
        <ErrorBox error={list.error} />
      ) : list.isPending ? (
        <Loading what="Loading tokens" />
      ) : list.data.items.length === 0 ? (
        <Empty>No tokens.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Token</th>
              <th scope="col">Label</th>
              <th scope="col">Principal</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((t) => (
              <tr key={t.id}>
                <td>
                  <code>{t.id}</code>
                </td>
                <td>{t.label}</td>
                <td>
                  {t.kind}
                  {t.tenant ? ` · ${t.tenant} · ${t.role}` : ''}
                  {t.provider ? ` · ${t.provider}` : ''}
                </td>
                <td>
                  <Instant iso={t.createdAt} />
                </td>
                <td>
                  {t.lastUsedAt ? <Instant iso={t.lastUsedAt} /> : <span className="muted">never</span>}
                </td>
                <td>{t.expiresAt ? <Instant iso={t.expiresAt} /> : <span className="muted">never</span>}</td>
                <td>
                  {t.revoked ? (
                    <Badge tone="bad">revoked</Badge>
                  ) : expired(t) ? (
                    <Badge tone="bad">expired</Badge>
                  ) : (
                    <Badge tone="ok">active</Badge>
                  )}
                </td>
                <td>
                  {!t.revoked ? (
                    <button
                      type="button"
                      className="danger small"
                      onClick={() => setRevoking(t)}
                      disabled={t.id === me.data?.token.id}
                      title={
                        t.id === me.data?.token.id ? 'This is the token you are signed in with.' : undefined
                      }
                    >
                      Revoke {t.label}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {minting ? (
        <MintDialog
          tenants={(tenants.data ?? []).map((t) => [t.id, t.name])}
          onClose={() => setMinting(false)}
          onMinted={(s) => {
            setMinting(false);
            setSecret(s);
            void qc.invalidateQueries({ queryKey: qk.tokens() });
          }}
        />
      ) : null}
      {secret ? <SecretDialog s={secret} onClose={() => setSecret(null)} /> : null}
      {revoking ? (
        <RevokeDialog
          t={revoking}
          onClose={() => setRevoking(null)}
          onDone={() => {
            setRevoking(null);
            void qc.invalidateQueries({ queryKey: qk.tokens() });
          }}
        />
      ) : null}
    </Section>
  );
}

const expired = (t: Token) => t.expiresAt !== null && Date.parse(t.expiresAt) <= Date.now();

/** A wall-clock instant in UTC, to the minute (the full instant on hover). */
function Instant({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={iso}>
      {`${iso.slice(0, 16).replace('T', ' ')} UTC`}
    </time>
  );
}

/** Lifetimes an operator can give a minted token ('' = no expiry). */
const LIFETIMES: Array<[string, string]> = [
  ['', 'never'],
  [String(3600), '1 hour'],
  [String(86_400), '1 day'],
  [String(7 * 86_400), '7 days'],
  [String(30 * 86_400), '30 days'],
  [String(90 * 86_400), '90 days'],
  [String(365 * 86_400), '1 year'],
];

function MintDialog({
  tenants,
  onClose,
  onMinted,
}: {
  tenants: Array<[string, string]>;
  onClose: () => void;
  onMinted: (s: { token: Token; secret: string }) => void;
}) {
  const [kind, setKind] = useState<'operator' | 'tenant' | 'provider'>('tenant');
  const [tenant, setTenant] = useState('');
  const [role, setRole] = useState<'admin' | 'viewer'>('admin');
  const [provider, setProvider] = useState('');
  const [label, setLabel] = useState('');
  const [lifetime, setLifetime] = useState('');
  const m = useMutation({
    mutationFn: () =>
      api<{ token: Token; secret: string }>('POST', '/v1/tokens', {
        body: {
          kind,
          label: label.trim(),
          ...(kind === 'tenant' ? { tenant, role } : {}),
          ...(kind === 'provider' ? { provider: provider.trim() } : {}),
          ...(lifetime ? { expiresInSeconds: Number(lifetime) } : {}),
        },
      }),
    onSuccess: onMinted,
  });
  return (
    <Dialog title="Mint an API token" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate();
        }}
      >
        <label>
          <span>Kind</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
            <option value="tenant">tenant</option>
            <option value="operator">operator</option>
            <option value="provider">provider</option>
          </select>
        </label>
        {kind === 'tenant' ? (
          <>
            <label>
              <span>Tenant</span>
              <select value={tenant} onChange={(e) => setTenant(e.target.value)} required>
                <option value="">choose…</option>
                {tenants.map(([id, n]) => (
                  <option key={id} value={id}>
                    {n} ({id})
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span>Role</span>
              <select value={role} onChange={(e) => setRole(e.target.value as typeof role)}>
                <option value="admin">admin (self-service within quota)</option>
                <option value="viewer">viewer (read-only)</option>
              </select>
            </label>
          </>
        ) : null}
        {kind === 'provider' ? (
          <label>
            <span>Provider name it may register and report as</span>
            <input value={provider} onChange={(e) => setProvider(e.target.value)} required maxLength={64} />
          </label>
        ) : null}
        <label>
          <span>Label</span>
          <input value={label} onChange={(e) => setLabel(e.target.value)} required maxLength={100} />
        </label>
        <label>
          <span>Expires after</span>
          <select value={lifetime} onChange={(e) => setLifetime(e.target.value)}>
            {LIFETIMES.map(([v, n]) => (
              <option key={v} value={v}>
                {n}
              </option>
            ))}
          </select>
        </label>
        {m.error ? <ErrorBox error={m.error} title="Minting failed" /> : null}
        <div className="dialog-foot">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={m.isPending}>
            Mint
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function SecretDialog({ s, onClose }: { s: { token: Token; secret: string }; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <Dialog title={`Token ${s.token.label} minted`} onClose={onClose}>
      <p>
        Copy the secret now: <strong>it is shown only once</strong> and cannot be retrieved again.
      </p>
      <pre className="json wrap secret">{s.secret}</pre>
      <div className="dialog-foot">
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(s.secret).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy secret'}
        </button>
        <button type="button" className="primary" onClick={onClose}>
          I have stored it
        </button>
      </div>
    </Dialog>
  );
}

function RevokeDialog({ t, onClose, onDone }: { t: Token; onClose: () => void; onDone: () => void }) {
  const [typed, setTyped] = useState('');
  const m = useMutation({
    mutationFn: () => api<{ revoked: boolean }>('POST', `/v1/tokens/${encodeURIComponent(t.id)}/revoke`),
    onSuccess: onDone,
  });
  return (
    <Dialog title={`Revoke token ${t.label}`} onClose={onClose}>
      <p>
        Every request with this token will be refused from now on. Type <strong>{t.label}</strong> to confirm.
      </p>
      <label className="confirm-name">
        <span className="sr-only">Type {t.label} to confirm</span>
        <input
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          aria-label={`Type ${t.label} to confirm`}
          autoComplete="off"
        />
      </label>
      {m.error ? <ErrorBox error={m.error} title="Revoking failed" /> : null}
      <div className="dialog-foot">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          disabled={typed !== t.label || m.isPending}
          onClick={() => m.mutate()}
        >
          Revoke
        </button>
      </div>
    </Dialog>
  );
}

export { fmt };

/** Tenants and tokens are an operator's page; anyone else is told so, with no request sent. */
function AdminPage() {
  const me = useMe();
  if (me.data?.token.kind === 'operator') return <Admin />;
  return (
    <div className="page">
      <h1>Tenants and tokens</h1>
      <ErrorBox error={new Error('Tenants and tokens are managed by operators.')} />
    </div>
  );
}

export const route = createLazyRoute('/admin')({ component: AdminPage });
