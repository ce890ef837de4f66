/** A quota's fields, one whole-number input per resource (VHM creation, nesting, tenant quotas). */
export function QuotaFields<Q extends { [K in keyof Q]: number }>({
  value,
  onChange,
}: {
  value: Q;
  onChange: (q: Q) => void;
}) {
  const labels: Record<string, string> = {
    vhms: 'Nested VHMs',
    memory: 'Memory (bytes)',
    cpu: 'CPU slices',
    qubits: 'Qubits',
    envelopes: 'Φ envelopes',
  };
  return (
    <fieldset className="quota">
      <legend>Quota</legend>
      {(Object.keys(value) as Array<keyof Q & string>).map((k) => (
        <label key={k}>
          <span>{labels[k] ?? k}</span>
          <input
            type="number"
            min={0}
            step={1}
            value={value[k]}
            onChange={(e) =>
              onChange({ ...value, [k]: Math.max(0, Math.floor(Number(e.target.value) || 0)) })
            }
          />
        </label>
      ))}
    </fieldset>
  );
}
