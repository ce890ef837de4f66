import { type Capability, RIGHTS, type Right, type Vhm } from '@xdv/core';
import { useState } from 'react';
import { useClock } from '../../api/clock';
import { GuardedAction } from '../../components/GuardedAction';
import { AtL } from '../../components/time';
import { Badge, Guard, Section } from '../../components/ui';
import type { Gate } from '../../lib/caps';
import type { GateFn } from './gate';

export function RightsPicker({
  value,
  onChange,
  allowed,
}: {
  value: Right[];
  onChange: (r: Right[]) => void;
  allowed: readonly Right[];
}) {
  return (
    <fieldset className="rights">
      <legend>Rights</legend>
      {allowed.map((r) => (
        <label key={r} className="check">
          <input
            type="checkbox"
            checked={value.includes(r)}
            onChange={(e) => onChange(e.target.checked ? [...value, r] : value.filter((x) => x !== r))}
          />
          <span>{r}</span>
        </label>
      ))}
    </fieldset>
  );
}

export function CapabilityTree({
  v,
  caps,
  g,
}: {
  v: Pick<Vhm, 'id' | 'name'>;
  caps: readonly Capability[];
  g: GateFn;
}) {
  const byId = new Map(caps.map((c) => [c.id, c]));
  const roots = caps.filter((c) => !c.parent || !byId.has(c.parent));
  const write = g(null);
  const clock = useClock();
  const node = (c: Capability) => (
    <li key={c.id} aria-label={`${c.id}${c.revoked ? ' (revoked)' : ''}`}>
      <div className={`cap ${c.revoked ? 'revoked' : ''}`}>
        <code>{c.id}</code> {c.revoked ? <Badge tone="bad">revoked</Badge> : <Badge tone="ok">valid</Badge>}{' '}
        <span className="small muted">
          issued <AtL l={c.issuedL} now={clock.now} tickMs={clock.tickMs} compact />
        </span>
        <span className="rights-list">
          {c.rights.map((r) => (
            <span key={r} className="right">
              {r}
            </span>
          ))}
        </span>
        {!c.revoked ? (
          <span className="cap-actions">
            <DeriveCap v={v} c={c} gate={write} />
            <GuardedAction
              small
              label={`Revoke ${c.id}`}
              gate={write}
              confirmName={v.name}
              title={`Revoke ${c.id} and everything derived from it`}
              request={() => ({ method: 'POST', path: `/v1/vhms/${v.id}/capabilities/${c.id}/revoke` })}
            />
          </span>
        ) : null}
      </div>
      {c.children.length > 0 ? (
        <ul>
          {c.children
            .map((k) => byId.get(k))
            .filter((k) => k !== undefined)
            .map(node)}
        </ul>
      ) : null}
    </li>
  );
  return (
    <ul className="captree" aria-label="Capability derivation tree">
      {roots.map(node)}
    </ul>
  );
}

export function DeriveCap({ v, c, gate: gt }: { v: Pick<Vhm, 'id'>; c: Capability; gate: Gate }) {
  const [rights, setRights] = useState<Right[]>([]);
  return (
    <GuardedAction
      small
      label={`Derive from ${c.id}`}
      gate={gt}
      onOpen={() => setRights([])}
      request={() =>
        rights.length
          ? { method: 'POST', path: `/v1/vhms/${v.id}/capabilities/${c.id}/derive`, body: { rights } }
          : null
      }
      fields={
        <>
          <p className="muted small">
            A derived capability holds a subset of {c.id}'s rights; revoking {c.id} revokes it too.
          </p>
          <RightsPicker value={rights} onChange={setRights} allowed={c.rights} />
        </>
      }
    />
  );
}

export function Capabilities({
  v,
  caps,
  error,
  g,
}: {
  v: Vhm;
  caps: Capability[] | undefined;
  error: unknown;
  g: GateFn;
}) {
  const [rights, setRights] = useState<Right[]>([]);
  return (
    <Section
      title="Capabilities"
      actions={
        <GuardedAction
          small
          label="Issue root capability"
          gate={g(null)}
          onOpen={() => setRights([])}
          request={() =>
            rights.length ? { method: 'POST', path: `/v1/vhms/${v.id}/capabilities`, body: { rights } } : null
          }
          fields={<RightsPicker value={rights} onChange={setRights} allowed={RIGHTS} />}
        />
      }
    >
      <p className="muted small">
        Each VHM has its own capability root: a parent's capability is never valid here. Actions below use the
        least-privileged valid capability that holds the right they need.
      </p>
      <Guard
        src={{ data: caps, error, isPending: caps === undefined && !error }}
        empty={(c) => (c.length ? null : 'No capabilities.')}
      >
        {(c) => <CapabilityTree v={v} caps={c} g={g} />}
      </Guard>
    </Section>
  );
}
