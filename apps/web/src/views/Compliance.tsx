import { useQuery } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import { get } from '../api/client';
import { useMe } from '../api/data';
import { qk } from '../api/keys';
import { Badge, Empty, Guard, Section } from '../components/ui';

// The latest XDV-084 compliance report (from `npm run cts`) and whether its signature verifies.

interface TestRow {
  id: string;
  section: string;
  title: string;
  mandatory: boolean;
  status: 'pass' | 'fail' | 'not_applicable';
  reason: string | null;
}

interface ComplianceView {
  present: boolean;
  path: string;
  /** ISO 8601: when the report file was written. */
  writtenAt: string | null;
  signature: { ok: boolean; reason: string; publicKey: string | null; developmentKey: boolean } | null;
  report: {
    implementation?: { name?: string; version?: string };
    testSuite?: { name?: string; version?: string; spec?: string };
    tier?: string;
    tierReason?: string;
    certified?: boolean;
    counts?: {
      total: number;
      pass: number;
      fail: number;
      notApplicable: number;
      mandatory: number;
      mandatoryPass: number;
    };
    replayStatus?: { status: string; detail: string };
    invariantStatus?: { status: string; detail: string };
    isolationStatus?: { status: string; detail: string };
    traceHead?: { seq: number; l: number; hash: string };
    tests?: TestRow[];
  } | null;
}

const tone = (s: string | undefined) => (s === 'pass' ? 'ok' : s === 'fail' ? 'bad' : 'muted');

export default function Compliance() {
  const me = useMe();
  const operator = me.data?.token.kind === 'operator';
  const src = useQuery({
    queryKey: qk.compliance(),
    queryFn: ({ signal }) => get<ComplianceView>('/v1/compliance', signal),
  });
  return (
    <div className="page">
      <div className="page-head">
        <h1>Compliance</h1>
      </div>
      <Guard src={src}>
        {(c) =>
          !c.present || !c.report ? (
            <Section title="No report yet">
              {operator ? (
                <Empty>
                  No conformance report at <code>{c.path}</code>. Run <code>npm run cts</code> on the server
                  to produce one.
                </Empty>
              ) : (
                <Empty>No conformance report has been published for this installation yet.</Empty>
              )}
            </Section>
          ) : (
            <div className="grid">
              <Section title="Report">
                <p>
                  {c.signature?.ok ? (
                    <Badge tone="ok">signature verified</Badge>
                  ) : (
                    <Badge tone="bad">signature invalid</Badge>
                  )}{' '}
                  {c.report.certified ? (
                    <Badge tone="ok">certified</Badge>
                  ) : (
                    <Badge tone="bad">not certified</Badge>
                  )}{' '}
                  tier <strong>{c.report.tier}</strong>
                </p>
                <p className="small">{c.signature?.reason}</p>
                {c.signature?.developmentKey ? (
                  <p className="state empty" role="note">
                    Signed with the conformance suite's <strong>published development key</strong>: the report
                    is intact, but anyone can sign with that key, so it does not show who ran the tests.
                  </p>
                ) : null}
                <dl className="kv">
                  <dt>Written</dt>
                  <dd>{c.writtenAt ? `${c.writtenAt.replace('T', ' ').slice(0, 19)} UTC` : 'unknown'}</dd>
                  <dt>Tested</dt>
                  <dd>
                    {c.report.counts?.total ?? 0} tests of {c.report.testSuite?.spec ?? 'the suite'}
                    {c.report.traceHead
                      ? ` against a trace up to seq ${c.report.traceHead.seq} (L ${c.report.traceHead.l})`
                      : ''}
                  </dd>
                  <dt>Implementation</dt>
                  <dd>
                    {c.report.implementation?.name} {c.report.implementation?.version}
                  </dd>
                  <dt>Suite</dt>
                  <dd>
                    {c.report.testSuite?.name} {c.report.testSuite?.version} ({c.report.testSuite?.spec})
                  </dd>
                  <dt>Counts</dt>
                  <dd>
                    {c.report.counts?.pass} pass · {c.report.counts?.fail} fail ·{' '}
                    {c.report.counts?.notApplicable} not applicable · mandatory{' '}
                    {c.report.counts?.mandatoryPass}/{c.report.counts?.mandatory}
                  </dd>
                  <dt>Replay</dt>
                  <dd>
                    <Badge tone={tone(c.report.replayStatus?.status)}>{c.report.replayStatus?.status}</Badge>{' '}
                    {c.report.replayStatus?.detail}
                  </dd>
                  <dt>Invariants</dt>
                  <dd>
                    <Badge tone={tone(c.report.invariantStatus?.status)}>
                      {c.report.invariantStatus?.status}
                    </Badge>{' '}
                    {c.report.invariantStatus?.detail}
                  </dd>
                  <dt>Isolation</dt>
                  <dd>
                    <Badge tone={tone(c.report.isolationStatus?.status)}>
                      {c.report.isolationStatus?.status}
                    </Badge>{' '}
                    {c.report.isolationStatus?.detail}
                  </dd>
                  <dt>Signing key</dt>
                  <dd>
                    <code title={c.signature?.publicKey ?? undefined}>
                      {c.signature?.publicKey ? `${c.signature.publicKey.slice(0, 24)}…` : 'none'}
                    </code>{' '}
                    {c.signature?.developmentKey ? <Badge tone="warn">development key</Badge> : null}
                  </dd>
                  <dt>Tier</dt>
                  <dd className="small">{c.report.tierReason}</dd>
                </dl>
              </Section>
              <Section title="Tests">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">§</th>
                      <th scope="col">Test</th>
                      <th scope="col">Mandatory</th>
                      <th scope="col">Result</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(c.report.tests ?? []).map((t) => (
                      <tr key={t.id}>
                        <td>{t.section}</td>
                        <td>
                          <code>{t.id}</code>
                          <div className="muted small">{t.reason ?? t.title}</div>
                        </td>
                        <td>{t.mandatory ? 'yes' : 'no'}</td>
                        <td>
                          <Badge tone={tone(t.status)}>
                            {t.status === 'not_applicable' ? 'n/a' : t.status}
                          </Badge>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Section>
            </div>
          )
        }
      </Guard>
    </div>
  );
}

export const route = createLazyRoute('/compliance')({ component: Compliance });
