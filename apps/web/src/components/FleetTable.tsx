import type { FleetRow } from '@xdv/core';
import { useState } from 'react';
import { useFleet } from '../api/fleetHealth';
import { Link } from '../lib/router';
import { exactBytes, gib } from '../lib/units';
import { Badge, DomainTag, fmt, Guard, Section, StateBadge } from './ui';

// `/providers`: the fleet as one sortable table (domain, health, attestation, calibration, capacity
// in use, active contracts). A tenant's counts are its own (the API scopes them).

type Key = 'name' | 'domain' | 'health' | 'attestation' | 'calibration' | 'use' | 'contracts';

const COLUMNS: Array<{ key: Key; label: string }> = [
  { key: 'name', label: 'Provider' },
  { key: 'domain', label: 'Domain' },
  { key: 'health', label: 'Health' },
  { key: 'attestation', label: 'Attestation' },
  { key: 'calibration', label: 'Calibration' },
  { key: 'use', label: 'Capacity in use' },
  { key: 'contracts', label: 'Active contracts' },
];

/** The share of its capacity in use, in per mille (the domain's own unit: bytes, qubits, envelopes). */
export function inUsePerMille(r: FleetRow): number {
  const [used, total] =
    r.domain === 'K'
      ? [r.allocated.memory, r.capacity.memory]
      : r.domain === 'Q'
        ? [r.allocated.qubits, r.capacity.qubits]
        : [r.allocated.envelopes, r.capacity.envelopes];
  return total > 0 ? Math.round((used * 1000) / total) : 0;
}

function sortValue(r: FleetRow, k: Key): string | number {
  switch (k) {
    case 'use':
      return inUsePerMille(r);
    case 'contracts':
      return r.activeContracts;
    case 'calibration':
      return r.calibration ? (r.calibration.valid ? r.calibration.until : -1) : -2;
    default:
      return r[k];
  }
}

export function sortFleet(rows: readonly FleetRow[], key: Key, asc: boolean): FleetRow[] {
  return [...rows].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    const c = x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1;
    return asc ? c : -c;
  });
}

export function FleetTable() {
  const src = useFleet();
  const [key, setKey] = useState<Key>('name');
  const [asc, setAsc] = useState(true);
  return (
    <Section title="Provider fleet" id="fleet" wide>
      <Guard
        src={src}
        what="Reading the fleet"
        empty={(f) => (f.items.length ? null : 'No provider has registered yet.')}
      >
        {(f) => (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
          <section className="table-scroll" tabIndex={0} aria-label="Provider fleet table">
            <table className="fleet-table">
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th
                      key={c.key}
                      scope="col"
                      aria-sort={key === c.key ? (asc ? 'ascending' : 'descending') : 'none'}
                    >
                      <button
                        type="button"
                        className="sort"
                        onClick={() => {
                          if (key === c.key) setAsc(!asc);
                          else {
                            setKey(c.key);
                            setAsc(true);
                          }
                        }}
                      >
                        {c.label}
                        {key === c.key ? (asc ? ' ▲' : ' ▼') : ''}
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {sortFleet(f.items, key, asc).map((r) => (
                  <tr key={r.id}>
                    <th scope="row">
                      <Link to="/providers/$id" params={{ id: r.id }}>
                        {r.name}
                      </Link>{' '}
                      <span className="muted small">{r.id}</span>
                    </th>
                    <td>
                      <DomainTag domain={r.domain} />
                    </td>
                    <td>
                      <StateBadge state={r.health} />
                      <div className="muted small">
                        {r.domain === 'K'
                          ? 'no telemetry'
                          : r.lastReportL === null
                            ? 'never reported'
                            : `report at L ${fmt(r.lastReportL)}`}
                      </div>
                    </td>
                    <td>
                      <StateBadge state={r.attestation} />
                    </td>
                    <td>
                      {r.calibration === null ? (
                        <span className="muted">{r.domain === 'Q' ? 'none' : '—'}</span>
                      ) : r.calibration.valid ? (
                        <Badge tone="ok">valid until L {fmt(r.calibration.until)}</Badge>
                      ) : (
                        <Badge tone="bad">expired at L {fmt(r.calibration.until)}</Badge>
                      )}
                    </td>
                    <td>
                      <UseCell r={r} />
                    </td>
                    <td className="num">{fmt(r.activeContracts)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </Guard>
    </Section>
  );
}

function UseCell({ r }: { r: FleetRow }) {
  const pct = `${(inUsePerMille(r) / 10).toFixed(1)}%`;
  if (r.domain === 'K')
    return (
      <span title={`${exactBytes(r.allocated.memory)} of ${exactBytes(r.capacity.memory)}`}>
        {pct} · {gib(r.allocated.memory)} of {gib(r.capacity.memory)} · {fmt(r.allocated.cpu)}/
        {fmt(r.capacity.cpu)} CPU
      </span>
    );
  if (r.domain === 'Q')
    return (
      <span>
        {pct} · {fmt(r.allocated.qubits)}/{fmt(r.capacity.qubits)} qubits
      </span>
    );
  return (
    <span>
      {pct} · {fmt(r.allocated.envelopes)}/{fmt(r.capacity.envelopes)} envelopes
    </span>
  );
}
