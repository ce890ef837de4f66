import { useQueryClient } from '@tanstack/react-query';
import type { Domain, Vhm } from '@xdv/core';
import { type ReactNode, useId, useState } from 'react';
import { useCalibrations, useProviders } from '../../api/data';
import { qk } from '../../api/keys';
import { GuardedAction } from '../../components/GuardedAction';
import { fmt } from '../../components/ui';
import { ALLOC_RIGHT } from '../../lib/caps';
import { estimate, MANUAL, relative } from '../../lib/clock';
import type { GateFn } from './gate';

/** Ticks between the current L and the default start of a Φ window: about 5 s of wall time. */
export function startMargin(tickMs: number | undefined): number {
  return tickMs && tickMs > 0 ? Math.max(1, Math.ceil(5000 / tickMs)) : 0;
}

export function AllocateContract({
  v,
  g,
  now,
  tickMs,
}: {
  v: Vhm;
  g: GateFn;
  now: number;
  tickMs: number | undefined;
}) {
  const qc = useQueryClient();
  const providers = useProviders();
  const cals = useCalibrations();
  const [domain, setDomain] = useState<Domain>('K');
  const [provider, setProvider] = useState('');
  const [k, setK] = useState({ base: 0, size: 4096, cpu: 1 });
  const [irqs, setIrqs] = useState('');
  // Self-service: the hypervisor places the range unless the base is pinned.
  const [pinBase, setPinBase] = useState(false);
  const [q, setQ] = useState({ qubits: 2, budget: 100 });
  const [cal, setCal] = useState('');
  // The window start follows the current L (plus a small margin) until the user types one, so a
  // form filled in a while after the page opened still asks for a window that is not already over.
  const [phiStart, setPhiStart] = useState<number | null>(null);
  const [phiRest, setPhiRest] = useState({ duration: 100, tolerance: 9000 });
  const phi = { start: phiStart ?? now + startMargin(tickMs), ...phiRest };
  const setPhi = ({ start, ...rest }: typeof phi) => {
    if (start !== phi.start) setPhiStart(start);
    setPhiRest(rest);
  };
  const cg = g(ALLOC_RIGHT[domain]);
  const anyGate = (['K', 'Q', 'PHI'] as const).map((d) => g(ALLOC_RIGHT[d]));
  const open = anyGate.find((x) => x.allowed) ?? anyGate[0]!;
  const ps = (providers.data ?? []).filter((p) => p.domain === domain && p.attestation === 'attested');
  const validCals = (cals.data ?? []).filter(
    (c) => c.provider === provider && c.from <= now && now < c.until,
  );
  return (
    <GuardedAction
      label="Allocate contract"
      tone="primary"
      gate={
        open.allowed || !open.reason?.startsWith('Missing right')
          ? open
          : {
              allowed: false,
              reason: 'Missing right BIND_K, ALLOC_Q or ALLOC_PHI: no valid capability allocates.',
            }
      }
      onOpen={() => {
        // A fresh L for the default window start (a tenant's stream does not carry the clock's ticks).
        setPhiStart(null);
        void qc.refetchQueries({ queryKey: qk.clock() });
      }}
      request={() => {
        if (!cg.allowed || !provider) return null;
        const body: Record<string, unknown> = { capability: cg.capability, domain, provider };
        if (domain === 'K')
          body.k = {
            ...(pinBase ? { base: k.base } : {}),
            size: k.size,
            cpu: k.cpu,
            irqs: irqs
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean)
              .map(Number),
          };
        if (domain === 'Q') {
          if (!cal) return null;
          body.q = { ...q, calibration: cal };
        }
        if (domain === 'PHI') body.phi = phi;
        return { method: 'POST', path: `/v1/vhms/${v.id}/contracts`, body };
      }}
      fields={
        <>
          <label>
            <span>Domain</span>
            <select
              value={domain}
              onChange={(e) => {
                setDomain(e.target.value as Domain);
                setProvider('');
              }}
            >
              <option value="K">K (classical)</option>
              <option value="Q">Q (quantum)</option>
              <option value="PHI">Φ (phase)</option>
            </select>
          </label>
          {!cg.allowed ? <p className="why">{cg.reason}</p> : null}
          <label>
            <span>Provider (attested)</span>
            <select value={provider} onChange={(e) => setProvider(e.target.value)} required>
              <option value="">choose…</option>
              {ps.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({p.id})
                </option>
              ))}
            </select>
          </label>
          {domain === 'K' ? (
            <>
              <label className="check">
                <input type="checkbox" checked={pinBase} onChange={(e) => setPinBase(e.target.checked)} />
                <span>Pin the memory base (otherwise the hypervisor places the range)</span>
              </label>
              {pinBase ? (
                <Num
                  label="Memory base (byte offset)"
                  value={k.base}
                  onChange={(base) => setK({ ...k, base })}
                />
              ) : null}
              <Num
                label="Memory size (bytes)"
                value={k.size}
                min={1}
                onChange={(size) => setK({ ...k, size })}
              />
              <Num label="CPU slices" value={k.cpu} onChange={(cpu) => setK({ ...k, cpu })} />
              <label>
                <span>IRQ vectors (comma-separated)</span>
                <input value={irqs} onChange={(e) => setIrqs(e.target.value)} pattern="[0-9, ]*" />
              </label>
            </>
          ) : domain === 'Q' ? (
            <>
              <Num
                label="Logical qubits"
                value={q.qubits}
                min={1}
                onChange={(qubits) => setQ({ ...q, qubits })}
              />
              <Num
                label="Decoherence budget (units)"
                value={q.budget}
                min={1}
                onChange={(budget) => setQ({ ...q, budget })}
              />
              <label>
                <span>Calibration contract (valid at L {fmt(now)})</span>
                <select value={cal} onChange={(e) => setCal(e.target.value)} required>
                  <option value="">choose…</option>
                  {validCals.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.id} [L {c.from}, {c.until}){validityLeft(c.until - now, tickMs)}
                    </option>
                  ))}
                </select>
              </label>
            </>
          ) : (
            <>
              <Num
                label="Window start (L)"
                value={phi.start}
                onChange={(start) => setPhi({ ...phi, start })}
                hint={
                  <>
                    {phiStart === null ? 'current L + margin; ' : ''}
                    {startHint(phi.start, phi.start + phi.duration, now, tickMs)}
                    {phiStart !== null ? (
                      <>
                        {' '}
                        <button type="button" className="link" onClick={() => setPhiStart(null)}>
                          start at the current L
                        </button>
                      </>
                    ) : null}
                  </>
                }
              />
              <Num
                label="Window duration (ticks)"
                value={phi.duration}
                min={1}
                onChange={(duration) => setPhi({ ...phi, duration })}
                hint={durationHint(phi.duration, tickMs)}
              />
              <Num
                label="Stability tolerance (basis points)"
                value={phi.tolerance}
                max={10000}
                onChange={(tolerance) => setPhi({ ...phi, tolerance })}
              />
            </>
          )}
        </>
      }
    />
  );
}

