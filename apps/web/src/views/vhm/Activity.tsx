import { useQuery } from '@tanstack/react-query';
import type { Entry } from '@xdv/core';
import { get } from '../../api/client';
import { useClock } from '../../api/clock';
import { useOverview } from '../../api/data';
import { qk } from '../../api/keys';
import type { TracePage } from '../../api/types';
import { AtL } from '../../components/time';
import { Badge, Empty, ErrorBox, Loading, Section } from '../../components/ui';
import { num } from '../../lib/num';
import { Link } from '../../lib/router';

/** How far back the log reads: the VHM's entries among the newest WINDOW of the trace. */
const WINDOW = 1000;
const SHOWN = 40;

/** Who sent a command, from the actor the core recorded in its payload. */
export function actorOf(e: Pick<Entry, 'payload' | 'outcome'>, tenantName: (id: string) => string): string {
  const a = e.payload.actor;
  if (e.outcome === 'effect') return '↳ effect';
  if (a === null || typeof a !== 'object' || Array.isArray(a)) return 'system';
  const kind = typeof a.kind === 'string' ? a.kind : 'system';
  if (kind === 'tenant' && typeof a.tenant === 'string')
    return `${tenantName(a.tenant)}${typeof a.role === 'string' ? ` ${a.role}` : ''}`;
  if (kind === 'provider' && typeof a.provider === 'string') return `provider ${a.provider}`;
  return kind;
}

/**
 * The VHM's activity log (like a task log): its trace entries, newest first, with who asked, what
 * came of it and the refusal code.
 */
export function Activity({ vhm, tenantName }: { vhm: string; tenantName: (id: string) => string }) {
  const o = useOverview();
  const clock = useClock();
  const head = o.data?.seq;
  const after = Math.max(0, (head ?? 0) - WINDOW);
  const q = useQuery({
    queryKey: [...qk.vhmActivity(vhm), after],
    queryFn: ({ signal }) =>
      get<TracePage>(`/v1/trace?after=${after}&limit=${WINDOW}&vhm=${encodeURIComponent(vhm)}`, signal),
    enabled: head !== undefined && !o.notLive,
    placeholderData: (prev) => prev,
  });
  const items = (q.data?.items ?? []).slice(-SHOWN).reverse();
  return (
    <Section title="Activity" id="activity" wide>
      {o.notLive ? (
        <Empty>
          The activity log follows the live trace; open the Trace page to read entries up to this L.
        </Empty>
      ) : q.error ? (
        <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
      ) : q.isPending ? (
        <Loading what="Loading activity" />
      ) : items.length === 0 ? (
        <Empty>
          No entries for {vhm} among the newest {num(WINDOW)} of the trace.
        </Empty>
      ) : (
        <div className="table-scroll">
          <table className="activity">
            <thead>
              <tr>
                <th scope="col">L</th>
                <th scope="col">Entry</th>
                <th scope="col">Actor</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.seq} className={e.outcome === 'effect' ? 'effect' : undefined}>
                  <td className="num">
                    <AtL l={e.l} now={clock.now} tickMs={clock.tickMs} compact />
                  </td>
                  <td>
                    <Link to="/trace" search={{ seq: e.seq }}>
                      <code>{e.type}</code>
                    </Link>{' '}
                    <span className="muted small">#{e.seq}</span>
                  </td>
                  <td className="small">{actorOf(e, tenantName)}</td>
                  <td>
                    {e.outcome === 'rejected' ? (
                      <>
                        <Badge tone="bad">refused</Badge>{' '}
                        <code className="small">
                          {typeof e.payload.code === 'string' ? e.payload.code : ''}
                        </code>
                      </>
                    ) : e.outcome === 'accepted' ? (
                      <Badge tone="ok">accepted</Badge>
                    ) : (
                      <span className="muted small">{e.outcome}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="small muted">
        Newest {SHOWN} of this VHM's entries; the <Link to="/trace">Trace</Link> page has them all.
      </p>
    </Section>
  );
}
