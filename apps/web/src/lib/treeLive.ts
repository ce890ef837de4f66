import type { Binding, Contract } from '@xdv/core';

/** What is live under one VHM, for the tree's columns (not history counts). */
export interface LiveSummary {
  /** Bindings in requested, validated or active state. */
  bindings: number;
  /** The lowest remaining decoherence budget among its live Q contracts, and that contract. */
  minBudget: { left: number; budget: number; contract: string } | null;
}

const EMPTY: LiveSummary = { bindings: 0, minBudget: null };

export function liveSummaries(
  contracts: readonly Contract[],
  bindings: readonly Binding[],
): Map<string, LiveSummary> {
  const m = new Map<string, LiveSummary>();
  const of = (vhm: string) => {
    let s = m.get(vhm);
    if (!s) {
      s = { ...EMPTY };
      m.set(vhm, s);
    }
    return s;
  };
  for (const b of bindings) if (b.state !== 'released') of(b.vhm).bindings++;
  for (const c of contracts) {
    if (!c.q || (c.status !== 'issued' && c.status !== 'active')) continue;
    const left = Math.max(0, c.q.budget - c.consumed);
    const s = of(c.vhm);
    // Lowest share of its budget left; ties by contract id, so the column is stable.
    const cur = s.minBudget;
    if (
      !cur ||
      left * cur.budget < cur.left * c.q.budget ||
      (left * cur.budget === cur.left * c.q.budget && c.id < cur.contract)
    )
      s.minBudget = { left, budget: c.q.budget, contract: c.id };
  }
  return m;
}

export const noLive = EMPTY;
