import { stringify } from 'yaml';
import { UsageError } from './errors.js';

// kubectl's convention: -o table (default) for a person, json and yaml for a script.

export type Format = 'table' | 'json' | 'yaml';
export const FORMATS: readonly Format[] = ['table', 'json', 'yaml'];

export function formatOf(v: string | undefined): Format {
  const f = (v ?? 'table') as Format;
  if (!FORMATS.includes(f)) throw new UsageError(`-o must be one of ${FORMATS.join(', ')} (got ${v})`);
  return f;
}

/** A value in a table cell: objects compactly as JSON, nothing as "-". */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (Array.isArray(v)) return v.map(cell).join(',') || '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function table(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const grid = [
    columns.map((c) => c.toUpperCase()),
    ...rows.map((r) => columns.map((c) => cell(pick(r, c)))),
  ];
  const widths = columns.map((_, i) => Math.max(...grid.map((g) => g[i]!.length)));
  return `${grid.map((g) => g.map((v, i) => (i === g.length - 1 ? v : v.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}

/** A dotted path into a record ("quota.qubits"). */
export function pick(r: Record<string, unknown>, path: string): unknown {
  let v: unknown = r;
  for (const k of path.split('.'))
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

export function render(value: unknown, format: Format, columns?: readonly string[]): string {
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  if (format === 'yaml') return stringify(value);
  if (Array.isArray(value))
    return value.length === 0 ? 'No resources found.\n' : table(value, columns ?? ['id']);
  return describe(value as Record<string, unknown>);
}

/** One object for a person: its fields as YAML, which nests readably. */
export function describe(obj: Record<string, unknown>): string {
  return stringify(obj);
}
