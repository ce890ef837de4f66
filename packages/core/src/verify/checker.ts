// An explicit-state bounded model checker for the hypervisor core (XDV-053 §9: model checking).
//
// From the state a scenario's prefix reaches, it explores breadth-first every sequence of letters
// from a finite alphabet of concrete commands, up to a depth. Every newly reached state is checked
// with the complete invariant set (`checkAll`); the hot-path check (`checkTouched`) runs inside
// `step`; a transition that throws anything but a clean rejection is a crash; a rejected command
// that changes anything but the clock and the trace breaks the "check everything before changing
// anything" rule; and re-deriving a state from its path must give the same fingerprint
// (determinism). Breadth-first order makes the first counterexample a shortest one.
//
// State identity. Two states are merged when they are equal after dropping `seq` and `head`. That is
// sound: no transition reads them except `genesis`, which only asks whether `seq` is 0, and it never
// is past the prefix (the alphabet's genesis is always rejected); they only label and chain the trace. The logical clock `l` is KEPT: Φ windows, calibration
// validity and scheduler aging all read it, so dropping it could merge states with different
// futures. Keeping it costs little, because every rejected command from a state leads to the same
// successor (the state with `l + 1`), which is also what `clock.advance 1` reaches.
//
// States are not kept in memory: a node is (parent, letter), and a state is re-derived from the
// prefix state by re-running its path (at most `depth` steps) when it is expanded.

import { InvariantViolation, type StepOptions, type StepResult, step } from '../engine/step.js';
import { checkAll, type Violation } from '../invariants/full.js';
import type { Command } from '../model/commands.js';
import { emptyState, type State } from '../model/state.js';
import { type Hasher, nobleSha256 } from '../trace/hash.js';
import { type Letter, type ScenarioName, type UniverseConfig, universe } from './universe.js';

/** The transition relation under test: `step` by default; tests pass a deliberately broken one. */
export type Transition = (state: State, cmd: Command, opts: StepOptions) => StepResult;

export interface CheckOptions {
  scenario?: ScenarioName;
  depth?: number;
  universe?: Partial<UniverseConfig>;
  /** Hashes state fingerprints (SHA-256; pass node:crypto's in Node). */
  hasher?: Hasher;
  transition?: Transition;
  /**
   * The complete invariant set checked in every new state: `checkAll` by default; tests pass a
   * subset to show which invariant catches a seeded bug.
   */
  invariants?: (state: State) => Violation[];
  /** Re-check that a rejected command changed nothing but L and the trace. Default true. */
  checkRejections?: boolean;
  /** Stop (incomplete, no violation claimed) after this many states. */
  maxStates?: number;
  onLevel?: (level: LevelStats) => void;
  /** A clock, only to report how long levels took: the checker itself reads none (the core is pure). */
  now?: () => number;
}

export interface LevelStats {
  depth: number;
  newStates: number;
  transitions: number;
  ms: number;
}

export type CounterexampleKind =
  | 'invariant'
  | 'hot-path-invariant'
  | 'crash'
  | 'impure-rejection'
  | 'nondeterminism';

export interface Counterexample {
  kind: CounterexampleKind;
  /** The prefix that sets up the universe (not part of the explored depth). */
  prefix: Command[];
  /** The shortest explored sequence that reaches the violation. */
  path: Letter[];
  violations: string[];
}

export interface CheckResult {
  scenario: ScenarioName;
  ok: boolean;
  complete: boolean;
  depth: number;
  depthReached: number;
  states: number;
  transitions: number;
  alphabet: number;
  ms: number;
  levels: LevelStats[];
  /** Per command type: how many tried transitions the core accepted and rejected. */
  coverage: Record<string, Coverage>;
  counterexample: Counterexample | null;
}

export interface Coverage {
  accepted: number;
  rejected: number;
}

/** Refusals (XDV-023): rejected *and* with effects, by design. Only these may reject and mutate. */
const MAY_REFUSE = new Set(['q.job', 'phi.transform']);

/** A trace hasher for exploration: entry hashes only feed `head`, which is not part of a state's identity. */
const cheapTraceHash: Hasher = () => '0'.repeat(64);

