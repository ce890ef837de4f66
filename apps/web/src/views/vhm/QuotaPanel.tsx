import type { Vhm } from '@xdv/core';
import { Meter, Section } from '../../components/ui';
import { exactBytes, gib } from '../../lib/units';

export function QuotaPanel({ v }: { v: Vhm }) {
  return (
    <Section title="Quota">
      <Meter
        label="Memory (own + nested)"
        used={v.used.memory + v.carved.memory}
        total={v.quota.memory}
        format={gib}
        exact={exactBytes}
      />
      <p className="muted small">
        <span title={exactBytes(v.used.memory)}>{gib(v.used.memory)}</span> in own contracts,{' '}
        <span title={exactBytes(v.carved.memory)}>{gib(v.carved.memory)}</span> carved into nested VHMs
      </p>
      <Meter label="CPU slices" used={v.used.cpu + v.carved.cpu} total={v.quota.cpu} />
      <Meter label="Qubits" used={v.used.qubits + v.carved.qubits} total={v.quota.qubits} />
      <Meter label="Φ envelopes" used={v.used.envelopes + v.carved.envelopes} total={v.quota.envelopes} />
      <p className="muted small">
        {v.carved.vhms} nested VHMs carved out of this quota · scheduler weight {v.sched.weight}, queue quota{' '}
        {v.sched.maxQueued}, virtual time {v.sched.vtime}
      </p>
    </Section>
  );
}
