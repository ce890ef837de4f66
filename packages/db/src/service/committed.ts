import { type Command, type Hasher, type State, step } from '@xdv/core';

/** A stored entry as committed: its seq, canonical text and hash. */
export interface CommittedRow {
  readonly seq: number;
  readonly text: string;
  readonly hash: string;
}

/**
 * Advance `state` in place by whole commands already committed (a batch this node wrote, or rows
 * another writer wrote that replay has verified). Each command is parsed back from its recorded
 * entry, as replay does, so the state shares no object with the caller's commands or with the live
 * state, and is stepped through the same core. Instead of hashing again, the hasher checks that the
 * core regenerated every entry's text byte for byte and hands back its committed hash: equal texts
 * with the same links give equal hashes (replay's own fast path rests on the same fact).
 *
 * Returns null when the state now ends exactly at the last row, or the first seq that differs (the
 * state is then unusable and must be rebuilt from the store).
 */
export function advance(state: State, rows: readonly CommittedRow[], invariants = false): number | null {
  let i = 0;
  let bad: number | null = null;
  const checking: Hasher = (text) => {
    const r = rows[i++];
    if (r === undefined || r.text !== text) bad ??= r?.seq ?? state.seq + 1;
    return r?.hash ?? '';
  };
  while (i < rows.length) {
    const head = rows[i]!;
    if (head.seq !== state.seq + 1) return head.seq;
    const cmd = commandOf(head.text);
    if (!cmd) return head.seq;
    try {
      // A batch this node wrote: the invariants were checked when it was stepped into the live state.
      step(state, cmd, { hasher: checking, invariants, fromJson: true });
    } catch {
      return head.seq;
    }
    if (bad !== null) return bad;
  }
  const last = rows[rows.length - 1];
  if (last && (state.seq !== last.seq || state.head !== last.hash)) return last.seq;
  return null;
}

/**
 * Advance `state` in place by whole commands another writer committed, verifying them as replay
 * does: every row's stored hash is the SHA-256 of its stored text, and the core regenerates every
 * text byte for byte from this state (so every link to the previous hash and every decision is
 * checked), with the invariants local to each command checked. No copy of the state is made and no
 * full invariant sweep runs, so following a rival's batch costs what stepping it costs, not the
 * size of the state. Returns null, or the first seq that fails (the state is then unusable).
 */
export function follow(state: State, rows: readonly CommittedRow[], hasher: Hasher): number | null {
  for (const r of rows) if (hasher(r.text) !== r.hash) return r.seq;
  return advance(state, rows, true);
}

/** Whether an entry is a command entry (it records the command and its actor): a command group starts there. */
export function isCommandEntry(e: { payload?: unknown }): boolean {
  const p = e.payload as { command?: unknown; actor?: unknown } | null | undefined;
  return !!p && typeof p === 'object' && !!p.command && typeof p.command === 'object' && !!p.actor;
}

/** The command a command entry records (body and actor), as replay re-applies it; null if it is none. */
function commandOf(text: string): Command | null {
  let parsed: { payload?: { command?: unknown; actor?: unknown } };
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const body = parsed?.payload?.command;
  const actor = parsed?.payload?.actor;
  if (!body || typeof body !== 'object' || !actor) return null;
  return { ...(body as object), actor } as Command;
}
