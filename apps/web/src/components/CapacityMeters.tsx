import type { Provider } from '@xdv/core';
import type { ReactNode } from 'react';
import { exactBytes, gib } from '../lib/units';
import { Meter } from './ui';

/**
 * A provider's capacity in use, in its domain's units: memory (GiB, exact bytes on hover) and CPU
 * slices for K, logical qubits for Q, envelopes for Φ. `memoryNote` goes under the memory meter.
 */
export function CapacityMeters({
  p,
  memoryNote,
}: {
  p: Pick<Provider, 'domain' | 'capacity' | 'allocated'>;
  memoryNote?: ReactNode;
}) {
  if (p.domain === 'Q')
    return <Meter label="Logical qubits" used={p.allocated.qubits} total={p.capacity.qubits} />;
  if (p.domain === 'PHI')
    return <Meter label="Φ envelopes" used={p.allocated.envelopes} total={p.capacity.envelopes} />;
  return (
    <>
      <Meter
        label="Memory"
        used={p.allocated.memory}
        total={p.capacity.memory}
        format={gib}
        exact={exactBytes}
      />
      {memoryNote}
      <Meter label="CPU slices" used={p.allocated.cpu} total={p.capacity.cpu} />
    </>
  );
}
