import type { Vhm } from '@xdv/core';
import { useState } from 'react';
import { useClock } from '../../api/clock';
import { useCapabilities, useIpc, useMe, useVhms } from '../../api/data';
import { GuardedAction } from '../../components/GuardedAction';
import { AtL } from '../../components/time';
import { Badge, Guard, Section } from '../../components/ui';
import { gate } from '../../lib/caps';
import type { GateFn } from './gate';

export function Ipc({ v, g }: { v: Vhm; g: GateFn }) {
  const src = useIpc();
  const vhms = useVhms();
  const me = useMe();
  const ig = g('IPC');
  const [peer, setPeer] = useState('');
  const [rights, setRights] = useState<Array<'MSG' | 'PHI_SHARE'>>(['MSG']);
  const peerCaps = useCapabilities(peer || undefined);
  const peerVhm = (vhms.data ?? []).find((x) => x.id === peer);
  const pg = gate(me.data, peerVhm, peerCaps.data, 'IPC');
  const close = g(null);
  const clock = useClock();
  return (
    <Section
      title="IPC contracts"
      actions={
        <GuardedAction
          small
          label="Open IPC"
          gate={ig}
          onOpen={() => setPeer('')}
          request={() =>
            peer && pg.allowed && rights.length
              ? {
                  method: 'POST',
                  path: '/v1/ipc',
                  body: { a: v.id, capabilityA: ig.capability, b: peer, capabilityB: pg.capability, rights },
                }
              : null
          }
          fields={
            <>
              <label>
                <span>Peer VHM</span>
                <select value={peer} onChange={(e) => setPeer(e.target.value)} required>
                  <option value="">choose…</option>
                  {(vhms.data ?? [])
                    .filter((x) => x.id !== v.id && x.state === 'active')
                    .map((x) => (
                      <option key={x.id} value={x.id}>
                        {x.name} ({x.id})
                      </option>
                    ))}
                </select>
              </label>
              {peer && !pg.allowed ? <p className="why">{pg.reason}</p> : null}
              <fieldset className="rights">
                <legend>IPC rights</legend>
                {(['MSG', 'PHI_SHARE'] as const).map((r) => (
                  <label key={r} className="check">
                    <input
                      type="checkbox"
                      checked={rights.includes(r)}
                      onChange={(e) =>
                        setRights(e.target.checked ? [...rights, r] : rights.filter((x) => x !== r))
                      }
                    />
                    <span>{r}</span>
                  </label>
                ))}
              </fieldset>
            </>
          }
        />
      }
    >
      <Guard
        src={src}
        empty={(m) => (m.some((x) => x.a === v.id || x.b === v.id) ? null : 'No IPC contracts.')}
      >
        {(is) => (
          <ul className="plain">
            {is
              .filter((i) => i.a === v.id || i.b === v.id)
              .map((i) => (
                <li key={i.id}>
                  <code>{i.id}</code> {i.a} ⇄ {i.b} [{i.rights.join(', ')}] opened{' '}
                  <AtL l={i.openedL} now={clock.now} tickMs={clock.tickMs} />{' '}
                  {i.open ? <Badge tone="ok">open</Badge> : <Badge tone="muted">closed</Badge>}{' '}
                  {i.open ? (
                    <GuardedAction
                      small
                      label={`Close ${i.id}`}
                      gate={close}
                      request={() => ({ method: 'POST', path: `/v1/ipc/${i.id}/close` })}
                    />
                  ) : null}
                </li>
              ))}
          </ul>
        )}
      </Guard>
    </Section>
  );
}
