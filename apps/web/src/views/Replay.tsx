import { useQuery } from '@tanstack/react-query';
import { createLazyRoute } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { get } from '../api/client';
import { useClockInfo } from '../api/clock';
import { useOverview, useReplayState } from '../api/data';
import { qk } from '../api/keys';
import type { Overview, ReplayDiff } from '../api/types';
import { FieldChanges } from '../components/FieldDiff';
import { Est } from '../components/time';
import { Badge, Empty, ErrorBox, fmt, Loading, Section } from '../components/ui';
import { estimate, pace, relative } from '../lib/clock';
import { Link, useAt, useSetAt } from '../lib/router';

export default function Replay() {
  const at = useAt();
  const setAt = useSetAt();
  const o = useOverview();
  // The live head, whatever L is being inspected.
  const liveL = useQuery({
    queryKey: qk.overview(),
    queryFn: ({ signal }) => get<Overview>('/v1/overview', signal),
  }).data;
  const clock = useClockInfo().data;
  const tickMs = clock?.tickMs;
  const max = Math.max(liveL?.l ?? 0, o.data?.l ?? 0, clock?.l ?? 0, at ?? 0);
  const [l, setL] = useState(at ?? max);
  useEffect(() => {
    if (at !== null) setL(at);
  }, [at]);
  const state = useReplayState(at);
  return (
    <div className="page">
      <h1>Replay</h1>
      <Section title="Time travel by logical time L">
        <p>
          Choose a logical time and every view (overview, VHMs, providers, scheduler, trace) shows the state
          at that L, replayed from the recorded trace by the server’s core and marked{' '}
          <strong>NOT LIVE</strong>. Replay never changes the live system.
        </p>
        <div className="replay-controls">
          <button type="button" onClick={() => setL(0)} aria-label="First L">
            |◀
          </button>
          <button type="button" onClick={() => setL(Math.max(0, l - 1))} aria-label="Step back">
            ◀
          </button>
          <label className="slider">
            <span>L</span>
            <input
              type="range"
              min={0}
              max={max}
              value={Math.min(l, max)}
              onChange={(e) => setL(Number(e.target.value))}
              aria-valuetext={`L ${l}`}
            />
          </label>
          <button type="button" onClick={() => setL(Math.min(max, l + 1))} aria-label="Step forward">
            ▶
          </button>
          <label className="inline">
            <span className="sr-only">L</span>
            <input
              type="number"
              min={0}
              max={max}
              value={l}
              onChange={(e) => setL(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
              aria-describedby="replay-l-est"
            />
          </label>
          <span id="replay-l-est" className="est" aria-live="polite">
            {relative(l, max, tickMs)}
          </span>
          <button type="button" className="primary" onClick={() => setAt(l)}>
            Show state at L {l}
          </button>
          {at !== null ? (
            <button type="button" onClick={() => setAt(null)}>
              Back to live
            </button>
          ) : null}
        </div>
        <p className="muted small">
          Live L is {fmt(max)}
          {pace(tickMs) ? ` · ${pace(tickMs)}` : ''}.
        </p>
      </Section>
      {at !== null ? (
        <Section title={`State at L ${at} (NOT LIVE)`} id="state-at">
          {state.error ? (
            <ErrorBox error={state.error} />
          ) : state.isPending ? (
            <Loading what={`Replaying to L ${at}`} />
          ) : state.data ? (
            <>
              <p>
                Replayed to seq {fmt(state.data.seq)}, L {fmt(state.data.l)}
                <Est text={relative(state.data.l, max, tickMs)} />
                {state.data.live ? ' (this is the live head)' : ''}. Open any view —{' '}
                <Link to="/">overview</Link>, <Link to="/vhms">VHMs</Link>,{' '}
                <Link to="/providers">providers</Link>, <Link to="/scheduler">scheduler</Link> — to see it at
                this L.
              </p>
              <Summary summary={state.data.summary} />
            </>
          ) : null}
        </Section>
      ) : null}
      <DiffView max={max} tickMs={tickMs} />
    </div>
  );
}

function Summary({ summary }: { summary: Record<string, Record<string, number>> }) {
  const rows = Object.entries(summary).filter(([, by]) => Object.keys(by).length > 0);
  if (rows.length === 0) return <Empty>Nothing existed yet.</Empty>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Collection</th>
          <th scope="col">By state</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([c, by]) => (
          <tr key={c}>
            <th scope="row">{c}</th>
            <td>
              {Object.entries(by)
                .map(([k, n]) => `${k} ${fmt(n)}`)
                .join(' · ')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DiffView({ max, tickMs }: { max: number; tickMs: number | undefined }) {
  const [from, setFrom] = useState(Math.max(0, max - 10));
  const [to, setTo] = useState(max);
  const [req, setReq] = useState<{ from: number; to: number } | null>(null);
  const d = useQuery({
    queryKey: qk.replayDiff(req?.from, req?.to),
    queryFn: ({ signal }) => get<ReplayDiff>(`/v1/replay/diff?from=${req!.from}&to=${req!.to}`, signal),
    enabled: req !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const changes = Object.entries(d.data?.changes ?? {});
  const linkTo = (c: string) => (c === 'vhms' ? '/vhms/$id' : c === 'providers' ? '/providers/$id' : null);
  return (
    <Section title="Difference between two logical times" id="diff">
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setReq({ from: Math.min(from, to), to: Math.max(from, to) });
        }}
      >
        <label>
          <span>From L</span>
          <input
            type="number"
            min={0}
            value={from}
            onChange={(e) => setFrom(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
          />
        </label>
        <label>
          <span>To L</span>
          <input
            type="number"
            min={0}
            value={to}
            onChange={(e) => setTo(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
          />
        </label>
        <button type="submit" className="primary">
          Compare
        </button>
        {estimate(to - from, tickMs) ? (
          <span className="est">{`${fmt(Math.abs(to - from))} ticks apart (${estimate(to - from, tickMs)})`}</span>
        ) : null}
      </form>
      {req === null ? (
        <Empty>Choose two logical times to see what was added, removed and changed between them.</Empty>
      ) : d.error ? (
        <ErrorBox error={d.error} />
      ) : d.isPending ? (
        <Loading what="Replaying both times" />
      ) : changes.length === 0 ? (
        <Empty>
          Nothing changed between L {req.from} and L {req.to}.
        </Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Collection</th>
              <th scope="col">Added</th>
              <th scope="col">Removed</th>
              <th scope="col">Changed</th>
            </tr>
          </thead>
          <tbody>
            {changes.map(([c, x]) => (
              <tr key={c}>
                <th scope="row">{c}</th>
                {(['added', 'removed', 'changed'] as const).map((k) => (
                  <td key={k} className="small">
                    {x[k].length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      <>
                        <Badge tone={k === 'added' ? 'ok' : k === 'removed' ? 'bad' : 'warn'}>
                          {x[k].length}
                        </Badge>{' '}
                        {x[k].slice(0, 30).map((id) => {
                          const h = linkTo(c);
                          return (
                            <span key={id} className="id-chip">
                              {h ? (
                                <Link to={h} params={{ id }} search={{ at: undefined }}>
                                  {id}
                                </Link>
                              ) : (
                                id
                              )}
                            </span>
                          );
                        })}
                        {x[k].length > 30 ? ` …and ${x[k].length - 30} more` : ''}
                      </>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {req !== null && d.data ? <FieldChanges changes={d.data.changes} /> : null}
    </Section>
  );
}

export const route = createLazyRoute('/replay')({ component: Replay });
