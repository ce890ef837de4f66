import type { Contract, Vhm } from '@xdv/core';
import { useCalibrations, useContracts } from '../../api/data';
import { GuardedAction } from '../../components/GuardedAction';
import { AtL, Est } from '../../components/time';
import { DomainTag, Empty, fmt, Guard, Section, StateBadge } from '../../components/ui';
import { calibrationStatus } from '../../lib/calibration';
import { ALLOC_RIGHT } from '../../lib/caps';
import { estimate } from '../../lib/clock';
import { Link } from '../../lib/router';
import { gib } from '../../lib/units';
import { AllocateContract } from './AllocateContract';
import type { GateFn } from './gate';
import { History } from './History';

export function resources(c: Contract): string {
  if (c.k)
    return `${gib(c.k.size)} at ${c.k.base}, ${c.k.cpu} CPU${c.k.irqs.length ? `, IRQ ${c.k.irqs.join(',')}` : ''}`;
  if (c.q) return `${c.q.qubits} qubits, budget ${fmt(c.q.budget)}, calibration ${c.q.calibration}`;
  if (c.phi)
    return `window [${c.phi.start}, ${c.phi.start + c.phi.duration}), tolerance ${(c.phi.tolerance / 100).toFixed(2)}%`;
  return '';
}

export function Contracts({
  v,
  g,
  now,
  tickMs,
  operator,
}: {
  v: Vhm;
  g: GateFn;
  now: number;
  tickMs: number | undefined;
  operator: boolean;
}) {
  const src = useContracts(v.id);
  return (
    <Section
      title="Resource contracts"
      wide
      actions={<AllocateContract v={v} g={g} now={now} tickMs={tickMs} />}
    >
      <Guard src={src} empty={(c) => (c.length ? null : 'No contracts.')}>
        {(all) => {
          const cs = all.filter(live);
          const ended = all.filter((c) => !live(c));
          return (
            <>
              {cs.length === 0 ? (
                <Empty>No live contracts.</Empty>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Contract</th>
                      <th scope="col">Domain</th>
                      <th scope="col">Provider</th>
                      <th scope="col">Status</th>
                      <th scope="col">Resources</th>
                      <th scope="col">Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {cs.map((c) => {
                      const cg = g(ALLOC_RIGHT[c.domain]);
                      const body = { capability: cg.capability };
                      return (
                        <tr key={c.id}>
                          <td>
                            <code>{c.id}</code>
                            <div className="small muted">
                              <AtL l={c.issuedL} now={now} tickMs={tickMs} compact />
                              {c.endedL !== null ? (
                                <>
                                  –<AtL l={c.endedL} now={now} tickMs={tickMs} compact bare />
                                </>
                              ) : null}
                            </div>
                          </td>
                          <td>
                            <DomainTag domain={c.domain} />
                          </td>
                          <td>
                            <Link to="/providers/$id" params={{ id: c.provider }}>
                              {c.provider}
                            </Link>
                          </td>
                          <td>
                            <StateBadge state={c.status} />
                            {c.reason ? <div className="small text-bad">{c.reason}</div> : null}
                          </td>
                          <td className="small">
                            {resources(c)}
                            {c.q ? <CalibrationNote id={c.q.calibration} now={now} /> : null}
                            {c.phi ? <Est text={estimate(c.phi.duration, tickMs)} /> : null}
                          </td>
                          <td className="actions">
                            {c.status === 'issued' ? (
                              <GuardedAction
                                small
                                label="Activate"
                                gate={cg}
                                request={() => ({
                                  method: 'POST',
                                  path: `/v1/contracts/${c.id}/activate`,
                                  body,
                                })}
                              />
                            ) : null}
                            {c.status === 'active' && !c.binding ? (
                              <GuardedAction
                                small
                                label="Bind"
                                gate={cg}
                                title={`Request a ${c.domain} binding for ${c.id}`}
                                request={() => ({
                                  method: 'POST',
                                  path: `/v1/vhms/${v.id}/bindings`,
                                  body: { capability: cg.capability, contract: c.id },
                                })}
                              />
                            ) : null}
                            {c.status === 'issued' || c.status === 'active' ? (
                              <GuardedAction
                                small
                                label="Release"
                                gate={cg}
                                confirmName={v.name}
                                title={`Release ${c.id}`}
                                request={() => ({
                                  method: 'POST',
                                  path: `/v1/contracts/${c.id}/release`,
                                  body,
                                })}
                              />
                            ) : null}
                            {operator && (c.status === 'issued' || c.status === 'active') ? (
                              <GuardedAction
                                small
                                label="Revoke"
                                gate={g(null)}
                                confirmName={v.name}
                                title={`Revoke ${c.id} (operator): its binding is released and a fault recorded`}
                                request={() => ({
                                  method: 'POST',
                                  path: `/v1/contracts/${c.id}/revoke`,
                                  body: { reason: 'revoked by operator from the console' },
                                })}
                              />
                            ) : null}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
              <History count={ended.length} what="contracts">
                <EndedContracts cs={ended} now={now} tickMs={tickMs} />
              </History>
            </>
          );
        }}
      </Guard>
    </Section>
  );
}

const live = (c: Contract) => c.status === 'issued' || c.status === 'active';

/** Released and revoked contracts, newest first, one line each. */
function EndedContracts({ cs, now, tickMs }: { cs: Contract[]; now: number; tickMs: number | undefined }) {
  const sorted = [...cs].sort(
    (a, b) => (b.endedL ?? 0) - (a.endedL ?? 0) || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0),
  );
  return (
    <ul className="plain ended">
      {sorted.map((c) => (
        <li key={c.id}>
          <DomainTag domain={c.domain} /> <code>{c.id}</code> <StateBadge state={c.status} />{' '}
          {c.reason ? <code className="small text-bad">{c.reason}</code> : null}{' '}
          <span className="small muted">
            {resources(c)} · <AtL l={c.issuedL} now={now} tickMs={tickMs} compact />
            {c.endedL !== null ? (
              <>
                –<AtL l={c.endedL} now={now} tickMs={tickMs} compact bare />
              </>
            ) : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The contract's calibration validity, in the contract's row. */
function CalibrationNote({ id, now }: { id: string; now: number }) {
  const cals = useCalibrations();
  const st = calibrationStatus(
    cals.data?.find((x) => x.id === id),
    id,
    now,
  );
  return <div className={st.valid ? 'muted' : 'text-bad'}>{cals.data ? st.text : null}</div>;
}
