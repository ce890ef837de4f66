import { useQuery } from '@tanstack/react-query';
import { renderFault, type VhmState } from '@xdv/core';
import { get } from '../api/client';
import { useClock } from '../api/clock';
import { useMe, useOverview } from '../api/data';
import { qk } from '../api/keys';
import { useAttention } from '../api/triage';
import type { Overview as O, OverviewProvider, ServerVerify } from '../api/types';
import { AlertGroupsSection } from '../components/AlertGroups';
import { AttentionStrip } from '../components/Attention';
import { CapacityMeters } from '../components/CapacityMeters';
import { AtL } from '../components/time';
import {
  Badge,
  DomainTag,
  Empty,
  ErrorBox,
  fmt,
  Guard,
  Loading,
  Meter,
  Section,
  StateBadge,
} from '../components/ui';
import { pace } from '../lib/clock';
import { Link } from '../lib/router';
import { exactBytes, gib } from '../lib/units';

const STATES: VhmState[] = ['requested', 'validated', 'active', 'paused', 'terminated', 'released'];

export function Overview() {
  const src = useOverview();
  // The attention strip sits above the grid: both appear together, so the strip never pushes the
  // grid down after it is drawn (layout shift on a slow phone).
  const attention = useAttention();
  const waiting = src.isPending || (attention.isPending && !attention.error);
  const me = useMe();
  const clock = useClock();
  const operator = me.data?.token.kind === 'operator';
  return (
    <div className="page">
      <h1>Overview</h1>
      {waiting ? null : <AttentionStrip />}
      <Guard src={{ ...src, isPending: waiting }} what="Loading the overview">
        {(o) => (
          <div className="grid">
            <Section title="VHMs by state">
              <ul className="counts">
                {STATES.map((s) => (
                  <li key={s}>
                    <Link to="/vhms" search={{ state: s }}>
                      <span className="count">{fmt(o.vhmsByState[s] ?? 0)}</span> <StateBadge state={s} />
                    </Link>
                  </li>
                ))}
              </ul>
              <p className="muted small">
                Logical time L {fmt(o.l)}
                {pace(clock.tickMs) ? ` (${pace(clock.tickMs)})` : ''} · trace seq {fmt(o.seq)}
              </p>
            </Section>
            <TraceHead o={o} operator={operator} notLive={src.notLive} />
            {!operator && o.tenants.length > 0 ? <QuotaUse o={o} /> : null}
            <Section title="Capacity and allocation per provider" id="capacity">
              <p>
                Conservation (Σ allocated ≤ physical total, per provider and domain):{' '}
                {o.conservation.ok ? <Badge tone="ok">holds</Badge> : <Badge tone="bad">VIOLATED</Badge>}
                {operator ? (
                  <>
                    {' '}
                    · all invariants:{' '}
                    {o.invariants.ok ? (
                      <Badge tone="ok">hold</Badge>
                    ) : (
                      <Badge tone="bad">{o.invariants.violations} violated</Badge>
                    )}
                  </>
                ) : null}
              </p>
              {o.providers.length === 0 ? (
                <Empty>No provider has registered yet.</Empty>
              ) : (
                <div className="cards">
                  {(['K', 'Q', 'PHI'] as const).map((d) =>
                    o.providers
                      .filter((p) => p.domain === d)
                      .map((p) => <ProviderCapacity key={p.id} p={p} />),
                  )}
                </div>
              )}
            </Section>
            <AlertGroupsSection />
            <Section title="Faults and escalations" wide>
              {o.faults.length === 0 ? (
                <Empty>No faults.</Empty>
              ) : (
                <table className="faults-table">
                  <colgroup>
                    <col className="l" />
                    <col className="level" />
                    <col className="code" />
                    <col className="where" />
                    <col className="message" />
                  </colgroup>
                  <thead>
                    <tr>
                      <th scope="col">L</th>
                      <th scope="col">Level</th>
                      <th scope="col">Code</th>
                      <th scope="col">Where</th>
                      <th scope="col">Message</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...o.faults].reverse().map((f) => (
                      <tr key={f.id}>
                        <td className="num">
                          <AtL l={f.l} now={clock.now} tickMs={clock.tickMs} compact bare />
                        </td>
                        <td>
                          <Badge tone={f.level === 'system' || f.level === 'vhm' ? 'bad' : 'warn'}>
                            {f.level}
                          </Badge>
                          {f.injected ? <Badge tone="info">injected</Badge> : null}
                        </td>
                        <td>
                          <code>{f.code}</code>
                        </td>
                        <td>
                          {f.vhm ? (
                            <Link to="/vhms/$id" params={{ id: f.vhm }}>
                              {f.vhm}
                            </Link>
                          ) : (
                            (f.provider ?? '—')
                          )}
                          {f.contract ? ` · ${f.contract}` : ''}
                        </td>
                        <td>{renderFault(f.params)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Section>
          </div>
        )}
      </Guard>
    </div>
  );
}

function ProviderCapacity({ p }: { p: OverviewProvider }) {
  return (
    <article className="card" aria-label={`Provider ${p.name}`}>
      <h3>
        <DomainTag domain={p.domain} />{' '}
        <Link to="/providers/$id" params={{ id: p.id }}>
          {p.name}
        </Link>{' '}
        <span className="muted small">{p.id}</span>
      </h3>
      <p className="small">
        <StateBadge state={p.attestation} /> <StateBadge state={p.health} />
      </p>
      <CapacityMeters p={p} />
    </article>
  );
}

function QuotaUse({ o }: { o: O }) {
  const t = o.tenants[0]!;
  return (
    <Section title={`Quota use — ${t.name}`} id="quota">
      <Meter label="VHMs" used={t.carved.vhms} total={t.quota.vhms} />
      <Meter label="Memory" used={t.carved.memory} total={t.quota.memory} format={gib} exact={exactBytes} />
      <Meter label="CPU slices" used={t.carved.cpu} total={t.quota.cpu} />
      <Meter label="Qubits" used={t.carved.qubits} total={t.quota.qubits} />
      <Meter label="Φ envelopes" used={t.carved.envelopes} total={t.quota.envelopes} />
      <p className="muted small">Carved into root VHMs out of the tenant quota.</p>
    </Section>
  );
}

function TraceHead({ o, operator, notLive }: { o: O; operator: boolean; notLive: boolean }) {
  const v = useQuery({
    queryKey: qk.serverVerify(),
    queryFn: ({ signal }) => get<ServerVerify>('/v1/trace/verify', signal),
    enabled: operator && !notLive,
    staleTime: Number.POSITIVE_INFINITY,
  });
  return (
    <Section title="Trace head">
      <dl className="kv">
        <dt>Seq</dt>
        <dd>{fmt(o.seq)}</dd>
        <dt>L</dt>
        <dd>{fmt(o.l)}</dd>
        <dt>Head hash</dt>
        <dd>
          {o.head ? (
            <code className="hash">{o.head}</code>
          ) : (
            <span className="muted">shown to operators only</span>
          )}
        </dd>
        <dt>Chain</dt>
        <dd>
          {o.broken ? (
            <Badge tone="bad">BROKEN at seq {o.broken.seq}</Badge>
          ) : !operator ? (
            <span>
              Your entries are verified one by one in the browser on the <Link to="/trace">Trace</Link> page.
            </span>
          ) : notLive ? (
            <span className="muted">verification applies to the live trace</span>
          ) : v.isPending ? (
            <Loading what="Verifying on the server" />
          ) : v.error ? (
            <ErrorBox error={v.error} />
          ) : v.data?.ok ? (
            <span>
              <Badge tone="ok">server: verified</Badge> {fmt(v.data.entries)} entries ·{' '}
              <button type="button" className="small" onClick={() => void v.refetch()}>
                Re-verify
              </button>{' '}
              · <Link to="/trace">verify in this browser</Link>
            </span>
          ) : (
            <Badge tone="bad">
              server: mismatch at seq {v.data?.mismatch?.seq}: {v.data?.mismatch?.reason}
            </Badge>
          )}
        </dd>
      </dl>
    </Section>
  );
}
