import type { ProviderSpec } from './provider.js';

const GiB = 1024 ** 3;

/** The demo fleet's providers: a K host pool, two Q providers and one Φ provider. */
export const DEMO_PROVIDERS: ProviderSpec[] = [
  { name: 'host-a', domain: 'K', capacity: { memory: 64 * GiB, cpu: 256 }, keySeed: 101 },
  { name: 'host-b', domain: 'K', capacity: { memory: 64 * GiB, cpu: 256 }, keySeed: 102 },
  {
    name: 'qpu-aurora',
    domain: 'Q',
    capacity: { qubits: 64 },
    keySeed: 201,
    operations: ['h', 'x', 'cx', 'rz', 'measure'],
  },
  {
    name: 'qpu-borealis',
    domain: 'Q',
    capacity: { qubits: 32 },
    keySeed: 202,
    operations: ['h', 'cx', 'measure'],
    liveTransfer: true,
  },
  {
    name: 'phi-lumen',
    domain: 'PHI',
    capacity: { envelopes: 8 },
    keySeed: 301,
    operations: ['rotate', 'project', 'shear'],
  },
];
export { GiB };
