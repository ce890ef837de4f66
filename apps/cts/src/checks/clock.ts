// §11 clock monotonicity over the whole trace: runs after everything else so the trace holds it all.

import { must } from '../http.js';
import type { TestDef } from './types.js';

export const CLOCK_TESTS: TestDef[] = [
  {
    id: 'performance.clock_monotonicity',
    section: '11',
    module: 'replay/replay_equivalence_tests',
    title: 'Logical clock monotonicity across the whole trace',
    mandatory: true,
    run: async (w, ev) => {
      const trace = await w.trace();
      let groupL = -1;
      for (let i = 0; i < trace.length; i++) {
        const e = trace[i]!;
        must(e.seq === i + 1, `seq ${e.seq} at position ${i + 1}: gap or reorder`);
        if (e.outcome === 'effect') {
          must(e.l === groupL, `effect ${e.seq} at L ${e.l}, its command at L ${groupL}`);
          continue;
        }
        // Only an accepted clock tick moves L, by exactly its ticks; every other command, and any
        // refused one, happens at the L it found (XDV-082 §4.3: the clock alone orders time).
        const cmd = e.payload.command as { type?: string; ticks?: number } | undefined;
        const tick = e.outcome === 'accepted' && cmd?.type === 'clock.advance' ? (cmd.ticks ?? 0) : 0;
        const expected = groupL < 0 ? e.l : groupL + tick;
        must(
          e.l === expected,
          `command ${e.seq} (${cmd?.type ?? e.type}, ${e.outcome}) at L ${e.l}, expected L ${expected}`,
        );
        groupL = e.l;
      }
      ev.note(
        `${trace.length} entries: seq contiguous, L moved only by accepted clock ticks, effects share their command's L`,
      );
    },
  },
];
