// §9 replay conformance: the whole trace replays with @xdv/core to the served state, invariants hold.

import { checkAll, type State, stateHash } from '@xdv/core';
import { must, ok } from '../http.js';
import { replayTrace } from './support.js';
import type { TestDef } from './types.js';

export const REPLAY_TESTS: TestDef[] = [
  {
    id: 'replay.equivalence',
    section: '9.1',
    module: 'replay/replay_equivalence_tests',
    title: 'Replay equivalence: T_replay == T_original byte for byte, same final state',
    mandatory: true,
    run: async (w, ev, s) => {
      const head = await w.head();
      const { trace, result } = await replayTrace(w);
      must(trace.length > 0, 'the trace is empty');
      must(result.ok, `replay mismatch: ${JSON.stringify(result.mismatch ?? result.violations.slice(0, 3))}`);
      must(result.entries === trace.length, `replay verified ${result.entries} of ${trace.length} entries`);
      const last = trace.at(-1)!;
      must(
        result.state.head === last.hash && result.state.seq === last.seq,
        'the replayed head differs from the trace',
      );
      if (head.seq === last.seq)
        must(head.hash === last.hash, `head hash ${head.hash} differs from the last entry`);
      const served = await ok(
        'replay state',
        w.http.get<{ seq: number; state: State }>(`/v1/replay/state?l=${last.l}`),
      );
      const mine = stateHash(result.state);
      let detail = `${result.entries} entries, ${result.commands} commands replayed; head ${last.hash}`;
      if (served.seq === last.seq) {
        const theirs = stateHash(served.state);
        must(theirs === mine, `state hash at seq ${last.seq}: service ${theirs}, local replay ${mine}`);
        detail += `; state hash ${mine} equals the service's`;
      } else detail += `; service moved on to seq ${served.seq}, state hash not compared`;
      ev.seq(last.seq);
      ev.note(detail);
      s.replay = { ok: true, entries: result.entries, head: last.hash, stateHash: mine, detail };
    },
  },
  {
    id: 'replay.invariants',
    section: '9.2',
    module: 'replay/replay_equivalence_tests',
    title: 'Replay invariant validation: isolation, conservation, ordering hold on the replayed state',
    mandatory: true,
    run: async (w, ev, s) => {
      const { trace, result } = await replayTrace(w);
      const violations = [...result.violations, ...checkAll(result.state)];
      const v = await ok(
        'verify chain',
        w.http.get<{ ok: boolean; entries: number; mismatch: unknown }>('/v1/trace/verify'),
      );
      const live = await ok(
        'invariants',
        w.http.get<{ ok: boolean; checked: string[]; violations: unknown[] }>('/v1/invariants'),
      );
      s.invariants = {
        ok: violations.length === 0 && live.ok,
        violations: violations.length + live.violations.length,
        detail: `${live.checked.length} invariants checked on ${trace.length} replayed entries and on the live state`,
      };
      must(
        violations.length === 0,
        `invariant violations on replay: ${JSON.stringify(violations.slice(0, 5))}`,
      );
      must(v.ok, `the service's chain verification failed: ${JSON.stringify(v.mismatch)}`);
      must(live.ok, `live invariant violations: ${JSON.stringify(live.violations.slice(0, 5))}`);
      ev.note(s.invariants.detail);
      ev.note(`/v1/trace/verify ok over ${v.entries} entries`);
    },
  },
];
