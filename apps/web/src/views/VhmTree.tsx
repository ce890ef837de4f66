import { createLazyRoute } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Vhm } from '@xdv/core';
import { useMemo, useRef, useState } from 'react';
import { useBindings, useContracts, useMe, useProviders, useTenants, useVhms } from '../api/data';
import { GuardedAction } from '../components/GuardedAction';
import { QuotaFields } from '../components/QuotaFields';
import { Empty, ErrorBox, fmt, Loading, StateBadge } from '../components/ui';
import { writeBlock } from '../lib/caps';
import { Link, useNavigate, usePageSearch } from '../lib/router';
import { flattenTree, type TreeRow } from '../lib/tree';
import { type LiveSummary, liveSummaries, noLive } from '../lib/treeLive';
import { exactBytes, gib } from '../lib/units';

const ROW = 36;

export function VhmTree() {
  const src = useVhms();
  const search = usePageSearch();
  const [q, setQ] = useState(search.q ?? '');
  const [state, setState] = useState(search.state ?? '');
  const [tenant, setTenant] = useState(search.tenant ?? '');
  const me = useMe();
  const tenants = useTenants();
  const operator = me.data?.token.kind === 'operator';
  const providers = useProviders();
  const contracts = useContracts();
  const bindings = useBindings();
  const tenantName = useMemo(() => {
    const m = new Map<string, string>();
    for (const t of tenants.data ?? []) m.set(t.id, t.name);
    if (me.data?.token.tenant && me.data.tenantName) m.set(me.data.token.tenant, me.data.tenantName);
    return m;
  }, [tenants.data, me.data]);
  const providerName = useMemo(
    () => new Map((providers.data ?? []).map((p) => [p.id, p.name])),
    [providers.data],
  );
  const live = useMemo(
    () => (contracts.data && bindings.data ? liveSummaries(contracts.data, bindings.data) : undefined),
    [contracts.data, bindings.data],
  );
  return (
    <div className="page">
      <div className="page-head">
        <h1>VHMs</h1>
        {me.data?.token.kind === 'tenant' || operator ? (
          <CreateVhm
            notLive={src.notLive}
            operator={operator}
            tenants={tenants.data?.map((t) => [t.id, t.name]) ?? []}
          />
        ) : null}
      </div>
      <search className="filters" aria-label="Filter VHMs">
        <label>
          <span>Search</span>
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="name or id" />
        </label>
        <label>
          <span>State</span>
          <select value={state} onChange={(e) => setState(e.target.value)}>
            <option value="">any</option>
            {['requested', 'validated', 'active', 'paused', 'terminated', 'released'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        {operator ? (
          <label>
            <span>Tenant</span>
            <select value={tenant} onChange={(e) => setTenant(e.target.value)}>
              <option value="">all</option>
              {(tenants.data ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.id})
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </search>
      {src.error ? (
        <ErrorBox error={src.error} onRetry={() => void src.refetch()} />
      ) : src.isPending || !src.data ? (
        <Loading what="Loading VHMs" />
      ) : src.data.length === 0 ? (
        <Empty>No VHMs yet{me.data?.token.kind === 'tenant' ? ': create one within your quota.' : '.'}</Empty>
      ) : (
        <TreeView
          vhms={src.data}
          filter={{ q, state, tenant }}
          tenantName={tenantName}
          providerName={providerName}
          {...(live ? { live } : {})}
        />
      )}
    </div>
  );
}

export function TreeView({
  vhms,
  filter,
  tenantName,
  providerName,
  live,
  height = 600,
}: {
  vhms: readonly Vhm[];
  filter: { q: string; state: string; tenant: string };
  tenantName?: Map<string, string>;
  providerName?: Map<string, string>;
  /** What is live under each VHM (bindings, lowest budget left); absent while loading. */
  live?: Map<string, LiveSummary>;
  height?: number;
}) {
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const { q, state, tenant } = filter;
  const rows = useMemo(
    () => flattenTree(vhms, { q, state, tenant }, collapsed),
    [vhms, q, state, tenant, collapsed],
  );
  const parentRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW,
    overscan: 12,
    initialRect: { width: 1000, height },
  });
  const toggle = (id: string) =>
    setCollapsed((c) => {
      const n = new Set(c);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <>
      <p className="muted small" aria-live="polite">
        {fmt(rows.length)} of {fmt(vhms.length)} VHMs shown
      </p>
      <div className="tree-head" aria-hidden="true">
        <span>Name</span>
        <span>State</span>
        <span className="col-opt">Tenant</span>
        <span className="col-opt">Host</span>
        <span className="col-opt" title="Memory and CPU slices held by its live K contracts">
          K in use
        </span>
        <span className="col-opt" title="Logical qubits held">
          Q
        </span>
        <span className="col-opt" title="Φ envelopes held">
          Φ
        </span>
        <span className="col-opt" title="Bindings not yet released">
          Bindings
        </span>
        <span title="Lowest remaining decoherence budget among its live Q contracts">Budget left</span>
        <span className="col-opt">Faults</span>
      </div>
      {/* As tall as its rows up to `height` (then it scrolls): a short fleet leaves no empty box. */}
      <div
        ref={parentRef}
        className="tree-scroll"
        style={{ height: Math.min(height, Math.max(rows.length, 2) * ROW + 2) }}
        data-testid="tree-scroll"
      >
        {rows.length === 0 ? (
          <Empty>No VHM matches the filters.</Empty>
        ) : (
          <div role="tree" aria-label="VHM tree" style={{ height: v.getTotalSize(), position: 'relative' }}>
            {v.getVirtualItems().map((item) => {
              const r = rows[item.index]!;
              return (
                <Row
                  key={r.vhm.id}
                  r={r}
                  top={item.start}
                  index={item.index}
                  size={rows.length}
                  collapsed={collapsed.has(r.vhm.id)}
                  onToggle={toggle}
                  tenant={tenantName?.get(r.vhm.tenant) ?? r.vhm.tenant}
                  host={r.vhm.host ? (providerName?.get(r.vhm.host) ?? r.vhm.host) : null}
                  live={live?.get(r.vhm.id) ?? (live ? noLive : null)}
                />
              );
            })}
          </div>
        )}
      </div>
    </>
  );
}

function Row({
  r,
  top,
  index,
  size,
  collapsed,
  onToggle,
  tenant,
  host,
  live,
}: {
  r: TreeRow;
  top: number;
  index: number;
  size: number;
  collapsed: boolean;
  onToggle: (id: string) => void;
  tenant: string;
  host: string | null;
  live: LiveSummary | null;
}) {
  const v = r.vhm;
  return (
    <div
      role="treeitem"
      aria-level={r.depth + 1}
      aria-posinset={index + 1}
      aria-setsize={size}
      aria-expanded={r.hasChildren ? !collapsed : undefined}
      aria-selected={false}
      tabIndex={-1}
      className={`tree-row ${r.context ? 'context' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW }}
      data-testid="tree-row"
    >
      <span className="tree-name" style={{ paddingLeft: r.depth * 20 }}>
        {r.hasChildren ? (
          <button
            type="button"
            className="ghost twisty"
            onClick={() => onToggle(v.id)}
            aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${v.name}`}
          >
            {collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span className="twisty" aria-hidden="true" />
        )}
        <Link to="/vhms/$id" params={{ id: v.id }}>
          {v.name}
        </Link>{' '}
        <span className="muted small">{v.id}</span>
      </span>
      <span>
        <StateBadge state={v.state} />
      </span>
      <span className="small col-opt">{tenant}</span>
      <span className="small col-opt">{host ?? '—'}</span>
      <span className="num small col-opt" title={exactBytes(v.used.memory)}>
        {gib(v.used.memory)} · {v.used.cpu} CPU
      </span>
      <span className="num small col-opt">{v.used.qubits}</span>
      <span className="num small col-opt">{v.used.envelopes}</span>
      <span className="num small col-opt">{live ? live.bindings : '…'}</span>
      <span className="num small">
        <BudgetLeft b={live?.minBudget ?? null} loading={live === null} />
      </span>
      <span className="num small col-opt">
        {v.faultCount > 0 ? <strong className="text-bad">{v.faultCount}</strong> : 0}
      </span>
    </div>
  );
}

function BudgetLeft({ b, loading }: { b: LiveSummary['minBudget']; loading: boolean }) {
  if (loading) return <>…</>;
  if (!b) return <span className="muted">—</span>;
  // Basis points of the budget left, integer: a quarter or less is a warning, none is bad.
  const bp = b.budget > 0 ? Math.floor((b.left * 10_000) / b.budget) : 0;
  const tone = b.left === 0 ? 'text-bad' : bp <= 2500 ? 'text-warn' : '';
  return (
    <span className={tone} title={`${b.contract}: ${fmt(b.left)} of ${fmt(b.budget)} budget units left`}>
      {fmt(b.left)}/{fmt(b.budget)}
    </span>
  );
}

function CreateVhm({
  notLive,
  operator,
  tenants,
}: {
  notLive: boolean;
  operator: boolean;
  tenants: Array<[string, string]>;
}) {
  const navigate = useNavigate();
  const me = useMe();
  const [name, setName] = useState('');
  const [tenant, setTenant] = useState('');
  const [quota, setQuota] = useState({ memory: 65536, cpu: 4, qubits: 0, envelopes: 0, vhms: 0 });
  const blocked = writeBlock(me.data, notLive);
  return (
    <GuardedAction
      label="Create VHM"
      tone="primary"
      gate={{ allowed: !blocked, reason: blocked }}
      request={() =>
        name.trim() && (!operator || tenant)
          ? {
              method: 'POST',
              path: '/v1/vhms',
              body: { name: name.trim(), quota, ...(operator ? { tenant } : {}) },
            }
          : null
      }
      onDone={(m) => m.created.vhm && void navigate({ to: '/vhms/$id', params: { id: m.created.vhm } })}
      fields={
        <>
          <label>
            <span>Name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
          </label>
          {operator ? (
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
          ) : null}
          <QuotaFields value={quota} onChange={setQuota} />
        </>
      }
    />
  );
}

export const route = createLazyRoute('/vhms')({ component: VhmTree });
