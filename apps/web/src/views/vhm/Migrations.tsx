import type { Vhm } from '@xdv/core';
import { useState } from 'react';
import { useClock } from '../../api/clock';
import { useMigrations, useProviders } from '../../api/data';
import { GuardedAction } from '../../components/GuardedAction';
import { AtL } from '../../components/time';
import { Guard, Section } from '../../components/ui';
import type { GateFn } from './gate';

export function Migrations({ v, g }: { v: Vhm; g: GateFn }) {
  const src = useMigrations();
  const providers = useProviders();
  const mg = g('MIGRATE');
  const clock = useClock();
  const [target, setTarget] = useState('');
  const [qPolicy, setQPolicy] = useState<'reinit' | 'live'>('reinit');
  const hosts = (providers.data ?? []).filter(
    (p) => p.domain === 'K' && p.attestation === 'attested' && p.id !== v.host,
  );
  return (
    <Section
      title="Migrations"
      actions={
        <GuardedAction
          small
          label="Migrate"
          gate={mg}
          request={() =>
            target
              ? {
                  method: 'POST',
                  path: `/v1/vhms/${v.id}/migrations`,
                  body: { capability: mg.capability, target, qPolicy },
                }
              : null
          }
          fields={
            <>
              <label>
                <span>Target K host</span>
                <select value={target} onChange={(e) => setTarget(e.target.value)} required>
                  <option value="">choose…</option>
                  {hosts.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} ({p.id})
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span>Q policy</span>
                <select value={qPolicy} onChange={(e) => setQPolicy(e.target.value as 'reinit' | 'live')}>
                  <option value="reinit">reinitialise Q (default)</option>
                  <option value="live">live transfer (hardware support needed)</option>
                </select>
              </label>
              <p className="muted small">Φ envelopes are terminated and reinitialised on migration.</p>
            </>
          }
        />
      }
    >
      <Guard src={src} empty={(m) => (m.some((x) => x.vhm === v.id) ? null : 'No migrations.')}>
        {(ms) => (
          <ul className="plain">
            {ms
              .filter((m) => m.vhm === v.id)
              .map((m) => (
                <li key={m.id}>
                  <code>{m.id}</code> at <AtL l={m.l} now={clock.now} tickMs={clock.tickMs} />:{' '}
                  {m.from ?? '—'} → {m.to}, Q {m.qPolicy}; reinitialised{' '}
                  {m.reinitialised.join(', ') || 'none'}; transferred {m.transferred.join(', ') || 'none'}
                </li>
              ))}
          </ul>
        )}
      </Guard>
    </Section>
  );
}
