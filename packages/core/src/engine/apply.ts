import type { Command } from '../model/commands.js';
import { emptyState, type State } from '../model/state.js';
import { canonicalJson } from '../trace/canonical.js';
import { type Hasher, nobleSha256 } from '../trace/hash.js';
import { type StepOptions, type StepResult, step } from './step.js';

/** Deep copy of a state (it is plain JSON data). */
export function cloneState(s: State): State {
  return structuredClone(s);
}

/** The pure form of `step`: the input state is untouched, a new state is returned. */
export function apply(state: State, cmd: Command, opts: StepOptions = {}): StepResult & { state: State } {
  const next = cloneState(state);
  const r = step(next, cmd, opts);
  return { ...r, state: next };
}

/** SHA-256 over the canonical JSON of the whole state: equal states, equal hashes, anywhere. */
export function stateHash(s: State, hasher: Hasher = nobleSha256): string {
  return hasher(canonicalJson(s));
}

/** Run commands from the empty state (tests, the model checker, the demo). */
export function run(
  cmds: readonly Command[],
  opts: StepOptions = {},
): { state: State; results: StepResult[] } {
  const state = emptyState();
  const results = cmds.map((c) => step(state, c, opts));
  return { results, state };
}
