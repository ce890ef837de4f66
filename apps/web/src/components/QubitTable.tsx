import type { Series } from '../api/types';
import { fmt } from './ui';

// A Q provider's calibration view (issue 15 §4, like IBM Quantum's): one row per qubit with its
// latest T1, T2, gate fidelity and readout error, each cell toned against its threshold.

const COLS = [
  { metric: 't1', label: 'T1 (µs)', th: 't1Min', min: true },
  { metric: 't2', label: 'T2 (µs)', th: 't2Min', min: true },
  { metric: 'fidelity', label: 'Gate fidelity (bp)', th: 'fidelityMin', min: true },
  { metric: 'readoutError', label: 'Readout error (bp)', th: 'readoutMax', min: false },
] as const;

export interface QubitRow {
  qubit: number;
  subject: string;
  cells: Array<{ metric: string; value: number | null; l: number | null; ok: boolean | null }>;
}

/** The latest sample of each qubit's metrics, judged against the thresholds; rows in qubit order. */
export function qubitRows(s: Series): QubitRow[] {
  const rows = new Map<string, QubitRow>();
  for (const x of s.series) {
    if (!x.subject.startsWith('qubit-')) continue;
    let row = rows.get(x.subject);
    if (!row) {
      row = {
        qubit: Number(x.subject.slice(6)),
        subject: x.subject,
        cells: COLS.map((c) => ({ metric: c.metric, value: null, l: null, ok: null })),
      };
      rows.set(x.subject, row);
    }
    const i = COLS.findIndex((c) => c.metric === x.metric);
    const last = x.samples.at(-1);
    if (i < 0 || !last) continue;
    const col = COLS[i]!;
    const th = s.thresholds[col.th];
    row.cells[i] = {
      metric: x.metric,
      value: last.v,
      l: last.l,
      ok: th === undefined ? null : col.min ? last.v >= th : last.v <= th,
    };
  }
  return [...rows.values()].sort((a, b) => a.qubit - b.qubit);
}

export function QubitTable({ series }: { series: Series }) {
  const rows = qubitRows(series);
  if (rows.length === 0) return null;
  const bad = rows.filter((r) => r.cells.some((c) => c.ok === false)).length;
  return (
    <figure className="qubit-map">
      <figcaption>
        Latest per qubit against the thresholds:{' '}
        {bad === 0 ? 'every qubit within them' : `${fmt(bad)} of ${fmt(rows.length)} qubits outside`}.
      </figcaption>
      <table className="qubit-table">
        <thead>
          <tr>
            <th scope="col">Qubit</th>
            {COLS.map((c) => (
              <th key={c.metric} scope="col">
                {c.label}
                <div className="muted small">
                  {c.min ? '≥' : '≤'} {fmt(series.thresholds[c.th] ?? 0)}
                </div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.subject}>
              <th scope="row">{r.qubit}</th>
              {r.cells.map((c) => (
                <td
                  key={c.metric}
                  className={`num heat ${c.ok === null ? '' : c.ok ? 'in' : 'out'}`}
                  title={c.l === null ? 'no sample' : `at L ${fmt(c.l)}`}
                >
                  {c.value === null ? '—' : fmt(c.value)}
                  {c.ok === false ? <span className="sr-only"> (outside the threshold)</span> : null}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
