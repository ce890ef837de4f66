import type { Vhm } from '@xdv/core';
import { bytes, Meter, Section } from '../../components/ui';

export function QuotaPanel({ v }: { v: Vhm }) {
  return (
    <Section title="Quota">
      <Meter
        label="Memory (bytes, own + nested)"
        used={v.used.memory + v.carved.memory}
        total={v.quota.memory}
      />
      <p className="muted small">
        {bytes(v.used.memory)} in own contracts, {bytes(v.carved.memory)} carved into nested VHMs
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
