import { describe, expect, it } from 'vitest';
import { nodeSha256 } from '../node/sha256.js';
import {
  admit,
  checkAll,
  emptyState,
  type State,
  type StepOptions,
  step,
  TRANSITIONS,
} from '../src/index.js';
import type { Command, CommandType } from '../src/model/commands.js';
import {
  type CheckResult,
  type Counterexample,
  type Coverage,
  counterexampleCommands,
  modelCheck,
  type Transition,
} from '../src/verify/checker.js';
import { GENERATORS, PREFIX_ONLY, SCENARIOS, universe } from '../src/verify/universe.js';

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

/**
 * A broken core with the `validated` guard dropped from binding activation: a requested binding is
 * activated straight away (the transition sees it as validated; a rejection leaves it requested).
 * Everything else activation checks (active contract, attested provider, capability) still holds.
 */
const skipsValidation: Transition = (state, cmd, opts) => {
  const b = cmd.type === 'binding.activate' ? state.bindings[cmd.binding] : undefined;
  if (b?.state !== 'requested') return step(state, cmd, opts);
  b.state = 'validated';
  const r = step(state, cmd, opts);
  if (r.error) b.state = 'requested';
  return r;
};

/** The small-depth run of every scenario, shared by the tests that read it. */
const smallRuns: CheckResult[] = [];
function small(): CheckResult[] {
  if (smallRuns.length === 0)
    for (const [scenario, depth] of [
      ['fleet', 3],
      ['vhms', 2],
      ['bound', 2],
    ] as const)
      smallRuns.push(modelCheck({ scenario, depth, hasher: nodeSha256 }));
  return smallRuns;
}

describe('bounded model checker', () => {
  it('finds no violation in any scenario at a small depth', () => {
    for (const r of small()) {
      const { scenario, depth } = r;
      expect(r.counterexample, `${scenario}: ${JSON.stringify(r.counterexample?.violations)}`).toBeNull();
      expect(r.ok).toBe(true);
      expect(r.complete).toBe(true);
      expect(r.depthReached).toBe(depth);
      expect(r.states).toBeGreaterThan(100);
      expect(r.transitions).toBeGreaterThan(r.states);
    }
  });

  it('has a generator for every command type in the transition table', () => {
    const types = Object.keys(TRANSITIONS).sort();
    expect(Object.keys(GENERATORS).sort()).toEqual(types);
    const u = universe('bound');
    for (const t of types) {
      const letters = u.alphabet.filter((l) => l.cmd.type === t);
      expect(letters.length, `no letter of ${t}`).toBeGreaterThan(0);
    }
    // Every letter is a command of a known type, except the deliberately unknown one.
    const unknown = u.alphabet.filter((l) => !Object.hasOwn(TRANSITIONS, l.cmd.type));
    expect(unknown.map((l) => l.label)).toEqual(['unknown command type']);
  });

  it('accepts and rejects a command of every type somewhere in the bounded universe', () => {
    const total: Record<string, Coverage> = {};
    for (const r of small())
      for (const [t, c] of Object.entries(r.coverage)) {
        total[t] ??= { accepted: 0, rejected: 0 };
        const x = total[t];
        x.accepted += c.accepted;
        x.rejected += c.rejected;
      }
    const never = (k: keyof Coverage) =>
      (Object.keys(TRANSITIONS) as CommandType[]).filter((t) => !(total[t]?.[k] ?? 0));
    // genesis starts every trace: it is accepted in the prefix, and any later one is rejected.
    expect(never('accepted')).toEqual([...PREFIX_ONLY]);
    expect(never('rejected')).toEqual([]);
    for (const scenario of SCENARIOS) {
      const [first] = universe(scenario).prefix;
      expect(first?.type).toBe('genesis');
      expect(step(emptyState(), first!, { hasher: nodeSha256 }).error).toBeNull();
    }
  });

  it('signs provider registrations and reports with the universe keys, as admission verifies them', () => {
    const u = universe('bound');
    const s = emptyState();
    for (const cmd of u.prefix) step(s, cmd, { hasher: nodeSha256 });
    const signedTypes = ['provider.register', 'report.q', 'report.phi', 'report.error'];
    const verdicts: Record<string, boolean[]> = {};
    for (const l of u.alphabet.filter((x) => signedTypes.includes(x.cmd.type))) {
      const cmd = l.cmd as Command & { auth: { signature: string; verified: boolean } };
      const admitted = admit(s, cmd) as typeof cmd;
      expect(admitted.auth.verified, l.label).toBe(cmd.auth.verified);
      verdicts[cmd.type] = [...(verdicts[cmd.type] ?? []), cmd.auth.verified];
    }
    for (const t of signedTypes) expect(verdicts[t], t).toContain(true);
    // And a forged one, which the core must refuse.
    expect(verdicts['provider.register']).toContain(false);
    expect(verdicts['report.q']).toContain(false);
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

  it('finds a dropped validation guard with the binding lifecycle invariant, and only with it', () => {
    const r = modelCheck({ scenario: 'bound', depth: 2, hasher: nodeSha256, transition: skipsValidation });
    expect(r.ok).toBe(false);
    const c = r.counterexample!;
    expect(c.kind).toBe('invariant');
    // bound's vhm-3 holds a requested binding on an active contract: one activation skips validation.
    expect(c.path.map((l) => l.label)).toEqual(['activate binding-4 in vhm-3']);
    expect(c.violations).toContain(
      'binding-lifecycle: binding-4 goes requested → active, skipping or repeating a state',
    );
    expect(replayCounterexample(c, skipsValidation)).toContain('binding-lifecycle');
    // The real core rejects that activation and stays safe.
    expect(replayCounterexample(c, step)).toEqual([]);
    // Without the new invariant, every other check passes the broken core: the bug would go unseen.
    const others = (s: State) => checkAll(s).filter((v) => v.invariant !== 'binding-lifecycle');
    const blind = modelCheck({
      scenario: 'bound',
      depth: 2,
      hasher: nodeSha256,
      transition: skipsValidation,
      invariants: others,
    });
    expect(blind.counterexample, JSON.stringify(blind.counterexample?.violations)).toBeNull();
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
