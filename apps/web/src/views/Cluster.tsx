import { createLazyRoute } from '@tanstack/react-router';
import { useClock } from '../api/clock';
import { type ClusterNode, type ClusterProvider, type ClusterView, useCluster } from '../api/cluster';
import { useMe } from '../api/data';
import { AtL, Est } from '../components/time';
import {
  Badge,
  DomainTag,
  Empty,
  ErrorBox,
  fmt,
  Loading,
  Meter,
  Section,
  StateBadge,
} from '../components/ui';
import { relative, timeOfDay } from '../lib/clock';
import { Link, useAt, useSetAt } from '../lib/router';
import { exactBytes, gib } from '../lib/units';

// The distributed cluster view (XDV-090 §9): the API processes ("nodes") sharing one database, the
// global logical order they agree on (the trace seq), contracts per provider, and the commit rounds
// that decided the order. Everything comes from GET /v1/cluster, refreshed by the live stream.

const STATUS_TONE: Record<ClusterNode['status'], string> = {
  ok: 'ok',
  lagging: 'warn',
  stale: 'bad',
  stopped: 'muted',
  broken: 'bad',
};

const STATUS_HELP: Record<ClusterNode['status'], string> = {
  ok: 'heartbeat within 5 s and caught up',
  lagging: 'had not applied entries committed over a second before its last heartbeat',
  stale: 'no heartbeat for more than 5 s',
  stopped: 'closed cleanly',
  broken: 'its replay found a broken hash chain; it refuses writes',
};

