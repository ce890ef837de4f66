import type { AttentionItem } from '@xdv/core';
import { useMe, useOverview } from '../api/data';
import { useAttention } from '../api/triage';
import { writeBlock } from '../lib/caps';
import { Link } from '../lib/router';
import { AckAction, metricName } from './AlertGroups';
import { GuardedAction } from './GuardedAction';
import { Badge, fmt } from './ui';

// "Needs attention" (issue 15 §1): what a person must act on now, each with Inspect and the one
// action that resolves it. Empty means nothing needs anyone, and says so in one line.

export function AttentionStrip() {
  const src = useAttention();
  const o = useOverview();
  const broken = o.data?.broken ?? null;
  const items = src.data?.items ?? [];
  if (src.error || src.isPending) return null;
  const count = items.length + (broken ? 1 : 0);
  return (
    <section className={`attention ${count > 0 ? 'needs' : 'calm'}`} aria-labelledby="h-attention">
      <h2 id="h-attention">
        Needs attention{' '}
        {count > 0 ? <Badge tone="bad">{fmt(count)}</Badge> : <Badge tone="ok">nothing</Badge>}
      </h2>
      {count === 0 ? (
        <p className="muted small">No paused VHM, stale provider, broken trace or unacknowledged alert.</p>
      ) : (
        <ul className="attention-list">
          {broken ? (
            <li className="attention-item">
              <Badge tone="bad">trace</Badge>
              <span className="what">
                The hash chain is broken at seq {fmt(broken.seq)}
                {broken.reason ? `: ${broken.reason}` : ''}.
              </span>
              <span className="acts">
                <Link to="/trace" search={{ seq: broken.seq }}>
                  Inspect
                </Link>{' '}
                · <Link to="/trace">Re-verify</Link>
              </span>
            </li>
          ) : null}
          {items.map((i) => (
            <Item key={keyOf(i)} i={i} l={src.data?.l ?? 0} />
          ))}
        </ul>
      )}
    </section>
  );
}

function keyOf(i: AttentionItem): string {
  return i.kind === 'vhm_paused' ? i.vhm : i.kind === 'provider_stale' ? i.provider : i.group.key;
}

function Item({ i, l }: { i: AttentionItem; l: number }) {
  const me = useMe();
  const blocked = writeBlock(me.data, false);
  switch (i.kind) {
    case 'vhm_paused':
      return (
        <li className="attention-item">
          <Badge tone="warn">paused</Badge>
          <span className="what">
            VHM <strong>{i.name}</strong> ({i.vhm}) was paused by fault escalation after {fmt(i.faults)}{' '}
            domain faults.
          </span>
          <span className="acts">
            <Link to="/vhms/$id" params={{ id: i.vhm }}>
              Inspect
            </Link>{' '}
            <GuardedAction
              label="Resume"
              small
              tone="primary"
              gate={{ allowed: blocked === null, reason: blocked }}
              title={`Resume ${i.name}`}
              request={() => ({ method: 'POST', path: `/v1/vhms/${i.vhm}/resume` })}
            />
          </span>
        </li>
      );
    case 'provider_stale':
      return (
        <li className="attention-item">
          <Badge tone="warn">{i.health === 'degraded' ? 'degraded' : 'stale'}</Badge>
          <span className="what">
            Provider <strong>{i.name}</strong>{' '}
            {i.health === 'degraded'
              ? 'reported a hardware error'
              : i.lastReportL === null
                ? 'has never reported'
                : `has not reported for ${fmt(l - i.lastReportL)} ticks (last at L ${fmt(i.lastReportL)})`}
            ; check its reporting process and attestation.
          </span>
          <span className="acts">
            <Link to="/providers/$id" params={{ id: i.provider }}>
              Inspect
            </Link>
          </span>
        </li>
      );
    case 'alert': {
      const g = i.group;
      return (
        <li className="attention-item">
          <Badge tone={g.severity === 'critical' ? 'bad' : 'warn'}>{g.severity}</Badge>
          <span className="what">
            {g.provider} · {g.subject}: {metricName(g.latest.metric)} {fmt(g.latest.value)} vs{' '}
            {fmt(g.latest.threshold)} (firing ×{fmt(g.firing)})
          </span>
          <span className="acts">
            <Link to="/providers/$id" params={{ id: g.provider }}>
              Inspect
            </Link>{' '}
            <AckAction g={g} />
          </span>
        </li>
      );
    }
    default:
      return null;
  }
}
