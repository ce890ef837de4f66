// §8 distributed conformance, across the API processes of one cluster (several nodes on one
// PostgreSQL, each serving reads from its own state and accepting writes). The trace seq is the
// global logical order: a node appends optimistically on seq and, when another node took that seq
// first, catches up from the trace and re-runs its command on the new state.

import { nodeFailure } from './node-failure.js';
import { globalOrdering } from './ordering.js';
import type { Shared, TestDef } from './types.js';

const SINGLE =
  'single node: run the suite against a cluster (`--cluster local` with DATABASE_URL naming a PostgreSQL server, or `--cluster URL,URL,…`)';

const needsNodes = (s: Shared): string | null =>
  !s.cluster
    ? SINGLE
    : s.cluster.nodes.length < 2
      ? 'a cluster of one node has nothing to order across'
      : null;

export const DISTRIBUTED_TESTS: TestDef[] = [
  {
    id: 'distributed.global_ordering',
    section: '8.1',
    module: 'distributed/ordering_tests',
    title: 'Global logical ordering across nodes',
    mandatory: false,
    applies: needsNodes,
    run: globalOrdering,
  },
  {
    id: 'distributed.consensus',
    section: '8.2',
    module: 'distributed/consensus_tests',
    title: 'Φ-native consensus determinism',
    mandatory: false,
    notApplicable:
      'no Φ-native consensus protocol: the nodes order through PostgreSQL (one unique seq per entry), which §8.1 and §8.3 exercise',
  },
  {
    id: 'distributed.node_failure',
    section: '8.3',
    module: 'distributed/consensus_tests',
    title: 'Node failure handling',
    mandatory: false,
    applies: (s) =>
      needsNodes(s) ??
      (s.cluster!.control
        ? s.cluster!.nodes.length < 3
          ? 'needs three nodes: one to kill and two that keep serving'
          : null
        : 'the suite did not start these nodes, so it cannot kill one: use `--cluster local` (Q/Φ hardware faults are covered by §10)'),
    run: nodeFailure,
  },
];