export function ago(ms: number): string {
  if (ms < 1000) return 'under 1 s ago';
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s ago`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return `${Math.floor(ms / 86_400_000)} d ago`;
}

const time = (iso: string) => new Date(iso).toISOString().replace('T', ' ').slice(0, 19);

export default function Cluster() {
  const at = useAt();
  const setAt = useSetAt();
  const me = useMe();
  const q = useCluster(at === null);
  if (at !== null)
    return (
      <div className="page">
        <div className="page-head">
          <h1>Cluster</h1>
        </div>
        <Section title="Not available in replay" id="cluster-replay">
          <p>
            Node heartbeats and commit rounds are operational telemetry, not part of the trace, so they cannot
            be shown at a past logical time.
          </p>
          <button type="button" className="primary" onClick={() => setAt(null)}>
            Back to live
          </button>
        </Section>
      </div>
    );
  return (
    <div className="page">
      <div className="page-head">
        <h1>Cluster</h1>
      </div>
      {q.error ? (
        <ErrorBox error={q.error} title="Could not load the cluster view" />
      ) : q.isPending ? (
        <Loading what="Reading the cluster" />
      ) : (
        <ClusterBody c={q.data} fetchedAt={q.dataUpdatedAt} tenantName={me.data?.tenantName ?? null} />
      )}
    </div>
  );
}

function ClusterBody({
  c,
  fetchedAt,
  tenantName,
}: {
  c: ClusterView;
  fetchedAt: number;
  tenantName: string | null;
}) {
  const clock = useClock();
  const operator = c.scope === 'operator';
  const counts = new Map<string, number>();
  for (const n of c.nodes) counts.set(n.status, (counts.get(n.status) ?? 0) + 1);
  return (
    // One column: the node and round tables are wide, and the order of sections is the reading order.
    <div style={{ display: 'grid', gap: '1rem', gridTemplateColumns: 'minmax(0, 1fr)' }}>
      <Section title="Global logical ordering" id="cluster-ordering">
        <dl className="kv">
          <dt>Head seq</dt>
          <dd className="num" data-testid="head-seq">
            {fmt(c.ordering.seq)}
          </dd>
          <dt>Logical clock L</dt>
          <dd className="num">
            <AtL l={c.ordering.l} now={clock.now} tickMs={clock.tickMs} bare />
          </dd>
          <dt>Nodes</dt>
          <dd>
            {c.nodes.length === 0
              ? 'none'
              : [...counts.entries()]
                  .sort()
                  .map(([s, n]) => `${n} ${s}`)
                  .join(' · ')}
          </dd>
        </dl>
        <p className="muted small">
          The trace seq is the one global order. A node appends each batch at the next seq; the database’s
          unique key on seq decides who gets it, and a node that loses catches up from the trace and re-runs
          its commands on the new state. Every node replays every entry, so all converge on the same state
          hash.
        </p>
      </Section>
      <Nodes c={c} operator={operator} fetchedAt={fetchedAt} />
      <Contracts c={c} tenantName={tenantName} />
      <Rounds c={c} />
    </div>
  );
}

function Nodes({ c, operator, fetchedAt }: { c: ClusterView; operator: boolean; fetchedAt: number }) {
  return (
    <Section title="Nodes" id="cluster-nodes">
      {c.nodes.length === 0 ? (
        <Empty>No node has reported a heartbeat yet.</Empty>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
        <section className="table-scroll" tabIndex={0} aria-label="Nodes table, scrollable">
          <table>
            <caption className="muted small" style={{ textAlign: 'left', captionSide: 'bottom' }}>
              Nodes in node-id order (deterministic). Lag is the head seq minus the node’s applied seq at its
              last heartbeat (about once a second); “last seen” is as of {timeOfDay(fetchedAt)}.
            </caption>
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Health</th>
                <th scope="col">Applied seq</th>
                <th scope="col">Lag</th>
                <th scope="col">Applied L</th>
                <th scope="col">State hash</th>
                <th scope="col">Last seen</th>
                <th scope="col">Started</th>
                {operator ? (
                  <>
                    <th scope="col">Commits · entries</th>
                    <th scope="col">Seq conflicts · rebuilds · catch-ups · reloads</th>
                    <th scope="col">Checkpoints</th>
                    <th scope="col">Driver · version</th>
                  </>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {c.nodes.map((n) => (
                <tr key={n.id}>
                  <th scope="row">
                    <code>{n.id}</code> {n.self ? <Badge tone="info">this node</Badge> : null}
                  </th>
                  <td>
                    <span title={STATUS_HELP[n.status]}>
                      <Badge tone={STATUS_TONE[n.status]}>{n.status}</Badge>
                    </span>
                    {n.broken && n.brokenSeq != null ? (
                      <span className="small"> at seq {fmt(n.brokenSeq)}</span>
                    ) : null}
                  </td>
                  <td className="num">{fmt(n.appliedSeq)}</td>
                  <td className="num">{n.lag === 0 ? '0' : <strong>{fmt(n.lag)}</strong>}</td>
                  <td className="num">{fmt(n.appliedL)}</td>
                  <td>
                    {n.stateHash ? (
                      <>
                        <code title={`${n.stateHash} at seq ${n.hashSeq}`}>{n.stateHash.slice(0, 12)}</code>{' '}
                        <span className="muted small">@{fmt(n.hashSeq ?? 0)}</span>{' '}
                      </>
                    ) : null}
                    {n.hashAgrees === null ? (
                      <span className="muted small">no peer at this seq</span>
                    ) : n.hashAgrees ? (
                      <Badge tone="ok">agrees</Badge>
                    ) : (
                      <Badge tone="bad">differs</Badge>
                    )}
                  </td>
                  <td>
                    <span title={n.lastSeenAt}>{ago(n.ageMs)}</span>
                  </td>
                  <td className="small">{time(n.startedAt)}</td>
                  {operator ? (
                    <>
                      <td className="num">
                        {fmt(n.commits ?? 0)} · {fmt(n.entries ?? 0)}
                      </td>
                      <td className="num">
                        {fmt(n.conflicts ?? 0)} · {fmt(n.rebuilds ?? 0)} · {fmt(n.catchUps ?? 0)} ·{' '}
                        {fmt(n.reloads ?? 0)}
                      </td>
                      <td className="num">{fmt(n.checkpoints ?? 0)}</td>
                      <td className="small">
                        {n.driver === 'pg' ? 'PostgreSQL' : 'PGlite'} · {n.version}
                      </td>
                    </>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {c.nodes.length === 1 && c.nodes[0]!.driver === 'pglite' ? (
        <p className="muted small">
          Embedded PGlite serves exactly one node; PostgreSQL can be shared by several.
        </p>
      ) : null}
    </Section>
  );
}

function Allocation({ p }: { p: ClusterProvider }) {
  if (p.domain === 'K')
    return (
      <>
        <Meter
          label={`${p.name} memory`}
          used={p.allocated.memory}
          total={p.capacity.memory}
          format={gib}
          exact={exactBytes}
        />
        <Meter label={`${p.name} CPU slices`} used={p.allocated.cpu} total={p.capacity.cpu} />
      </>
    );
  if (p.domain === 'Q')
    return <Meter label={`${p.name} logical qubits`} used={p.allocated.qubits} total={p.capacity.qubits} />;
  return <Meter label={`${p.name} Φ envelopes`} used={p.allocated.envelopes} total={p.capacity.envelopes} />;
}

function Contracts({ c, tenantName }: { c: ClusterView; tenantName: string | null }) {
  const own = c.contracts.scope === 'own';
  return (
    <Section title="Distributed contracts per provider" id="cluster-contracts">
      {c.contracts.providers.length === 0 ? (
        <Empty>No providers are registered.</Empty>
      ) : (
        <table>
          <caption className="muted small" style={{ textAlign: 'left', captionSide: 'bottom' }}>
            {own
              ? `Only ${tenantName ? `${tenantName}’s` : 'your'} contracts are counted; the bars show what they hold of each provider’s capacity.`
              : 'Every contract, and each provider’s allocation against its declared capacity.'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col">Issued</th>
              <th scope="col">Active</th>
              <th scope="col">Released</th>
              <th scope="col">Revoked</th>
              <th scope="col">{own ? 'Your allocation vs capacity' : 'Allocated vs capacity'}</th>
            </tr>
          </thead>
          <tbody>
            {c.contracts.providers.map((p) => (
              <tr key={p.provider}>
                <th scope="row">
                  <DomainTag domain={p.domain} />{' '}
                  <Link to="/providers/$id" params={{ id: p.provider }}>
                    {p.name}
                  </Link>{' '}
                  <span className="muted small">{p.provider}</span>
                  <div className="small">
                    <StateBadge state={p.attestation} /> <StateBadge state={p.health} />
                  </div>
                </th>
                <td className="num">{fmt(p.contracts.issued)}</td>
                <td className="num">{fmt(p.contracts.active)}</td>
                <td className="num">{fmt(p.contracts.released)}</td>
                <td className="num">{fmt(p.contracts.revoked)}</td>
                <td style={{ minWidth: '14rem' }}>
                  <Allocation p={p} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function Rounds({ c }: { c: ClusterView }) {
  const clock = useClock();
  return (
    <Section title="Recent commit rounds" id="cluster-rounds">
      {c.rounds.length === 0 ? (
        <Empty>No commit rounds recorded yet.</Empty>
      ) : (
        <table>
          <caption className="muted small" style={{ textAlign: 'left', captionSide: 'bottom' }}>
            Each round is one committed batch: the seq range it took in the global order, the node that won
            it, and how many seq conflicts its commands lost (and retried) first. Newest first; the newest
            1000 are kept.
          </caption>
          <thead>
            <tr>
              <th scope="col">Seq range</th>
              <th scope="col">L range</th>
              <th scope="col">Entries</th>
              <th scope="col">Node</th>
              <th scope="col">Conflicts lost first</th>
              <th scope="col">Committed (wall clock)</th>
            </tr>
          </thead>
          <tbody>
            {c.rounds.map((r) => (
              <tr key={r.firstSeq}>
                <th scope="row" className="num">
                  {r.firstSeq === r.lastSeq ? fmt(r.firstSeq) : `${fmt(r.firstSeq)}–${fmt(r.lastSeq)}`}
                </th>
                <td className="num" title={relative(r.lastL, clock.now, clock.tickMs) ?? undefined}>
                  {r.firstL === r.lastL ? fmt(r.firstL) : `${fmt(r.firstL)}–${fmt(r.lastL)}`}
                  <Est text={relative(r.lastL, clock.now, clock.tickMs)} compact />
                </td>
                <td className="num">{fmt(r.entries)}</td>
                <td>
                  <code>{r.node}</code>
                </td>
                <td className="num">{r.retries === 0 ? '0' : <Badge tone="warn">{fmt(r.retries)}</Badge>}</td>
                <td className="small">{time(r.committedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export const route = createLazyRoute('/cluster')({ component: Cluster });
