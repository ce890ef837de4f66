import type { Entry } from '@xdv/core';

// One line per previewed entry that names what it acts on: "vhm-6 research-sim → terminated",
// not "vhm.terminated ×2".

const SUBJECT_KEYS = [
  'vhm',
  'contract',
  'binding',
  'capability',
  'container',
  'envelope',
  'process',
  'snapshot',
  'job',
];

/** The id an entry is about: its payload's own object first, then the entry's columns. */
export function subjectOf(
  e: Pick<Entry, 'type' | 'payload' | 'vhm' | 'contract' | 'capability'>,
): string | null {
  const kind = e.type.split('.')[0] ?? '';
  const own = e.payload[kind === 'cap' ? 'capability' : kind === 'q' ? 'container' : kind];
  if (typeof own === 'string') return own;
  for (const k of SUBJECT_KEYS) {
    const v = e.payload[k];
    if (typeof v === 'string') return v;
  }
  return e.contract ?? e.vhm ?? e.capability ?? null;
}

/** "terminated" from "vhm.terminated", "container created" from "q.container.created". */
function verb(type: string): string {
  return type.split('.').slice(1).join(' ');
}

export function effectLine(
  e: Pick<Entry, 'type' | 'payload' | 'vhm' | 'contract' | 'capability' | 'outcome'>,
  vhmName: (id: string) => string | undefined,
): string {
  const s = subjectOf(e);
  const name = s?.startsWith('vhm-') ? vhmName(s) : undefined;
  const who = s ? `${s}${name ? ` ${name}` : ''}` : e.type.split('.')[0];
  if (e.outcome !== 'effect') return `command ${e.type}${s ? ` on ${who}` : ''}`;
  return `${who} → ${verb(e.type)}`;
}

/** The ids a request names (path and body), so an arriving entry can be matched to it. */
export function requestSubjects(path: string, body: unknown): Set<string> {
  const ids = new Set<string>();
  const add = (x: string) => {
    for (const m of x.matchAll(
      /\b(?:vhm|contract|binding|cap|container|envelope|process|tenant|provider)-\d+\b/g,
    ))
      ids.add(m[0]);
  };
  add(path);
  if (body !== undefined) add(JSON.stringify(body));
  return ids;
}

/** Whether a committed entry changes something a preview of these subjects depends on. */
export function touches(
  e: Pick<Entry, 'vhm' | 'contract' | 'capability' | 'payload'>,
  ids: ReadonlySet<string>,
): boolean {
  if (
    (e.vhm && ids.has(e.vhm)) ||
    (e.contract && ids.has(e.contract)) ||
    (e.capability && ids.has(e.capability))
  )
    return true;
  for (const v of Object.values(e.payload)) if (typeof v === 'string' && ids.has(v)) return true;
  return false;
}