/** " · ≈ 3 min left" after a calibration's validity in a picker (plain text: it is an <option>). */
export function validityLeft(left: number, tickMs: number | undefined): string {
  const e = estimate(left, tickMs);
  return e === null ? '' : e === MANUAL ? ` · ${MANUAL}` : ` · ${e} left`;
}

/** What a typed Φ window start means in wall-clock time, against the current L. */
export function startHint(start: number, end: number, now: number, tickMs: number | undefined): string {
  if (end <= now) return `this window is already over at L ${fmt(now)}`;
  const r = relative(start, now, tickMs);
  if (start > now) return `opens in ${fmt(start - now)} ticks${r ? ` (${r})` : ''}`;
  if (start === now) return 'opens now';
  return `opened ${fmt(now - start)} ticks ago${r ? ` (${r})` : ''}: the window is already partly over`;
}

/** "lasts ≈ 2 min" (or "manual clock") for a typed number of ticks. */
export function durationHint(ticks: number, tickMs: number | undefined): string | null {
  const e = estimate(ticks, tickMs);
  return e === null ? null : e === MANUAL ? MANUAL : `lasts ${e}`;
}

export function Num({
  label,
  value,
  onChange,
  min = 0,
  max,
  hint,
}: {
  label: string;
  value: number;
  onChange: (n: number) => void;
  min?: number;
  max?: number;
  /** A line under the field, e.g. the wall-clock estimate of a number of ticks typed into it. */
  hint?: ReactNode;
}) {
  const hintId = useId();
  const field = (
    <label>
      <span>{label}</span>
      <input
        type="number"
        value={value}
        min={min}
        {...(max !== undefined ? { max } : {})}
        step={1}
        aria-describedby={hint ? hintId : undefined}
        onChange={(e) => onChange(Math.max(min, Math.floor(Number(e.target.value) || 0)))}
      />
    </label>
  );
  if (!hint) return field;
  return (
    <div className="field">
      {field}
      <p id={hintId} className="est hint">
        {hint}
      </p>
    </div>
  );
}
