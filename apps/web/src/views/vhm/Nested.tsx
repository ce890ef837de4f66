import type { Vhm } from '@xdv/core';
import { useState } from 'react';
import { useVhms } from '../../api/data';
import { GuardedAction } from '../../components/GuardedAction';
import { QuotaFields } from '../../components/QuotaFields';
import { Guard, Section, StateBadge } from '../../components/ui';
import { Link, useNavigate } from '../../lib/router';
import type { GateFn } from './gate';

export function Nested({ v, g }: { v: Vhm; g: GateFn }) {
  const navigate = useNavigate();
  const all = useVhms();
  const kids = (all.data ?? []).filter((x) => x.parent === v.id);
  const sg = g('SPAWN_NESTED');
  const [name, setName] = useState('');
  const [quota, setQuota] = useState({ memory: 4096, cpu: 1, qubits: 0, envelopes: 0, vhms: 0 });
  return (
    <Section
      title="Nested VHMs"
      actions={
        <GuardedAction
          small
          label="Create nested VHM"
          gate={sg}
          onDone={(m) => m.created.vhm && void navigate({ to: '/vhms/$id', params: { id: m.created.vhm } })}
          request={() =>
            name.trim()
              ? {
                  method: 'POST',
                  path: '/v1/vhms',
                  body: { name: name.trim(), quota, parent: v.id, capability: sg.capability },
                }
              : null
          }
          fields={
            <>
              <p className="muted small">
                Carved out of {v.id}'s quota; the child gets its own capability root.
              </p>
              <label>
                <span>Name</span>
                <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
              </label>
              <QuotaFields value={quota} onChange={setQuota} />
            </>
          }
        />
      }
    >
      <Guard src={all} empty={() => (kids.length ? null : 'No nested VHMs.')}>
        {() => (
          <ul className="plain">
            {kids.map((k) => (
              <li key={k.id}>
                <Link to="/vhms/$id" params={{ id: k.id }}>
                  {k.name}
                </Link>{' '}
                <span className="muted small">{k.id}</span> <StateBadge state={k.state} />
              </li>
            ))}
          </ul>
        )}
      </Guard>
    </Section>
  );
}
