import type { Io } from './io.js';

// A preview for a person: what the command (or plan) would write to the trace, and capacity,
// budgets and quota before → after, and the invariants checked on the result.

type Delta = Record<string, unknown>;
export interface PreviewBody {
  wouldBe: 'accepted' | 'rejected';
  error?: { code: string; params: Record<string, unknown>; detail: string } | null;
  entries?: Array<{ seq: number; l: number; type: string; outcome: string }>;
  capacity: Delta[];
  budgets: Delta[];
  quota: Delta[];
  invariants: { checked: number; violations: unknown[] };
}

export function deltaLines(p: Pick<PreviewBody, 'capacity' | 'budgets' | 'quota'>, indent = '  '): string[] {
  const out: string[] = [];
  for (const c of p.capacity)
    out.push(`${indent}capacity  ${c.provider} ${c.resource}: ${c.before} → ${c.after} of ${c.capacity}`);
  for (const b of p.budgets)
    out.push(`${indent}budget    ${b.contract}: ${b.before} → ${b.after} of ${b.budget}`);
  for (const q of p.quota)
    out.push(`${indent}quota     ${q.vhm} ${q.resource}: ${q.before} → ${q.after} of ${q.quota}`);
  return out;
}

export function invariantLine(inv: PreviewBody['invariants']): string {
  return inv.violations.length === 0
    ? `invariants: all ${inv.checked} hold after it`
    : `invariants: ${inv.violations.length} VIOLATED: ${JSON.stringify(inv.violations)}`;
}

export function printPreview(io: Io, p: PreviewBody): void {
  io.out(`dry run: would be ${p.wouldBe}${p.error ? `: ${p.error.code}: ${p.error.detail}` : ''}\n`);
  const entries = p.entries ?? [];
  if (entries.length > 0) io.out('entries:\n');
  for (const e of entries) io.out(`  #${e.seq} L${e.l} ${e.type} (${e.outcome})\n`);
  const d = deltaLines(p);
  if (d.length > 0) io.out(`before → after:\n${d.join('\n')}\n`);
  io.out(`${invariantLine(p.invariants)}\nnothing was committed\n`);
}