export function modelCheck(opts: CheckOptions = {}): CheckResult {
  const now = opts.now ?? (() => 0);
  const started = now();
  const scenario = opts.scenario ?? 'bound';
  const depth = opts.depth ?? 4;
  const hasher = opts.hasher ?? nobleSha256;
  const transition: Transition = opts.transition ?? step;
  const invariants = opts.invariants ?? checkAll;
  const checkRejections = opts.checkRejections !== false;
  const maxStates = opts.maxStates ?? Number.POSITIVE_INFINITY;
  const u = universe(scenario, opts.universe);
  const letters = u.alphabet;
  const stepOpts: StepOptions = { hasher: cheapTraceHash };

  // The prefix runs through the real step with real hashes: it must be accepted in full.
  const init = emptyState();
  for (const cmd of u.prefix) {
    const r = step(init, cmd, { hasher });
    if (r.error)
      throw new Error(
        `universe prefix: ${cmd.type} rejected: ${r.error.code} ${JSON.stringify(r.error.params)}`,
      );
  }
  // Long strings (ML-DSA public keys, 3.9 KB of hex each) appear by reference in every state.
  const interned = new Map<string, number>();
  const parents: number[] = [-1];
  const via: number[] = [-1];
  const fps: string[] = [fingerprint(init)];
  const seen = new Set<string>(fps);
  let transitions = 0;
  const coverage: Record<string, Coverage> = {};
  for (const l of letters) coverage[l.cmd.type] ??= { accepted: 0, rejected: 0 };
  const count = (letter: Letter, r: StepResult) => {
    const c = coverage[letter.cmd.type]!;
    if (r.error) c.rejected++;
    else c.accepted++;
  };
  const levels: LevelStats[] = [];
  const stackLimit = Error.stackTraceLimit;
  // Rejections are exceptions; their stack traces would dominate the run and are never shown.
  Error.stackTraceLimit = 0;
  try {
    return explore();
  } finally {
    Error.stackTraceLimit = stackLimit;
  }

  function explore(): CheckResult {
    const result = (
      counterexample: Counterexample | null,
      complete: boolean,
      reached: number,
    ): CheckResult => ({
      scenario,
      ok: counterexample === null,
      complete,
      depth,
      depthReached: reached,
      states: fps.length,
      transitions,
      alphabet: letters.length,
      ms: now() - started,
      levels,
      coverage,
      counterexample,
    });
    const cex = (kind: CounterexampleKind, node: number, letter: number | null, violations: string[]) => {
      const path = pathOf(node).map((i) => letters[i]!);
      if (letter !== null) path.push(letters[letter]!);
      return result({ kind, prefix: u.prefix, path, violations }, true, path.length);
    };

    const initial = invariants(init);
    if (initial.length > 0)
      return cex(
        'invariant',
        0,
        null,
        initial.map((v) => `${v.invariant}: ${v.detail}`),
      );

    let frontier = [0];
    let reached = 0;
    for (let d = 1; d <= depth && frontier.length > 0; d++) {
      const levelStart = now();
      const before = fps.length;
      const t0 = transitions;
      const next: number[] = [];
      for (const node of frontier) {
        // Re-derive the node's state, and check that doing so is deterministic.
        const base = clone(init);
        for (const i of pathOf(node)) transition(base, letters[i]!.cmd, stepOpts);
        if (fingerprint(base) !== fps[node])
          return cex('nondeterminism', node, null, ['re-running the path gave a different state']);
        // Every nested object of the base is frozen, and each letter is first tried on a shallow copy:
        // a transition that writes anything below the top level throws there. A clean rejection on
        // that copy is therefore proven pure (only L, seq and head moved) at no cost; anything
        // that writes is re-run on a private deep copy.
        deepFreeze(base);
        let restingText: string | null = null;
        let restingSnapshot: State | null = null;
        let restingAdded = false;
        for (let li = 0; li < letters.length; li++) {
          const letter = letters[li]!;
          if (!u.enabled(base, letter)) continue;
          transitions++;
          const trial = { ...base };
          let tried: StepResult | null = null;
          try {
            tried = transition(trial, letter.cmd, stepOpts);
          } catch {
            tried = null; // it wrote (or crashed): decide on a deep copy below
          }
          if (tried !== null && onlyClockMoved(trial, base) && !(tried.error && trial.l !== base.l)) {
            count(letter, tried);
            // Rejected (only seq and head moved), or accepted without changing anything but L
            // (clock.advance): one successor.
            if (tried.error && restingAdded) continue;
            if (tried.error) restingAdded = true;
            const added = visit(trial, node, li);
            if (added === 'violation') return cex('invariant', node, li, violationsOf(trial));
            if (added !== null) next.push(added);
            continue;
          }
          const work = clone(base);
          let r: StepResult;
          try {
            r = transition(work, letter.cmd, stepOpts);
          } catch (e) {
            if (e instanceof InvariantViolation) return cex('hot-path-invariant', node, li, e.violations);
            return cex('crash', node, li, [e instanceof Error ? `${e.name}: ${e.message}` : String(e)]);
          }
          count(letter, r);
          if (r.error && checkRejections && !MAY_REFUSE.has(letter.cmd.type)) {
            // It wrote before rejecting. Allowed only if the result is what any rejection gives:
            // the same state, with only the trace (seq, head) moved: a refusal moves no time.
            if (restingText === null) {
              const resting = clone(base);
              restingSnapshot = resting;
              restingText = identity(resting, interned);
            }
            if (
              identity(work, interned) !== restingText &&
              !equal({ ...work, seq: 0, head: '' }, { ...restingSnapshot, seq: 0, head: '' })
            )
              return cex('impure-rejection', node, li, [
                `${letter.cmd.type} was rejected (${r.error.code}) but changed the domain state`,
              ]);
          }
          const added = visit(work, node, li);
          if (added === 'violation') return cex('invariant', node, li, violationsOf(work));
          if (added !== null) next.push(added);
          if (fps.length >= maxStates) {
            levels.push(level(d, before, t0, levelStart));
            return result(null, false, d);
          }
        }
      }
      levels.push(level(d, before, t0, levelStart));
      opts.onLevel?.(levels[levels.length - 1]!);
      reached = d;
      frontier = next;
    }
    return result(null, true, reached);
  }

  function level(d: number, before: number, t0: number, start: number): LevelStats {
    return {
      depth: d,
      newStates: fps.length - before,
      transitions: transitions - t0,
      ms: now() - start,
    };
  }

  /** Record a successor; returns its node id, null if already seen, or 'violation'. */
  function visit(s: State, parent: number, letter: number): number | null | 'violation' {
    const fp = fingerprint(s);
    if (seen.has(fp)) return null;
    seen.add(fp);
    parents.push(parent);
    via.push(letter);
    fps.push(fp);
    if (invariants(s).length > 0) return 'violation';
    return fps.length - 1;
  }

  function violationsOf(s: State): string[] {
    return invariants(s).map((v) => `${v.invariant}: ${v.detail}`);
  }

  function fingerprint(s: State): string {
    return hasher(identity(s, interned));
  }

  function pathOf(node: number): number[] {
    const out: number[] = [];
    for (let n = node; n > 0; n = parents[n]!) out.push(via[n]!);
    return out.reverse();
  }
}

