import type { AlertGroup, AlertView } from '@xdv/core';
import { useState } from 'react';
import { useClock } from '../api/clock';
import { useMe } from '../api/data';
import { ackRequest, useAlertGroups } from '../api/triage';
import { writeBlock } from '../lib/caps';
import { Link } from '../lib/router';
import { GuardedAction } from './GuardedAction';
import { AtL } from './time';
import { Badge, Empty, fmt, Guard, Section } from './ui';

// Alerts grouped by subject (one row per provider and qubit or envelope) with severity and status:
// firing first, resolved ones on request. An operator acknowledges a group's newest firing alert
// with a note; the acknowledgement is a trace entry.

const METRIC: Record<string, string> = {
  t1: 'T1',
  t2: 'T2',
  fidelity: 'gate fidelity',
  readoutError: 'readout error',
  stability: 'stability',
  noise: 'noise',
  drift: 'drift',
};

export const metricName = (m: string) => METRIC[m] ?? m;

export function AlertGroupsSection() {
  const src = useAlertGroups();
  const [showResolved, setShowResolved] = useState(false);
  return (
    <Section title="Alerts" id="alerts" wide>
      <Guard src={src} what="Reading alerts">
        {(groups) => {
          const firing = groups.filter((g) => g.status === 'firing');
          const resolved = groups.filter((g) => g.status === 'resolved');
          return (
            <>
              <p className="muted small">
                {fmt(firing.length)} subject{firing.length === 1 ? '' : 's'} firing · {fmt(resolved.length)}{' '}
                resolved (back in range, or the envelope ended).{' '}
                {resolved.length > 0 ? (
                  <button type="button" className="small" onClick={() => setShowResolved((v) => !v)}>
                    {showResolved ? 'Hide resolved' : 'Show resolved'}
                  </button>
                ) : null}
              </p>
              {firing.length === 0 && !showResolved ? (
                <Empty>No alert is firing.</Empty>
              ) : (
                <AlertTable groups={showResolved ? groups : firing} />
              )}
            </>
          );
        }}
      </Guard>
    </Section>
  );
}

export function AlertTable({ groups }: { groups: AlertGroup[] }) {
  return (
    <table className="alerts-table">
      <thead>
        <tr>
          <th scope="col">Severity</th>
          <th scope="col">Subject</th>
          <th scope="col">Latest</th>
          <th scope="col">Status</th>
          <th scope="col">Acknowledged</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <AlertRow key={g.key} g={g} />
        ))}
      </tbody>
    </table>
  );
}

function AlertRow({ g }: { g: AlertGroup }) {
  const clock = useClock();
  const a = g.latest;
  return (
    <tr className={`alert-row ${g.status}`}>
      <td>
        <Badge tone={g.status === 'resolved' ? 'muted' : g.severity === 'critical' ? 'bad' : 'warn'}>
          {g.severity}
        </Badge>
      </td>
      <th scope="row">
        <Link to="/providers/$id" params={{ id: g.provider }}>
          {g.provider}
        </Link>{' '}
        · {g.subject}
        <div className="muted small">
          {g.metrics.map(metricName).join(', ')} · {fmt(g.total)} alert{g.total === 1 ? '' : 's'}
        </div>
      </th>
      <td>
        {metricName(a.metric)} {fmt(a.value)} vs {fmt(a.threshold)}
        <div className="muted small">
          at <AtL l={a.l} now={clock.now} tickMs={clock.tickMs} compact bare />
        </div>
      </td>
      <td>
        <StatusText a={a} firing={g.firing} />
      </td>
      <td className="small">{ackText(g)}</td>
      <td>
        <AckAction g={g} />
      </td>
    </tr>
  );
}

function StatusText({ a, firing }: { a: AlertView; firing: number }) {
  if (firing > 0) return <Badge tone="bad">firing ×{fmt(firing)}</Badge>;
  return (
    <span className="small">
      <Badge tone="muted">resolved</Badge>{' '}
      {a.resolution === 'subject_ended' ? 'envelope ended' : 'back in range'}
      {a.resolvedAt !== null ? ` at L ${fmt(a.resolvedAt)}` : ''}
    </span>
  );
}

function ackText(g: AlertGroup): string {
  if (g.status !== 'firing') return '—';
  const ack = g.latest.ack;
  return g.acknowledged && ack ? `at L ${fmt(ack.l)}: “${ack.note}”` : 'not yet';
}

/** Acknowledge the group's newest firing alert (operators; what they write is recorded). */
export function AckAction({ g, small = true }: { g: AlertGroup; small?: boolean }) {
  const me = useMe();
  const [note, setNote] = useState('');
  const target = g.firingIds.at(-1);
  if (g.status !== 'firing' || g.acknowledged || !target) return null;
  const blocked = writeBlock(me.data, false);
  const operator = me.data?.token.kind === 'operator';
  const reason = blocked ?? (operator ? null : 'Only an operator acknowledges alerts.');
  return (
    <GuardedAction
      label="Acknowledge"
      small={small}
      tone="primary"
      gate={{ allowed: reason === null, reason }}
      title={`Acknowledge ${target} (${g.provider} · ${g.subject})`}
      fields={
        <label>
          <span>Note (what you found or did)</span>
          <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} required />
        </label>
      }
      request={() => (note.trim() === '' ? null : ackRequest(target, note.trim()))}
    />
  );
}
