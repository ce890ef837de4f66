import { checkAll, type Violation } from '../invariants/full.js';
import type { Command } from '../model/commands.js';
import { CAPACITY_KEYS } from '../model/quota.js';
import type { State } from '../model/state.js';
import type { Entry } from '../trace/entry.js';
import type { Hasher } from '../trace/hash.js';
import { cloneState } from './apply.js';
import { type StepResult, step } from './step.js';

export interface CapacityDelta {
  provider: string;
  resource: string;
  before: number;
  after: number;
  capacity: number;
}

export interface BudgetDelta {
  contract: string;
  before: number;
  after: number;
  budget: number;
}

export interface Preview {
  entries: Entry[];
  error: StepResult['error'];
  capacity: CapacityDelta[];
  budgets: BudgetDelta[];
  quota: Array<{ vhm: string; resource: string; before: number; after: number; quota: number }>;
  invariants: { checked: number; violations: Violation[] };
}

export type QuotaDelta = Preview['quota'][number];

/** What changed between two states: provider capacity, Q budgets and VHM quota use, before → after. */
export function changes(
  before: State,
  after: State,
): { capacity: CapacityDelta[]; budgets: BudgetDelta[]; quota: QuotaDelta[] } {
  const capacity: CapacityDelta[] = [];
  for (const p of Object.values(before.providers)) {
    const now = after.providers[p.id]!;
    for (const k of CAPACITY_KEYS)
      if (now.allocated[k] !== p.allocated[k])
        capacity.push({
          after: now.allocated[k],
          before: p.allocated[k],
          capacity: now.capacity[k],
          provider: p.id,
          resource: k,
        });
  }
  const budgets: BudgetDelta[] = [];
  for (const c of Object.values(after.contracts)) {
    if (!c.q) continue;
    const was = before.contracts[c.id];
    const b = was && (was.status === 'issued' || was.status === 'active') ? was.q!.budget - was.consumed : 0;
    const a = c.status === 'issued' || c.status === 'active' ? c.q.budget - c.consumed : 0;
    if (b !== a || !was) budgets.push({ after: a, before: b, budget: c.q.budget, contract: c.id });
  }
  const quota: QuotaDelta[] = [];
  for (const v of Object.values(after.vhms)) {
    const was = before.vhms[v.id];
    for (const k of ['memory', 'cpu', 'qubits', 'envelopes'] as const) {
      const b = was ? was.used[k] + was.carved[k] : 0;
      const a = v.used[k] + v.carved[k];
      if (b !== a) quota.push({ after: a, before: b, quota: v.quota[k], resource: k, vhm: v.id });
    }
  }
  return { budgets, capacity, quota };
}

/**
 * Dry run: apply the command to a copy and report what would change. Nothing is committed.
 * The complete invariant set runs on the copy, so the preview says whether the result stays safe.
 */
export function preview(state: State, cmd: Command, hasher?: Hasher): Preview {
  const copy = cloneState(state);
  const r = step(copy, cmd, hasher ? { hasher } : {});
  const { budgets, capacity, quota } = changes(state, copy);
  const violations = checkAll(copy);
  return {
    budgets,
    capacity,
    entries: r.entries,
    error: r.error,
    invariants: { checked: INVARIANT_COUNT, violations },
    quota,
  };
}

/** Names of the invariant families checkAll covers (for display). */
export const INVARIANTS = [
  'conservation',
  'memory-isolation',
  'interrupt-routing',
  'quota',
  'ownership',
  'lifecycle',
  'binding-lifecycle',
  'contract-lifecycle',
  'calibration',
  'decoherence-budget',
  'no-cloning',
  'envelope-aliasing',
  'vhm-isolation',
  'coherence-window',
  'capability-namespace',
  'capability-confinement',
  'capability-derivation',
  'capability-revocation',
  'capability-conservation',
  'nesting',
  'release',
  'process-isolation',
  'scheduler',
] as const;
export const INVARIANT_COUNT = INVARIANTS.length;
