import type { Vhm } from '@xdv/core';
import { useClock } from '../../api/clock';
import { useSnapshots } from '../../api/data';
import { GuardedAction } from '../../components/GuardedAction';
import { AtL } from '../../components/time';
import { Guard, Section } from '../../components/ui';
import type { GateFn } from './gate';

export function Snapshots({ v, g }: { v: Vhm; g: GateFn }) {
  const src = useSnapshots(v.id);
  const sg = g('SNAPSHOT');
  const clock = useClock();
  return (
    <Section
      title="Snapshots (K only)"
      actions={
        <GuardedAction
          small
          label="Take snapshot"
          gate={sg}
          request={() => ({
            method: 'POST',
            path: `/v1/vhms/${v.id}/snapshots`,
            body: { capability: sg.capability, include: ['K'] },
          })}
        />
      }
    >
      <p className="muted small">
        Snapshots hold contract metadata and K state only, never Q container or Φ envelope internals.
      </p>
      <Guard src={src} empty={(s) => (s.length ? null : 'No snapshots.')}>
        {(ss) => (
          <ul className="plain">
            {ss.map((s) => (
              <li key={s.id}>
                <code>{s.id}</code> at <AtL l={s.takenL} now={clock.now} tickMs={clock.tickMs} />:{' '}
                {s.content.contracts.length} contracts, {s.content.k.length} K ranges,{' '}
                {s.content.processes.length} processes
              </li>
            ))}
          </ul>
        )}
      </Guard>
    </Section>
  );
}
