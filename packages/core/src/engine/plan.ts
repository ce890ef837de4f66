import { checkAll, type Violation } from '../invariants/full.js';
import type { Actor, Command } from '../model/commands.js';
import type { ErrorParams, RejectionCode } from '../model/errors.js';
import type { State } from '../model/state.js';
import type { Json } from '../trace/canonical.js';
import type { Entry } from '../trace/entry.js';
import type { Hasher } from '../trace/hash.js';
import { cloneState } from './apply.js';
import {
  type BudgetDelta,
  type CapacityDelta,
  changes,
  INVARIANT_COUNT,
  type QuotaDelta,
} from './preview.js';
import { step } from './step.js';
import type { Created } from './touched.js';

// A plan is a sequence of commands previewed as one: each applied in order to a copy of the state,
// later steps naming what earlier steps created through `{ "$ref": "<step>.<kind>" }` placeholders.
// Nothing is committed; the first refused step ends the plan, since every later step was written
// assuming it would succeed.

/** `{ "$ref": "2.vhm" }`: the id of kind `vhm` that step 2 created. */
export const PLAN_REF = /^(0|[1-9][0-9]{0,5})\.([a-z]+)$/;
/** The most commands one plan may hold (each step copies the deltas of the whole state). */
export const MAX_PLAN_STEPS = 500;

/** A command body without its actor, whose values may be placeholders for earlier steps' ids. */
export type PlanCommand = { readonly type: string; readonly [field: string]: unknown };

export interface PlanStep {
  index: number;
  /** The command as it was applied: placeholders resolved, actor set by the caller. */
  command: Command;
  wouldBe: 'accepted' | 'rejected';
  entries: Entry[];
  created: Created;
  capacity: CapacityDelta[];
  budgets: BudgetDelta[];
  quota: QuotaDelta[];
}

export interface PlanRefusal {
  step: number;
  code: RejectionCode;
  params: ErrorParams;
}

export interface Plan {
  steps: PlanStep[];
  /** The first step that would be refused, or null when every step would be accepted. */
  refused: PlanRefusal | null;
  /** Before the first step → after the last one evaluated. */
  capacity: CapacityDelta[];
  budgets: BudgetDelta[];
  quota: QuotaDelta[];
  /** Every invariant, checked on the state after the last step evaluated. */
  invariants: { checked: number; violations: Violation[] };
}

export interface PlanOptions {
  hasher?: Hasher;
  /** Admission of a signed command (its signature verdict), as a committed command would get. */
  admit?: (state: State, cmd: Command) => Command;
}

/**
 * Preview `commands` as one sequence by `actor`, on a copy of `state` (left untouched). The actor
 * is the caller's own for every step, whatever a command body says, so a plan can do nothing its
 * author could not do one command at a time.
 */
export function plan(
  state: State,
  commands: readonly PlanCommand[],
  actor: Actor,
  opts: PlanOptions = {},
): Plan {
  const cur = cloneState(state);
  const steps: PlanStep[] = [];
  let refused: PlanRefusal | null = null;
  for (let i = 0; i < commands.length; i++) {
    const resolved = resolveRefs(commands[i]!, steps, i);
    if ('unresolved' in resolved) {
      refused = { code: 'HV_INVALID_COMMAND', params: resolved.unresolved, step: i };
      break;
    }
    const body = { ...resolved.value, actor } as Command;
    const before = cloneState(cur);
    const r = step(
      cur,
      opts.admit ? opts.admit(cur, body) : body,
      opts.hasher ? { hasher: opts.hasher } : {},
    );
    steps.push({
      command: body,
      created: r.created,
      entries: r.entries,
      index: i,
      wouldBe: r.error ? 'rejected' : 'accepted',
      ...changes(before, cur),
    });
    if (r.error) {
      refused = { code: r.error.code, params: r.error.params, step: i };
      break;
    }
  }
  return {
    ...changes(state, cur),
    invariants: { checked: INVARIANT_COUNT, violations: checkAll(cur) },
    refused,
    steps,
  };
}

type Resolved = { value: Record<string, unknown> } | { unresolved: ErrorParams };

/** Replace every placeholder by the id an earlier step created; params of the first that cannot be. */
export function resolveRefs(cmd: PlanCommand, done: readonly PlanStep[], index: number): Resolved {
  let bad: ErrorParams | null = null;
  const walk = (v: unknown, path: string): unknown => {
    if (bad || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}.${i}`));
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$ref') {
      const id = refId(o.$ref, done);
      if (id === null) bad = unresolved(path, o.$ref, index);
      return id;
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = walk(o[k], path ? `${path}.${k}` : k);
    return out;
  };
  const value = walk(cmd, '') as Record<string, unknown>;
  return bad ? { unresolved: bad } : { value };
}

function refId(ref: unknown, done: readonly PlanStep[]): string | null {
  if (typeof ref !== 'string') return null;
  const m = PLAN_REF.exec(ref);
  if (!m) return null;
  const s = done[Number(m[1])];
  if (s?.wouldBe !== 'accepted') return null;
  const id = (s.created as Record<string, string | undefined>)[m[2]!];
  return id ?? null;
}

function unresolved(field: string, ref: unknown, index: number): ErrorParams {
  // Keys in canonical order; the ref is echoed only when it is a string (it came from the caller).
  return {
    field: `commands.${index}.${field}`,
    reason: 'unresolved_ref',
    ref: typeof ref === 'string' ? ref.slice(0, 64) : null,
    step: index,
  } satisfies Record<string, Json>;
}
