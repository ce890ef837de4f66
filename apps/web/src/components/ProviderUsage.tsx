import { useUsage } from '../api/fleetHealth';
import { Link } from '../lib/router';
import { DomainTag, fmt, Guard, Section, StateBadge } from './ui';

// Which VHMs and contracts use a provider now. A tenant sees only its own (the API scopes it).

export function ProviderUsage({ provider, operator }: { provider: string; operator: boolean }) {
  const src = useUsage(provider);
  return (
    <Section title="Used by" id="usage">
      <Guard
        src={src}
        what="Reading who uses it"
        empty={(u) =>
          u.contracts.length
            ? null
            : operator
              ? 'No live contract on this provider.'
              : 'None of your VHMs holds a live contract on this provider.'
        }
      >
        {(u) => (
          <>
            <p className="muted small">
              {fmt(u.vhms.length)} VHM{u.vhms.length === 1 ? '' : 's'} · {fmt(u.contracts.length)} live
              contract
              {u.contracts.length === 1 ? '' : 's'}
              {operator ? '' : ' (yours only)'}
            </p>
            <table>
              <thead>
                <tr>
                  <th scope="col">VHM</th>
                  <th scope="col">Contract</th>
                  <th scope="col">Status</th>
                  <th scope="col">Holds</th>
                </tr>
              </thead>
              <tbody>
                {u.contracts.map((c) => {
                  const v = u.vhms.find((x) => x.id === c.vhm);
                  return (
                    <tr key={c.id}>
                      <th scope="row">
                        <Link to="/vhms/$id" params={{ id: c.vhm }}>
                          {v?.name ?? c.vhm}
                        </Link>{' '}
                        <span className="muted small">
                          {c.vhm}
                          {operator ? ` · ${c.tenant}` : ''}
                        </span>
                      </th>
                      <td>
                        <DomainTag domain={c.domain} /> <code>{c.id}</code>
                      </td>
                      <td>
                        <StateBadge state={c.status} />
                      </td>
                      <td>
                        {c.qubits !== null
                          ? `${fmt(c.qubits)} qubits`
                          : c.envelope
                            ? `envelope ${c.envelope}`
                            : '—'}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        )}
      </Guard>
    </Section>
  );
}
