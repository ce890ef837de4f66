import type { Vhm } from '@xdv/core';
import { useState } from 'react';
import { useClock } from '../../api/clock';
import { useProcesses } from '../../api/data';
import { GuardedAction } from '../../components/GuardedAction';
import { AtL } from '../../components/time';
import { Guard, Section, StateBadge } from '../../components/ui';
import type { GateFn } from './gate';

export function Processes({ v, g }: { v: Vhm; g: GateFn }) {
  const src = useProcesses(v.id);
  const pg = g('PROCESS');
  const clock = useClock();
  const [name, setName] = useState('');
  return (
    <Section
      title="Processes"
      actions={
        <GuardedAction
          small
          label="Spawn process"
          gate={pg}
          request={() =>
            name.trim()
              ? {
                  method: 'POST',
                  path: `/v1/vhms/${v.id}/processes`,
                  body: { capability: pg.capability, name: name.trim() },
                }
              : null
          }
          fields={
            <label>
              <span>Process name</span>
              <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
            </label>
          }
        />
      }
    >
      <Guard src={src} empty={(p) => (p.length ? null : 'No processes.')}>
        {(ps) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Process</th>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {ps.map((p) => (
                <tr key={p.id}>
                  <td>
                    <code>{p.id}</code>
                  </td>
                  <td>{p.name}</td>
                  <td>
                    <StateBadge state={p.state} />
                  </td>
                  <td className="num">
                    <AtL l={p.createdL} now={clock.now} tickMs={clock.tickMs} compact />
                  </td>
                  <td>
                    {p.state === 'running' ? (
                      <GuardedAction
                        small
                        label="Exit"
                        gate={pg}
                        request={() => ({
                          method: 'POST',
                          path: `/v1/vhms/${v.id}/processes/${p.id}/exit`,
                          body: { capability: pg.capability },
                        })}
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Guard>
    </Section>
  );
}
