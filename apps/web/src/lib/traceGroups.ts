import { type Entry, type ErrorParams, renderMessage } from '@xdv/core';

// The trace as an event history (issue 15 §5): each command with the effects it caused, who issued
// it, its outcome and refusal code, and a one-line summary. Pure functions over entries in seq order.

/** Telemetry categories a reader can hide; everything else is `activity`. */
export type Category = 'clock' | 'scheduler' | 'reports' | 'activity';
export const HIDEABLE: ReadonlyArray<{ category: Exclude<Category, 'activity'>; label: string }> = [
  { category: 'clock', label: 'Clock ticks' },
  { category: 'scheduler', label: 'Scheduler' },
  { category: 'reports', label: 'Provider reports' },
];

export function categoryOf(type: string): Category {
  if (type.startsWith('clock.')) return 'clock';
  if (type.startsWith('sched.')) return 'scheduler';
  if (
    type.startsWith('report.') ||
    type === 'q.metrics.reported' ||
    type === 'phi.stability.reported' ||
    type === 'phi.envelope.stability'
  )
    return 'reports';
  return 'activity';
}

export interface EntryGroup {
  /** The command entry, or null for effects whose command is on an earlier page. */
  command: Entry | null;
  effects: Entry[];
  /** The seq that identifies the group in the table: the command's, or the first effect's. */
  seq: number;
  l: number;
  category: Category;
}

/** Group entries (in seq order) into commands and the effects that follow each. */
export function groupEntries(items: readonly Entry[]): EntryGroup[] {
  const out: EntryGroup[] = [];
  let cur: EntryGroup | null = null;
  for (const e of items) {
    if (e.outcome !== 'effect' || cur === null) {
      cur = {
        command: e.outcome === 'effect' ? null : e,
        effects: e.outcome === 'effect' ? [e] : [],
        seq: e.seq,
        l: e.l,
        category: categoryOf(e.type),
      };
      out.push(cur);
    } else {
      cur.effects.push(e);
      // A tick that ended a window or a report that raised an alert is activity, not telemetry.
      if (categoryOf(e.type) === 'activity') cur.category = 'activity';
    }
  }
  return out;
}

type Actor = { kind?: unknown; tenant?: unknown; role?: unknown; name?: unknown };

/** Who issued a command entry: operator, a tenant's admin or viewer, or a provider by name. */
export function actorOf(e: Entry | null): string {
  const a = e?.payload.actor as Actor | undefined;
  if (!a || typeof a !== 'object') return '—';
  if (a.kind === 'tenant') return `${String(a.tenant)} ${String(a.role)}`;
  if (a.kind === 'provider') return String(a.name);
  return String(a.kind ?? '—');
}

/** The stable refusal code of a rejected command entry. */
export function codeOf(e: Entry | null): string | null {
  return e?.outcome === 'rejected' && typeof e.payload.code === 'string' ? e.payload.code : null;
}

const SUBJECT_KEYS = [
  'vhm',
  'contract',
  'binding',
  'capability',
  'envelope',
  'container',
  'alert',
  'fault',
  'process',
  'snapshot',
  'ipc',
  'unit',
  'migration',
  'calibration',
  'provider',
  'tenant',
] as const;

/** The object an entry is about, from its payload (or its command's body). */
export function subjectOf(e: Entry): string | null {
  const p = (e.outcome === 'effect' ? e.payload : e.payload.command) as Record<string, unknown> | undefined;
  if (!p || typeof p !== 'object') return null;
  for (const k of SUBJECT_KEYS) if (typeof p[k] === 'string') return p[k] as string;
  return e.vhm ?? e.contract ?? null;
}

const describe = (e: Entry) => {
  const s = subjectOf(e);
  return s ? `${e.type} ${s}` : e.type;
};

/** One line: what was asked and what it caused, or why it was refused. */
export function summarize(g: EntryGroup): string {
  const c = g.command;
  if (c?.outcome === 'rejected') {
    const p = c.payload.params;
    const params = typeof p === 'object' && p !== null && !Array.isArray(p) ? (p as ErrorParams) : {};
    return `refused: ${renderMessage(String(c.payload.code), params)}`;
  }
  const effects = g.effects.slice(0, 3).map(describe).join(', ');
  const more = g.effects.length > 3 ? ` and ${g.effects.length - 3} more` : '';
  const caused = g.effects.length === 0 ? 'no effect' : `${effects}${more}`;
  if (!c) return `(continued) ${caused}`;
  // The type is in its own column: the summary names the subject and what followed.
  const subject = subjectOf(c);
  return subject ? `${subject} → ${caused}` : `→ ${caused}`;
}

/** The groups a reader keeps, with hidden categories left out. */
export function visibleGroups(groups: readonly EntryGroup[], hidden: ReadonlySet<Category>): EntryGroup[] {
  return hidden.size === 0 ? [...groups] : groups.filter((g) => !hidden.has(g.category));
}
