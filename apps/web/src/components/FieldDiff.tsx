import type { FieldValue, ReplayDiff } from '../api/types';
import { fmt } from './ui';

// The replay diff field by field: for each changed object, each changed field before → after.

const show = (v: FieldValue) => (v === null ? '—' : typeof v === 'number' ? fmt(v) : String(v));

export function FieldChanges({ changes }: { changes: ReplayDiff['changes'] }) {
  const rows = Object.entries(changes).flatMap(([collection, c]) =>
    Object.entries(c.fields ?? {}).map(([id, fields]) => ({ collection, id, fields })),
  );
  if (rows.length === 0) return null;
  return (
    <div className="field-diff">
      <h3>Changed fields</h3>
      {rows.map(({ collection, id, fields }) => (
        <details key={`${collection}/${id}`} open={rows.length <= 6}>
          <summary>
            <code>{id}</code>{' '}
            <span className="muted small">
              ({collection}, {fields.length} field{fields.length === 1 ? '' : 's'})
            </span>
          </summary>
          <table className="small">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {fields.map((f) => (
                <tr key={f.path}>
                  <th scope="row">
                    <code>{f.path}</code>
                  </th>
                  <td className="before">{show(f.before)}</td>
                  <td className="after">→ {show(f.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
    </div>
  );
}
