import { describe, expect, it } from 'vitest';
import { nodeSha256 } from '../node/sha256.js';
import { checkAll, emptyState, type State, type StepOptions, step } from '../src/index.js';
import type { Command } from '../src/model/commands.js';
import {
  type Counterexample,
  counterexampleCommands,
  modelCheck,
  type Transition,
} from '../src/verify/checker.js';
import { universe } from '../src/verify/universe.js';

/** Run a counterexample's commands through a transition; return the violations at the end. */
function replayCounterexample(c: Counterexample, transition: Transition): string[] {
  const s: State = emptyState();
  const opts: StepOptions = { hasher: nodeSha256 };
  for (const cmd of counterexampleCommands(c)) transition(s, cmd, opts);
  return checkAll(s).map((v) => v.invariant);
}

/** A broken core: Q allocations skip the provider capacity check (capacity lifted during the step). */
const skipsQCapacity: Transition = (state, cmd, opts) => {
  if (cmd.type !== 'contract.allocate' || cmd.domain !== 'Q') return step(state, cmd, opts);
  const p = state.providers[cmd.provider];
  if (!p) return step(state, cmd, opts);
  p.capacity.qubits += 1000;
  try {
    return step(state, cmd, opts);
  } finally {
    p.capacity.qubits -= 1000;
  }
};

/** A broken core: releasing a binding leaves its Q container live (a leaked, clonable container). */
const leaksContainer: Transition = (state, cmd, opts) => {
  const r = step(state, cmd, opts);
  if (cmd.type === 'binding.release' && !r.error) {
    const b = state.bindings[cmd.binding];
    const qc = b?.container ? state.containers[b.container] : undefined;
    if (qc) qc.live = true;
  }
  return r;
};

describe('bounded model checker', () => {
  it('finds no violation in any scenario at a small depth', () => {
    for (const [scenario, depth] of [
      ['fleet', 3],
      ['vhms', 2],
      ['bound', 2],
    ] as const) {
      const r = modelCheck({ scenario, depth, hasher: nodeSha256 });
      expect(r.counterexample, `${scenario}: ${JSON.stringify(r.counterexample?.violations)}`).toBeNull();
      expect(r.ok).toBe(true);
      expect(r.complete).toBe(true);
      expect(r.depthReached).toBe(depth);
      expect(r.states).toBeGreaterThan(100);
      expect(r.transitions).toBeGreaterThan(r.states);
    }
  });

  it('closes Φ windows at clock ticks only, whatever else is rejected or accepted meanwhile', () => {
    for (const phiTicks of [1, 2]) {
      const r = modelCheck({ scenario: 'bound', depth: 2, hasher: nodeSha256, universe: { phiTicks } });
      expect(r.counterexample, JSON.stringify(r.counterexample?.violations)).toBeNull();
    }
  });

  it('builds a universe whose prefix is accepted in full and whose alphabet is hostile', () => {
    const u = universe('bound');
    const s = emptyState();
    for (const cmd of u.prefix) expect(step(s, cmd, { hasher: nodeSha256 }).error).toBeNull();
    expect(Object.keys(s.vhms)).toEqual(['vhm-1', 'vhm-2', 'vhm-3']);
    expect(s.vhms['vhm-2']!.parent).toBe('vhm-1');
    expect(s.bindings['binding-2']!.state).toBe('active');
    expect(checkAll(s)).toEqual([]);
    const actors = new Set(u.alphabet.map((l) => JSON.stringify(l.cmd.actor)));
    expect(actors.size).toBeGreaterThanOrEqual(5);
    // Garbage letters are present and the core rejects each one cleanly.
    for (const l of u.alphabet.filter((x) => /garbage|unknown|negative|cost 0/.test(x.label))) {
      const c = structuredClone(s);
      expect(step(c, l.cmd, { hasher: nodeSha256 }).error, l.label).not.toBeNull();
    }
  });

  it('finds a skipped capacity check, with a shortest counterexample', () => {
    const r = modelCheck({ scenario: 'vhms', depth: 3, hasher: nodeSha256, transition: skipsQCapacity });
    expect(r.ok).toBe(false);
    const c = r.counterexample!;
    expect(c.kind).toBe('invariant');
    expect(c.violations.some((v) => v.startsWith('conservation:'))).toBe(true);
    // No single allocation exceeds the 3-qubit provider within quota; two do.
    expect(c.path).toHaveLength(2);
    expect(c.path.every((l) => l.cmd.type === 'contract.allocate')).toBe(true);
    expect(replayCounterexample(c, skipsQCapacity)).toContain('conservation');
    // The real core rejects the same sequence and stays safe.
    expect(replayCounterexample(c, step)).toEqual([]);
    // Shortest: one level less finds nothing.
    expect(
      modelCheck({ scenario: 'vhms', depth: 1, hasher: nodeSha256, transition: skipsQCapacity }).ok,
    ).toBe(true);
  });

  it('finds a leaked Q container after one command', () => {
    const r = modelCheck({ scenario: 'bound', depth: 2, hasher: nodeSha256, transition: leaksContainer });
    const c = r.counterexample!;
    expect(c.kind).toBe('invariant');
    expect(c.path.map((l) => l.cmd.type)).toEqual(['binding.release']);
    expect(c.violations.some((v) => /no-cloning|lifecycle/.test(v))).toBe(true);
    expect(replayCounterexample(c, leaksContainer).length).toBeGreaterThan(0);
  });

  it('flags a rejection that changes state, and a transition that crashes', () => {
    const impure: Transition = (state, cmd, opts) => {
      const r = step(state, cmd, opts);
      if (r.error && cmd.type === 'cap.revoke') state.capStats.issued += 1;
      return r;
    };
    const r1 = modelCheck({ scenario: 'fleet', depth: 2, hasher: nodeSha256, transition: impure });
    expect(r1.counterexample?.kind).toBe('impure-rejection');
    expect(r1.counterexample?.path.at(-1)?.cmd.type).toBe('cap.revoke');

    const crashes: Transition = (state, cmd: Command, opts) => {
      if (cmd.type === 'ipc.close') throw new TypeError('boom');
      return step(state, cmd, opts);
    };
    const r2 = modelCheck({ scenario: 'fleet', depth: 1, hasher: nodeSha256, transition: crashes });
    expect(r2.counterexample?.kind).toBe('crash');
    expect(r2.counterexample?.violations[0]).toContain('boom');
  });

  it('honours --max-states by stopping early without claiming completeness', () => {
    const r = modelCheck({ scenario: 'bound', depth: 3, hasher: nodeSha256, maxStates: 500 });
    expect(r.complete).toBe(false);
    expect(r.ok).toBe(true);
    expect(r.states).toBe(500);
  });
});
