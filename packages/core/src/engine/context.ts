import type { Actor } from '../model/commands.js';
import type { State } from '../model/state.js';
import type { EntryDraft } from '../trace/entry.js';
import { type Created, ID_KINDS, type IdKind } from './touched.js';

/** What one command's transition works with: the state it mutates and the entries it emits. */
export interface Ctx {
  readonly state: State;
  readonly actor: Actor;
  readonly drafts: EntryDraft[];
  /** Objects touched, so the hot-path invariant check looks only at them. */
  readonly touched: { providers: Set<string>; vhms: Set<string>; tenants: Set<string> };
  /** The first id of each kind this command created, in creation order (the API's `created`). */
  readonly created: Created;
  /** Every id this command created. */
  readonly minted: string[];
}

export function newCtx(state: State, actor: Actor): Ctx {
  return {
    state,
    actor,
    drafts: [],
    touched: { providers: new Set(), vhms: new Set(), tenants: new Set() },
    created: {},
    minted: [],
  };
}

export function emit(ctx: Ctx, draft: EntryDraft): void {
  ctx.drafts.push(draft);
}

/**
 * Identifiers come from counters in the state: `vhm-1`, `vhm-2`, … never from randomness. The
 * command's result records what it created, so no caller re-derives it from the entries.
 */
export function nextId(ctx: Ctx, kind: IdKind): string {
  const state = ctx.state;
  const n = (state.counters[kind] ?? 0) + 1;
  state.counters[kind] = n;
  const id = `${kind}-${n}`;
  const as = ID_KINDS[kind].created;
  if (ctx.created[as] === undefined) ctx.created[as] = id;
  ctx.minted.push(id);
  return id;
}

/** Numeric part of an id, for deterministic ordering (`vhm-10` after `vhm-9`). */
export function idNum(id: string): number {
  const i = id.lastIndexOf('-');
  return Number(id.slice(i + 1));
}

export function byId(a: string, b: string): number {
  const d = idNum(a) - idNum(b);
  return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
}

export function sortedIds(ids: Iterable<string>): string[] {
  return [...ids].sort(byId);
}
