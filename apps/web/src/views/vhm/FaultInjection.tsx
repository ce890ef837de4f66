import type { Capability, Vhm } from '@xdv/core';
import { useState } from 'react';
import { useBindings, useContracts } from '../../api/data';
import { GuardedAction } from '../../components/GuardedAction';
import { Section } from '../../components/ui';
import { Num } from './AllocateContract';

export function FaultInjection({ v, caps, notLive }: { v: Vhm; caps: Capability[]; notLive: boolean }) {
  const contracts = useContracts(v.id);
  const bindings = useBindings(v.id);
  const [kind, setKind] = useState<
    'decoherence_spike' | 'instability' | 'capability_revocation' | 'contract_invalidation'
  >('decoherence_spike');
  const [target, setTarget] = useState('');
  const [amount, setAmount] = useState(10);
  const live = (contracts.data ?? []).filter((c) => c.status === 'issued' || c.status === 'active');
  const targets: string[] =
    kind === 'decoherence_spike'
      ? live.filter((c) => c.domain === 'Q').map((c) => c.id)
      : kind === 'contract_invalidation'
        ? live.map((c) => c.id)
        : kind === 'instability'
          ? (bindings.data ?? []).flatMap((b) => (b.envelope && b.state === 'active' ? [b.envelope] : []))
          : caps.filter((c) => !c.revoked).map((c) => c.id);
  return (
    <Section title="Fault injection (operator)">
      <p className="muted small">
        Injected faults are commands like any other: validated by the core and logged in the trace.
      </p>
      <GuardedAction
        label="Inject fault"
        gate={
          notLive
            ? { allowed: false, reason: 'Replay shows the past: return to live to act.' }
            : { allowed: true, reason: null }
        }
        confirmName={v.name}
        onOpen={() => setTarget('')}
        request={() =>
          target ? { method: 'POST', path: '/v1/faults/inject', body: { kind, target, amount } } : null
        }
        fields={
          <>
            <label>
              <span>Kind</span>
              <select
                value={kind}
                onChange={(e) => {
                  setKind(e.target.value as typeof kind);
                  setTarget('');
                }}
              >
                <option value="decoherence_spike">decoherence spike (Q contract)</option>
                <option value="instability">instability (Φ envelope)</option>
                <option value="capability_revocation">capability revocation</option>
                <option value="contract_invalidation">contract invalidation</option>
              </select>
            </label>
            <label>
              <span>Target</span>
              <select value={target} onChange={(e) => setTarget(e.target.value)} required>
                <option value="">choose…</option>
                {targets.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            </label>
            <Num label="Amount" value={amount} onChange={setAmount} />
          </>
        }
      />
    </Section>
  );
}
