// Field-level differences between two versions of one state object, for the replay diff (issue 15
// §5: "before → after", not only ids). Paths go one level into nested objects (`allocated.qubits`);
// anything deeper, and arrays, compare as a whole and are shown as compact JSON.

export type Scalar = string | number | boolean | null;
export interface FieldChange {
  path: string;
  before: Scalar;
  after: Scalar;
}

/** Longest JSON text shown for an array or nested object (it is truncated with an ellipsis). */
const MAX_TEXT = 160;

function shown(v: unknown): Scalar {
  if (v === undefined) return null;
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  const t = JSON.stringify(v);
  return t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT - 1)}…` : t;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function fieldChanges(a: unknown, b: unknown, depth = 1, prefix = ''): FieldChange[] {
  if (!isObject(a) || !isObject(b)) return [];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const out: FieldChange[] = [];
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    const path = prefix ? `${prefix}.${k}` : k;
    if (depth > 0 && isObject(x) && isObject(y)) out.push(...fieldChanges(x, y, depth - 1, path));
    else out.push({ path, before: shown(x), after: shown(y) });
  }
  return out;
}