type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/** Deep copy of plain JSON data; strings are immutable and shared. Several times faster than JSON. */
function clone<T>(v: T): T {
  return copy(v as Plain) as T;
}
function copy(v: Plain): Plain {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out: Plain[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i]!);
    return out;
  }
  const out: { [key: string]: Plain } = {};
  for (const k in v) out[k] = copy(v[k]!);
  return out;
}

/** Structural equality of plain JSON data (key order ignored). */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (!Object.hasOwn(y, k) || !equal(x[k], y[k])) return false;
    n++;
  }
  for (const _ in y) n--;
  return n === 0;
}

/**
 * The text that identifies a state: its JSON without `seq` and `head`. Equal texts parse to equal
 * states, so merging on it is sound. Key order must not depend on the path taken, or equal states
 * would fail to merge: records are keyed by counter ids and inserted in id order, integer keys
 * (interrupt vectors) enumerate in numeric order, and the one map whose keys appear in path order
 * (`counters`) is re-created sorted here (a no-op for every reader). Provider identity keys (3.9 KB
 * of hex each, in every state) are written as `§n`, an index into an intern table: a real key is
 * lowercase hex, so this stays injective.
 */
function identity(s: State, interned: Map<string, number>): string {
  const view: { [K in keyof State]: unknown } = { ...s, seq: 0, head: '' };
  const names = Object.keys(s.counters);
  if (names.length > 1) {
    names.sort();
    const sorted: State['counters'] = {};
    for (const n of names) sorted[n] = s.counters[n]!;
    view.counters = sorted;
  }
  const providers: Record<string, unknown> = {};
  for (const id in s.providers) {
    const p = s.providers[id]!;
    let n = interned.get(p.publicKey);
    if (n === undefined) {
      n = interned.size;
      interned.set(p.publicKey, n);
    }
    providers[id] = { ...p, publicKey: `§${n}` };
  }
  view.providers = providers;
  return JSON.stringify(view);
}

/** True if only L, seq and head differ at the top level (nested objects are shared and frozen). */
function onlyClockMoved(trial: State, base: State): boolean {
  for (const k in base) {
    if (k === 'l' || k === 'seq' || k === 'head') continue;
    if (trial[k as keyof State] !== base[k as keyof State]) return false;
  }
  return true;
}

function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  if (Array.isArray(v)) for (const x of v) deepFreeze(x);
  else for (const k in v) deepFreeze((v as Record<string, unknown>)[k]);
}

/** The counterexample as runnable commands: prefix then path. */
export function counterexampleCommands(c: Counterexample): Command[] {
  return [...c.prefix, ...c.path.map((l) => l.cmd)];
}
