import { useQuery } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import { useState } from 'react';
import { get } from '../api/client';
import { useClock } from '../api/clock';
import { useMe, useOverview, useScheduler, useVhms } from '../api/data';
import { qk } from '../api/keys';
import type { TracePage } from '../api/types';
import { GuardedAction } from '../components/GuardedAction';
import { AtL, Est, Ticks } from '../components/time';
import {
  Badge,
  DomainTag,
  Empty,
  ErrorBox,
  fmt,
  Guard,
  Loading,
  Section,
  StateBadge,
} from '../components/ui';
import { writeBlock } from '../lib/caps';
import { estimate, pace } from '../lib/clock';
import { Link, useAt } from '../lib/router';

export default function Scheduler() {
  const src = useScheduler();
  const me = useMe();
  const vhms = useVhms();
  const names = new Map((vhms.data ?? []).map((v) => [v.id, v.name]));
  const blocked = writeBlock(me.data, src.notLive);
  const operator = me.data?.token.kind === 'operator';
  const { tickMs } = useClock();
  return (
    <div className="page">
      <div className="page-head">
        <h1>Scheduler</h1>
        {operator ? (
          <GuardedAction
            label="Run one tick"
            tone="primary"
            gate={{ allowed: !blocked, reason: blocked }}
            request={() => ({ method: 'POST', path: '/v1/scheduler/tick' })}
          />
        ) : null}
      </div>
      <Guard src={src}>
        {(s) => (
          <div className="grid">
            <Section title="Arbitration">
              <p>
                L {fmt(s.l)}
                {pace(tickMs) ? <Est text={pace(tickMs)} /> : null} · domain priority{' '}
                {Object.entries(s.config.domainPriority)
                  .sort((a, b) => b[1] - a[1])
                  .map(([d, p]) => `${d === 'PHI' ? 'Φ' : d} ${p}`)
                  .join(' > ')}{' '}
                · aging: +{s.config.agingStep} priority every {s.config.agingThreshold} ticks waited
                <Est text={estimate(s.config.agingThreshold, tickMs)} />
              </p>
              <p className="muted small">
                Ties break by domain priority, priority, submission L, then process id: the decision is a pure
                function of the state.
              </p>
            </Section>
            <Section title="Per-VHM quotas and weights" id="quotas">
              {s.vhms.length === 0 ? (
                <Empty>No live VHMs.</Empty>
              ) : (
                // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
                <section className="table-scroll" tabIndex={0} aria-label="Scrollable table">
                  <table className="sched-vhms">
                    <thead>
                      <tr>
                        <th scope="col">VHM</th>
                        <th scope="col">Weight</th>
                        <th scope="col">Queue quota</th>
                        <th scope="col">Queued</th>
                        <th scope="col">Virtual time</th>
                        <th scope="col">Actions</th>
                      </tr>
                    </thead>
                    <tbody>
                      {[...s.vhms]
                        .sort((a, b) => b.queued - a.queued || idNum(a.vhm) - idNum(b.vhm))
                        .slice(0, 300)
                        .map((v) => (
                          <tr key={v.vhm}>
                            <td>
                              <Link to="/vhms/$id" params={{ id: v.vhm }}>
                                {names.get(v.vhm) ?? v.vhm}
                              </Link>{' '}
                              <span className="muted small">{v.vhm}</span>
                            </td>
                            <td className="num">{v.weight}</td>
                            <td className="num">{v.maxQueued}</td>
                            <td className="num">
                              {v.queued >= v.maxQueued ? (
                                <Badge tone="warn">{v.queued} (full)</Badge>
                              ) : (
                                v.queued
                              )}
                            </td>
                            <td className="num">{fmt(v.vtime)}</td>
                            <td>
                              <EditSchedule
                                vhm={v.vhm}
                                weight={v.weight}
                                maxQueued={v.maxQueued}
                                blocked={blocked}
                              />
                            </td>
                          </tr>
                        ))}
                    </tbody>
                  </table>
                </section>
              )}
              {s.vhms.length > 300 ? (
                <p className="muted small">First 300 of {fmt(s.vhms.length)} VHMs.</p>
              ) : null}
            </Section>
            <Section title="Waiting and running units (aging)" id="units">
              {s.units.length === 0 ? (
                <Empty>The run queue is empty.</Empty>
              ) : (
                <table className="sched-units">
                  <thead>
                    <tr>
                      <th scope="col">Unit</th>
                      <th scope="col">VHM · process</th>
                      <th scope="col">Domain</th>
                      <th scope="col">State</th>
                      <th scope="col">Priority → effective</th>
                      <th scope="col">Submitted · waited</th>
                      <th scope="col">Remaining · dispatches</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.units.map((u) => {
                      const eff =
                        u.priority + s.config.agingStep * Math.floor(u.waited / s.config.agingThreshold);
                      return (
                        <tr key={u.id}>
                          <td>
                            <code>{u.id}</code>
                          </td>
                          <td>
                            <Link to="/vhms/$id" params={{ id: u.vhm }}>
                              {u.vhm}
                            </Link>{' '}
                            · {u.process}
                          </td>
                          <td>
                            <DomainTag domain={u.domain} />
                          </td>
                          <td>
                            <StateBadge state={u.state} />
                          </td>
                          <td className="num">
                            {u.priority} → {eff > u.priority ? <strong>{eff} (aged)</strong> : eff}
                          </td>
                          <td className="num">
                            <AtL l={u.submittedL} now={s.l} tickMs={tickMs} compact /> ·{' '}
                            <Ticks n={u.waited} tickMs={tickMs} />
                          </td>
                          <td className="num">
                            {u.remaining} · {u.dispatches}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
            </Section>
            <Decisions />
          </div>
        )}
      </Guard>
    </div>
  );
}

const idNum = (id: string) => Number(id.slice(id.lastIndexOf('-') + 1)) || 0;

function unitText(x: unknown): string {
  if (typeof x !== 'object' || x === null) return String(x);
  const u = x as {
    unit?: string;
    vhm?: string;
    process?: string;
    domain?: string;
    priority?: number;
    waited?: number;
  };
  return `${u.unit} (${u.vhm} ${u.process}, ${u.domain === 'PHI' ? 'Φ' : u.domain}, priority ${u.priority}, waited ${u.waited})`;
}

function EditSchedule({
  vhm,
  weight,
  maxQueued,
  blocked,
}: {
  vhm: string;
  weight: number;
  maxQueued: number;
  blocked: string | null;
}) {
  const [w, setW] = useState(weight);
  const [m, setM] = useState(maxQueued);
  return (
    <GuardedAction
      small
      label={`Edit ${vhm}`}
      gate={{ allowed: !blocked, reason: blocked }}
      onOpen={() => {
        setW(weight);
        setM(maxQueued);
      }}
      request={() => ({ method: 'PUT', path: `/v1/vhms/${vhm}/schedule`, body: { weight: w, maxQueued: m } })}
      fields={
        <>
          <label>
            <span>Weight (1–10000)</span>
            <input
              type="number"
              min={1}
              max={10000}
              value={w}
              onChange={(e) => setW(Math.max(1, Math.floor(Number(e.target.value) || 1)))}
            />
          </label>
          <label>
            <span>Queue quota (units)</span>
            <input
              type="number"
              min={1}
              value={m}
              onChange={(e) => setM(Math.max(1, Math.floor(Number(e.target.value) || 1)))}
            />
          </label>
        </>
      }
    />
  );
}

function Decisions() {
  const o = useOverview();
  const at = useAt();
  const clock = useClock();
  const head = at ?? o.data?.seq;
  const seq = o.data?.seq;
  const d = useQuery({
    queryKey: qk.traceDecisions(at),
    queryFn: ({ signal }) =>
      get<TracePage>(
        `/v1/trace?type=sched.decision&after=${Math.max(0, (seq ?? 0) - 20000)}&limit=1000`,
        signal,
      ),
    enabled: head !== undefined,
  });
  const items = (d.data?.items ?? [])
    .filter((e) => at === null || e.l <= at)
    .slice(-30)
    .reverse();
  return (
    <Section title="Recent decisions (sched.decision entries)" id="decisions">
      {d.error ? (
        <ErrorBox error={d.error} />
      ) : d.isPending ? (
        <Loading what="Reading decisions from the trace" />
      ) : items.length === 0 ? (
        <Empty>
          No scheduler decisions visible to you (decisions are fleet-wide entries, visible to operators).
        </Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">L</th>
              <th scope="col">Dispatched</th>
              <th scope="col">Completed · requeued · waiting</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => {
              const p = e.payload as {
                dispatched?: unknown;
                completed?: unknown;
                requeued?: unknown;
                waiting?: number;
              };
              const list = (x: unknown) => (Array.isArray(x) ? x.map(unitText).join('; ') : String(x ?? ''));
              return (
                <tr key={e.seq}>
                  <td className="num">
                    <Link to="/trace" search={{ seq: e.seq }}>
                      {e.seq}
                    </Link>
                  </td>
                  <td className="num">
                    <AtL l={e.l} now={clock.now} tickMs={clock.tickMs} compact bare />
                  </td>
                  <td className="small">{list(p.dispatched) || '—'}</td>
                  <td className="small">
                    {list(p.completed) || '—'} · {list(p.requeued) || '—'} · {p.waiting ?? 0}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export const route = createLazyRoute('/scheduler')({ component: Scheduler });
