// §8 distributed conformance.

import type { TestDef } from './types.js';

export const DISTRIBUTED_TESTS: TestDef[] = [
  {
    id: 'distributed.global_ordering',
    section: '8.1',
    module: 'distributed/ordering_tests',
    title: 'Global logical ordering across nodes',
    mandatory: false,
    notApplicable:
      'single-node hypervisor: one totally ordered trace, no cluster to order across (ordering is covered by §4.1 and §11)',
  },
  {
    id: 'distributed.consensus',
    section: '8.2',
    module: 'distributed/consensus_tests',
    title: 'Φ-native consensus determinism',
    mandatory: false,
    notApplicable: 'single-node hypervisor: no consensus protocol between nodes',
  },
  {
    id: 'distributed.node_failure',
    section: '8.3',
    module: 'distributed/consensus_tests',
    title: 'Node failure handling',
    mandatory: false,
    notApplicable: 'single-node hypervisor: no node to disconnect (Q/Φ hardware faults are covered by §10)',
  },
];
