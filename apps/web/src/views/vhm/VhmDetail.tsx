import { useQueryClient } from '@tanstack/react-query';
import { createLazyRoute, getRouteApi } from '@tanstack/react-router';
import {
  type Binding,
  type Capability,
  type Contract,
  type Domain,
  RIGHTS,
  type Right,
  type Vhm,
  type VhmState,
} from '@xdv/core';
import { type ReactNode, useId, useState } from 'react';
import { useClock } from '../../api/clock';
import {
  useBindings,
  useCalibrations,
  useCapabilities,
  useContracts,
  useIpc,
  useMe,
  useMigrations,
  useProcesses,
  useProviders,
  useSeries,
  useSnapshots,
  useVhm,
  useVhms,
} from '../../api/data';
import { qk } from '../../api/keys';
import { BindingMachine, BudgetView, envelopeEnded, WindowView } from '../../components/domain';
import { GuardedAction } from '../../components/GuardedAction';
import { AtL, Est } from '../../components/time';
import {
  Badge,
  bytes,
  DomainTag,
  Empty,
  fmt,
  Guard,
  Loading,
  Meter,
  Section,
  StateBadge,
} from '../../components/ui';
import { ALLOC_RIGHT, type Gate, gate, writeBlock } from '../../lib/caps';
import { estimate, MANUAL, relative } from '../../lib/clock';
import { Link, useNavigate } from '../../lib/router';
import { QuotaFields } from '../VhmTree';

type GateFn = (right: Right | null) => Gate;

export default function VhmDetail({ id }: { id: string }) {
  const src = useVhm(id);
  return (
    <div className="page">
      <Guard src={src} what={`Loading ${id}`}>
        {(v) =>
          v ? <Detail v={v} notLive={src.notLive} /> : <Empty>VHM {id} did not exist at this L.</Empty>
        }
      </Guard>
    </div>
  );
}

function Detail({ v, notLive }: { v: Vhm; notLive: boolean }) {
  const me = useMe();
  const caps = useCapabilities(v.id);
  const clock = useClock();
  const contracts = useContracts(v.id);
  const bindings = useBindings(v.id);
  const now = clock.now ?? 0;
  const tickMs = clock.tickMs;
  // The panels appear together once the capabilities, contracts and bindings are in, so panels do
  // not push each other down as their data arrive (layout shift), and no action flashes enabled.
  const ready = !caps.isPending && !contracts.isPending && !bindings.isPending;
  const g: GateFn = (right) => {
    const base = gate(me.data, v, caps.data, right, notLive);
    if (base.allowed && (v.state === 'terminated' || v.state === 'released') && right !== null)
      return { ...base, allowed: false, reason: `${v.id} is ${v.state}.` };
    return base;
  };
  const operator = me.data?.token.kind === 'operator';
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <Link to="/vhms">VHMs</Link>
            {v.parent ? (
              <>
                {' '}
                ›{' '}
                <Link to="/vhms/$id" params={{ id: v.parent }}>
                  {v.parent}
                </Link>
              </>
            ) : null}
          </p>
          <h1>
            {v.name} <span className="muted">{v.id}</span> <StateBadge state={v.state} />
          </h1>
          <p className="muted small">
            tenant {v.tenant} · depth {v.depth} · host {v.host ?? 'none'} · created at{' '}
            <AtL l={v.createdL} now={clock.now} tickMs={tickMs} /> · {v.faultCount} domain faults
          </p>
        </div>
      </div>
      {writeBlock(me.data, notLive) ? (
        <p className="state empty" role="note">
          Read-only: {writeBlock(me.data, notLive)}
        </p>
      ) : null}
      {ready ? null : <Loading what={`Loading ${v.name}`} />}
      <div className="grid" hidden={!ready}>
        <Lifecycle v={v} g={g} />
        <QuotaPanel v={v} />
        <Capabilities v={v} caps={caps.data} error={caps.error} g={g} />
        <Contracts v={v} g={g} now={now} tickMs={tickMs} operator={operator} />
        <Bindings v={v} g={g} now={now} tickMs={tickMs} />
        <Nested v={v} g={g} />
        <Processes v={v} g={g} />
        <Snapshots v={v} g={g} />
        <Migrations v={v} g={g} />
        <Ipc v={v} g={g} />
        {operator ? <FaultInjection v={v} caps={caps.data ?? []} notLive={notLive} /> : null}
      </div>
    </>
  );
}

const LIFECYCLE: VhmState[] = ['requested', 'validated', 'active', 'paused', 'terminated', 'released'];

function Lifecycle({ v, g }: { v: Vhm; g: GateFn }) {
  const act = (action: string) => ({ method: 'POST' as const, path: `/v1/vhms/${v.id}/${action}` });
  const base = g(null);
  const when = (states: VhmState[]): Gate =>
    base.allowed && !states.includes(v.state)
      ? { ...base, allowed: false, reason: `Needs ${states.join(' or ')}; ${v.id} is ${v.state}.` }
      : base;
  return (
    <Section title="Lifecycle">
      <ol className="machine" aria-label={`Lifecycle of ${v.id}, now ${v.state}`}>
        {LIFECYCLE.map((s) => (
          <li
            key={s}
            className={`step ${s === v.state ? 'current' : LIFECYCLE.indexOf(s) < LIFECYCLE.indexOf(v.state) ? 'done' : 'todo'}`}
            aria-current={s === v.state ? 'step' : undefined}
          >
            <span className="step-name">{s}</span>
          </li>
        ))}
      </ol>
      <div className="actions">
        {v.state === 'requested' ? (
          <GuardedAction label="Validate" gate={when(['requested'])} request={() => act('validate')} />
        ) : null}
        {v.state === 'validated' ? (
          <GuardedAction label="Activate" gate={when(['validated'])} request={() => act('activate')} />
        ) : null}
        {v.state === 'active' ? (
          <GuardedAction label="Pause" gate={when(['active'])} request={() => act('pause')} />
        ) : null}
        {v.state === 'paused' ? (
          <GuardedAction label="Resume" gate={when(['paused'])} request={() => act('resume')} />
        ) : null}
        {v.state !== 'terminated' && v.state !== 'released' ? (
          <GuardedAction
            label="Terminate"
            gate={base}
            confirmName={v.name}
            request={() => act('terminate')}
            title={`Terminate ${v.name}: nested VHMs, bindings, contracts, containers and envelopes are released`}
          />
        ) : null}
        {v.state === 'terminated' ? (
          <GuardedAction label="Release" gate={base} confirmName={v.name} request={() => act('release')} />
        ) : null}
      </div>
    </Section>
  );
}

function QuotaPanel({ v }: { v: Vhm }) {
  return (
    <Section title="Quota">
      <Meter
        label="Memory (bytes, own + nested)"
        used={v.used.memory + v.carved.memory}
        total={v.quota.memory}
      />
      <p className="muted small">
        {bytes(v.used.memory)} in own contracts, {bytes(v.carved.memory)} carved into nested VHMs
      </p>
      <Meter label="CPU slices" used={v.used.cpu + v.carved.cpu} total={v.quota.cpu} />
      <Meter label="Qubits" used={v.used.qubits + v.carved.qubits} total={v.quota.qubits} />
      <Meter label="Φ envelopes" used={v.used.envelopes + v.carved.envelopes} total={v.quota.envelopes} />
      <p className="muted small">
        {v.carved.vhms} nested VHMs carved out of this quota · scheduler weight {v.sched.weight}, queue quota{' '}
        {v.sched.maxQueued}, virtual time {v.sched.vtime}
      </p>
    </Section>
  );
}

function RightsPicker({
  value,
  onChange,
  allowed,
}: {
  value: Right[];
  onChange: (r: Right[]) => void;
  allowed: readonly Right[];
}) {
  return (
    <fieldset className="rights">
      <legend>Rights</legend>
      {allowed.map((r) => (
        <label key={r} className="check">
          <input
            type="checkbox"
            checked={value.includes(r)}
            onChange={(e) => onChange(e.target.checked ? [...value, r] : value.filter((x) => x !== r))}
          />
          <span>{r}</span>
        </label>
      ))}
    </fieldset>
  );
}

export function CapabilityTree({
  v,
  caps,
  g,
}: {
  v: Pick<Vhm, 'id' | 'name'>;
  caps: readonly Capability[];
  g: GateFn;
}) {
  const byId = new Map(caps.map((c) => [c.id, c]));
  const roots = caps.filter((c) => !c.parent || !byId.has(c.parent));
  const write = g(null);
  const clock = useClock();
  const node = (c: Capability) => (
    <li key={c.id} aria-label={`${c.id}${c.revoked ? ' (revoked)' : ''}`}>
      <div className={`cap ${c.revoked ? 'revoked' : ''}`}>
        <code>{c.id}</code> {c.revoked ? <Badge tone="bad">revoked</Badge> : <Badge tone="ok">valid</Badge>}{' '}
        <span className="small muted">
          issued <AtL l={c.issuedL} now={clock.now} tickMs={clock.tickMs} compact />
        </span>
        <span className="rights-list">
          {c.rights.map((r) => (
            <span key={r} className="right">
              {r}
            </span>
          ))}
        </span>
        {!c.revoked ? (
          <span className="cap-actions">
            <DeriveCap v={v} c={c} gate={write} />
            <GuardedAction
              small
              label={`Revoke ${c.id}`}
              gate={write}
              confirmName={v.name}
              title={`Revoke ${c.id} and everything derived from it`}
              request={() => ({ method: 'POST', path: `/v1/vhms/${v.id}/capabilities/${c.id}/revoke` })}
            />
          </span>
        ) : null}
      </div>
      {c.children.length > 0 ? (
        <ul>
          {c.children
            .map((k) => byId.get(k))
            .filter((k) => k !== undefined)
            .map(node)}
        </ul>
      ) : null}
    </li>
  );
  return (
    <ul className="captree" aria-label="Capability derivation tree">
      {roots.map(node)}
    </ul>
  );
}

function DeriveCap({ v, c, gate: gt }: { v: Pick<Vhm, 'id'>; c: Capability; gate: Gate }) {
  const [rights, setRights] = useState<Right[]>([]);
  return (
    <GuardedAction
      small
      label={`Derive from ${c.id}`}
      gate={gt}
      onOpen={() => setRights([])}
      request={() =>
        rights.length
          ? { method: 'POST', path: `/v1/vhms/${v.id}/capabilities/${c.id}/derive`, body: { rights } }
          : null
      }
      fields={
        <>
          <p className="muted small">
            A derived capability holds a subset of {c.id}'s rights; revoking {c.id} revokes it too.
          </p>
          <RightsPicker value={rights} onChange={setRights} allowed={c.rights} />
        </>
      }
    />
  );
}

function Capabilities({
  v,
  caps,
  error,
  g,
}: {
  v: Vhm;
  caps: Capability[] | undefined;
  error: unknown;
  g: GateFn;
}) {
  const [rights, setRights] = useState<Right[]>([]);
  return (
    <Section
      title="Capabilities"
      actions={
        <GuardedAction
          small
          label="Issue root capability"
          gate={g(null)}
          onOpen={() => setRights([])}
          request={() =>
            rights.length ? { method: 'POST', path: `/v1/vhms/${v.id}/capabilities`, body: { rights } } : null
          }
          fields={<RightsPicker value={rights} onChange={setRights} allowed={RIGHTS} />}
        />
      }
    >
      <p className="muted small">
        Each VHM has its own capability root: a parent's capability is never valid here. Actions below use the
        least-privileged valid capability that holds the right they need.
      </p>
      <Guard
        src={{ data: caps, error, isPending: caps === undefined && !error }}
        empty={(c) => (c.length ? null : 'No capabilities.')}
      >
        {(c) => <CapabilityTree v={v} caps={c} g={g} />}
      </Guard>
    </Section>
  );
}

function resources(c: Contract): string {
  if (c.k)
    return `${bytes(c.k.size)} at ${c.k.base}, ${c.k.cpu} CPU${c.k.irqs.length ? `, IRQ ${c.k.irqs.join(',')}` : ''}`;
  if (c.q) return `${c.q.qubits} qubits, budget ${fmt(c.q.budget)}, calibration ${c.q.calibration}`;
  if (c.phi)
    return `window [${c.phi.start}, ${c.phi.start + c.phi.duration}), tolerance ${(c.phi.tolerance / 100).toFixed(2)}%`;
  return '';
}

function Contracts({
  v,
  g,
  now,
  tickMs,
  operator,
}: {
  v: Vhm;
  g: GateFn;
  now: number;
  tickMs: number | undefined;
  operator: boolean;
}) {
  const src = useContracts(v.id);
  return (
    <Section
      title="Resource contracts"
      wide
      actions={<AllocateContract v={v} g={g} now={now} tickMs={tickMs} />}
    >
      <Guard src={src} empty={(c) => (c.length ? null : 'No contracts.')}>
        {(cs) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Contract</th>
                <th scope="col">Domain</th>
                <th scope="col">Provider</th>
                <th scope="col">Status</th>
                <th scope="col">Resources</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {cs.map((c) => {
                const cg = g(ALLOC_RIGHT[c.domain]);
                const body = { capability: cg.capability };
                return (
                  <tr key={c.id}>
                    <td>
                      <code>{c.id}</code>
                      <div className="small muted">
                        <AtL l={c.issuedL} now={now} tickMs={tickMs} compact />
                        {c.endedL !== null ? (
                          <>
                            –<AtL l={c.endedL} now={now} tickMs={tickMs} compact bare />
                          </>
                        ) : null}
                      </div>
                    </td>
                    <td>
                      <DomainTag domain={c.domain} />
                    </td>
                    <td>
                      <Link to="/providers/$id" params={{ id: c.provider }}>
                        {c.provider}
                      </Link>
                    </td>
                    <td>
                      <StateBadge state={c.status} />
                      {c.reason ? <div className="small text-bad">{c.reason}</div> : null}
                    </td>
                    <td className="small">
                      {resources(c)}
                      {c.phi ? <Est text={estimate(c.phi.duration, tickMs)} /> : null}
                    </td>
                    <td className="actions">
                      {c.status === 'issued' ? (
                        <GuardedAction
                          small
                          label="Activate"
                          gate={cg}
                          request={() => ({ method: 'POST', path: `/v1/contracts/${c.id}/activate`, body })}
                        />
                      ) : null}
                      {c.status === 'active' && !c.binding ? (
                        <GuardedAction
                          small
                          label="Bind"
                          gate={cg}
                          title={`Request a ${c.domain} binding for ${c.id}`}
                          request={() => ({
                            method: 'POST',
                            path: `/v1/vhms/${v.id}/bindings`,
                            body: { capability: cg.capability, contract: c.id },
                          })}
                        />
                      ) : null}
                      {c.status === 'issued' || c.status === 'active' ? (
                        <GuardedAction
                          small
                          label="Release"
                          gate={cg}
                          confirmName={v.name}
                          title={`Release ${c.id}`}
                          request={() => ({ method: 'POST', path: `/v1/contracts/${c.id}/release`, body })}
                        />
                      ) : null}
                      {operator && (c.status === 'issued' || c.status === 'active') ? (
                        <GuardedAction
                          small
                          label="Revoke"
                          gate={g(null)}
                          confirmName={v.name}
                          title={`Revoke ${c.id} (operator): its binding is released and a fault recorded`}
                          request={() => ({
                            method: 'POST',
                            path: `/v1/contracts/${c.id}/revoke`,
                            body: { reason: 'revoked by operator from the console' },
                          })}
                        />
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Guard>
    </Section>
  );
}

/** Ticks between the current L and the default start of a Φ window: about 5 s of wall time. */
export function startMargin(tickMs: number | undefined): number {
  return tickMs && tickMs > 0 ? Math.max(1, Math.ceil(5000 / tickMs)) : 0;
}

function AllocateContract({
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

function Num({
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

function Bindings({ v, g, now, tickMs }: { v: Vhm; g: GateFn; now: number; tickMs: number | undefined }) {
  const src = useBindings(v.id);
  const contracts = useContracts(v.id);
  const cById = new Map((contracts.data ?? []).map((c) => [c.id, c]));
  return (
    <Section title="Domain bindings, Q containers and Φ envelopes" id="bindings">
      <Guard
        src={src}
        empty={(b) => (b.length ? null : 'No bindings. Allocate and activate a contract, then bind it.')}
      >
        {(bs) => (
          <ul className="bindings">
            {bs.map((b) => (
              <BindingItem
                key={b.id}
                b={b}
                c={cById.get(b.contract)}
                g={g}
                now={now}
                tickMs={tickMs}
                vhm={v}
              />
            ))}
          </ul>
        )}
      </Guard>
    </Section>
  );
}

function BindingItem({
  b,
  c,
  g,
  now,
  tickMs,
  vhm,
}: {
  b: Binding;
  c: Contract | undefined;
  g: GateFn;
  now: number;
  tickMs: number | undefined;
  vhm: Vhm;
}) {
  const bg = g(ALLOC_RIGHT[b.domain]);
  const body = { capability: bg.capability };
  const [cost, setCost] = useState(1);
  const [transform, setTransform] = useState('rotate');
  const xq = g('EXECUTE_Q');
  const xp = g('EXECUTE_PHI');
  return (
    <li className="binding">
      <h3>
        <DomainTag domain={b.domain} /> <code>{b.id}</code>{' '}
        <span className="muted small">contract {b.contract}</span>
      </h3>
      <BindingMachine binding={b} now={now} tickMs={tickMs} />
      <div className="actions">
        {b.state === 'requested' ? (
          <GuardedAction
            small
            label="Validate"
            gate={bg}
            request={() => ({ method: 'POST', path: `/v1/bindings/${b.id}/validate`, body })}
          />
        ) : null}
        {b.state === 'validated' ? (
          <GuardedAction
            small
            label="Activate"
            gate={bg}
            request={() => ({ method: 'POST', path: `/v1/bindings/${b.id}/activate`, body })}
          />
        ) : null}
        {b.state !== 'released' ? (
          <GuardedAction
            small
            label="Release"
            gate={bg}
            confirmName={vhm.name}
            title={`Release binding ${b.id}`}
            request={() => ({ method: 'POST', path: `/v1/bindings/${b.id}/release`, body })}
          />
        ) : null}
      </div>
      {b.domain === 'Q' && c?.q ? (
        <div className="sub">
          <p className="small">
            Q container {b.container ? <code>{b.container}</code> : <span className="muted">none yet</span>} ·{' '}
            {c.q.qubits} logical qubits on {c.provider} ·{' '}
            {b.state === 'active' ? <Badge tone="ok">live</Badge> : <Badge tone="muted">not live</Badge>}{' '}
            <span className="muted">(handle only: no raw Q state exists in the console)</span>
          </p>
          <BudgetView label={`Decoherence budget of ${c.id}`} budget={c.q.budget} consumed={c.consumed} />
          {b.state === 'active' ? (
            <GuardedAction
              small
              label="Run Q job"
              gate={{ allowed: xq.allowed, reason: xq.reason }}
              request={() => ({
                method: 'POST',
                path: `/v1/bindings/${b.id}/jobs`,
                body: { capability: xq.capability, cost },
              })}
              fields={<Num label="Cost (budget units)" value={cost} min={1} onChange={setCost} />}
            />
          ) : null}
        </div>
      ) : null}
      {b.domain === 'PHI' && c?.phi ? (
        <div className="sub">
          <p className="small">
            Φ envelope {b.envelope ? <code>{b.envelope}</code> : <span className="muted">none yet</span>} on{' '}
            {c.provider} <span className="muted">(structured metadata only)</span>
          </p>
          <EnvelopeWindow b={b} c={c} now={now} tickMs={tickMs} />
          {b.state === 'active' ? (
            <GuardedAction
              small
              label="Apply Φ transform"
              gate={{ allowed: xp.allowed, reason: xp.reason }}
              request={() => ({
                method: 'POST',
                path: `/v1/bindings/${b.id}/transforms`,
                body: { capability: xp.capability, transform },
              })}
              fields={
                <label>
                  <span>Transform</span>
                  <input
                    value={transform}
                    onChange={(e) => setTransform(e.target.value)}
                    required
                    maxLength={32}
                  />
                </label>
              }
            />
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

function EnvelopeWindow({
  b,
  c,
  now,
  tickMs,
}: {
  b: Binding;
  c: Contract;
  now: number;
  tickMs: number | undefined;
}) {
  const series = useSeries(b.envelope ? c.provider : null);
  const samples =
    series.data?.series.find((s) => s.subject === b.envelope && s.metric === 'stability')?.samples ?? [];
  const last = [...samples].reverse().find((s) => s.l <= now);
  return (
    <WindowView
      label={b.envelope ?? c.id}
      start={c.phi!.start}
      end={c.phi!.start + c.phi!.duration}
      now={now}
      stability={last?.v ?? null}
      tolerance={c.phi!.tolerance}
      ended={envelopeEnded(b, c)}
      tickMs={tickMs}
    />
  );
}

function Nested({ v, g }: { v: Vhm; g: GateFn }) {
  const navigate = useNavigate();
  const all = useVhms();
  const kids = (all.data ?? []).filter((x) => x.parent === v.id);
  const sg = g('SPAWN_NESTED');
  const [name, setName] = useState('');
  const [quota, setQuota] = useState({ memory: 4096, cpu: 1, qubits: 0, envelopes: 0, vhms: 0 });
  return (
    <Section
      title="Nested VHMs"
      actions={
        <GuardedAction
          small
          label="Create nested VHM"
          gate={sg}
          onDone={(m) => m.created.vhm && void navigate({ to: '/vhms/$id', params: { id: m.created.vhm } })}
          request={() =>
            name.trim()
              ? {
                  method: 'POST',
                  path: '/v1/vhms',
                  body: { name: name.trim(), quota, parent: v.id, capability: sg.capability },
                }
              : null
          }
          fields={
            <>
              <p className="muted small">
                Carved out of {v.id}'s quota; the child gets its own capability root.
              </p>
              <label>
                <span>Name</span>
                <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
              </label>
              <QuotaFields value={quota} onChange={setQuota} />
            </>
          }
        />
      }
    >
      <Guard src={all} empty={() => (kids.length ? null : 'No nested VHMs.')}>
        {() => (
          <ul className="plain">
            {kids.map((k) => (
              <li key={k.id}>
                <Link to="/vhms/$id" params={{ id: k.id }}>
                  {k.name}
                </Link>{' '}
                <span className="muted small">{k.id}</span> <StateBadge state={k.state} />
              </li>
            ))}
          </ul>
        )}
      </Guard>
    </Section>
  );
}

function Processes({ v, g }: { v: Vhm; g: GateFn }) {
  const src = useProcesses(v.id);
  const pg = g('PROCESS');
  const clock = useClock();
  const [name, setName] = useState('');
  return (
    <Section
      title="Processes"
      actions={
        <GuardedAction
          small
          label="Spawn process"
          gate={pg}
          request={() =>
            name.trim()
              ? {
                  method: 'POST',
                  path: `/v1/vhms/${v.id}/processes`,
                  body: { capability: pg.capability, name: name.trim() },
                }
              : null
          }
          fields={
            <label>
              <span>Process name</span>
              <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
            </label>
          }
        />
      }
    >
      <Guard src={src} empty={(p) => (p.length ? null : 'No processes.')}>
        {(ps) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Process</th>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {ps.map((p) => (
                <tr key={p.id}>
                  <td>
                    <code>{p.id}</code>
                  </td>
                  <td>{p.name}</td>
                  <td>
                    <StateBadge state={p.state} />
                  </td>
                  <td className="num">
                    <AtL l={p.createdL} now={clock.now} tickMs={clock.tickMs} compact />
                  </td>
                  <td>
                    {p.state === 'running' ? (
                      <GuardedAction
                        small
                        label="Exit"
                        gate={pg}
                        request={() => ({
                          method: 'POST',
                          path: `/v1/vhms/${v.id}/processes/${p.id}/exit`,
                          body: { capability: pg.capability },
                        })}
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Guard>
    </Section>
  );
}

function Snapshots({ v, g }: { v: Vhm; g: GateFn }) {
  const src = useSnapshots(v.id);
  const sg = g('SNAPSHOT');
  const clock = useClock();
  return (
    <Section
      title="Snapshots (K only)"
      actions={
        <GuardedAction
          small
          label="Take snapshot"
          gate={sg}
          request={() => ({
            method: 'POST',
            path: `/v1/vhms/${v.id}/snapshots`,
            body: { capability: sg.capability, include: ['K'] },
          })}
        />
      }
    >
      <p className="muted small">
        Snapshots hold contract metadata and K state only, never Q container or Φ envelope internals.
      </p>
      <Guard src={src} empty={(s) => (s.length ? null : 'No snapshots.')}>
        {(ss) => (
          <ul className="plain">
            {ss.map((s) => (
              <li key={s.id}>
                <code>{s.id}</code> at <AtL l={s.takenL} now={clock.now} tickMs={clock.tickMs} />:{' '}
                {s.content.contracts.length} contracts, {s.content.k.length} K ranges,{' '}
                {s.content.processes.length} processes
              </li>
            ))}
          </ul>
        )}
      </Guard>
    </Section>
  );
}

function Migrations({ v, g }: { v: Vhm; g: GateFn }) {
  const src = useMigrations();
  const providers = useProviders();
  const mg = g('MIGRATE');
  const clock = useClock();
  const [target, setTarget] = useState('');
  const [qPolicy, setQPolicy] = useState<'reinit' | 'live'>('reinit');
  const hosts = (providers.data ?? []).filter(
    (p) => p.domain === 'K' && p.attestation === 'attested' && p.id !== v.host,
  );
  return (
    <Section
      title="Migrations"
      actions={
        <GuardedAction
          small
          label="Migrate"
          gate={mg}
          request={() =>
            target
              ? {
                  method: 'POST',
                  path: `/v1/vhms/${v.id}/migrations`,
                  body: { capability: mg.capability, target, qPolicy },
                }
              : null
          }
          fields={
            <>
              <label>
                <span>Target K host</span>
                <select value={target} onChange={(e) => setTarget(e.target.value)} required>
                  <option value="">choose…</option>
                  {hosts.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} ({p.id})
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span>Q policy</span>
                <select value={qPolicy} onChange={(e) => setQPolicy(e.target.value as 'reinit' | 'live')}>
                  <option value="reinit">reinitialise Q (default)</option>
                  <option value="live">live transfer (hardware support needed)</option>
                </select>
              </label>
              <p className="muted small">Φ envelopes are terminated and reinitialised on migration.</p>
            </>
          }
        />
      }
    >
      <Guard src={src} empty={(m) => (m.some((x) => x.vhm === v.id) ? null : 'No migrations.')}>
        {(ms) => (
          <ul className="plain">
            {ms
              .filter((m) => m.vhm === v.id)
              .map((m) => (
                <li key={m.id}>
                  <code>{m.id}</code> at <AtL l={m.l} now={clock.now} tickMs={clock.tickMs} />:{' '}
                  {m.from ?? '—'} → {m.to}, Q {m.qPolicy}; reinitialised{' '}
                  {m.reinitialised.join(', ') || 'none'}; transferred {m.transferred.join(', ') || 'none'}
                </li>
              ))}
          </ul>
        )}
      </Guard>
    </Section>
  );
}

function Ipc({ v, g }: { v: Vhm; g: GateFn }) {
  const src = useIpc();
  const vhms = useVhms();
  const me = useMe();
  const ig = g('IPC');
  const [peer, setPeer] = useState('');
  const [rights, setRights] = useState<Array<'MSG' | 'PHI_SHARE'>>(['MSG']);
  const peerCaps = useCapabilities(peer || undefined);
  const peerVhm = (vhms.data ?? []).find((x) => x.id === peer);
  const pg = gate(me.data, peerVhm, peerCaps.data, 'IPC');
  const close = g(null);
  const clock = useClock();
  return (
    <Section
      title="IPC contracts"
      actions={
        <GuardedAction
          small
          label="Open IPC"
          gate={ig}
          onOpen={() => setPeer('')}
          request={() =>
            peer && pg.allowed && rights.length
              ? {
                  method: 'POST',
                  path: '/v1/ipc',
                  body: { a: v.id, capabilityA: ig.capability, b: peer, capabilityB: pg.capability, rights },
                }
              : null
          }
          fields={
            <>
              <label>
                <span>Peer VHM</span>
                <select value={peer} onChange={(e) => setPeer(e.target.value)} required>
                  <option value="">choose…</option>
                  {(vhms.data ?? [])
                    .filter((x) => x.id !== v.id && x.state === 'active')
                    .map((x) => (
                      <option key={x.id} value={x.id}>
                        {x.name} ({x.id})
                      </option>
                    ))}
                </select>
              </label>
              {peer && !pg.allowed ? <p className="why">{pg.reason}</p> : null}
              <fieldset className="rights">
                <legend>IPC rights</legend>
                {(['MSG', 'PHI_SHARE'] as const).map((r) => (
                  <label key={r} className="check">
                    <input
                      type="checkbox"
                      checked={rights.includes(r)}
                      onChange={(e) =>
                        setRights(e.target.checked ? [...rights, r] : rights.filter((x) => x !== r))
                      }
                    />
                    <span>{r}</span>
                  </label>
                ))}
              </fieldset>
            </>
          }
        />
      }
    >
      <Guard
        src={src}
        empty={(m) => (m.some((x) => x.a === v.id || x.b === v.id) ? null : 'No IPC contracts.')}
      >
        {(is) => (
          <ul className="plain">
            {is
              .filter((i) => i.a === v.id || i.b === v.id)
              .map((i) => (
                <li key={i.id}>
                  <code>{i.id}</code> {i.a} ⇄ {i.b} [{i.rights.join(', ')}] opened{' '}
                  <AtL l={i.openedL} now={clock.now} tickMs={clock.tickMs} />{' '}
                  {i.open ? <Badge tone="ok">open</Badge> : <Badge tone="muted">closed</Badge>}{' '}
                  {i.open ? (
                    <GuardedAction
                      small
                      label={`Close ${i.id}`}
                      gate={close}
                      request={() => ({ method: 'POST', path: `/v1/ipc/${i.id}/close` })}
                    />
                  ) : null}
                </li>
              ))}
          </ul>
        )}
      </Guard>
    </Section>
  );
}

function FaultInjection({ v, caps, notLive }: { v: Vhm; caps: Capability[]; notLive: boolean }) {
  const contracts = useContracts(v.id);
  const bindings = useBindings(v.id);
  const [kind, setKind] = useState<
    'decoherence_spike' | 'instability' | 'capability_revocation' | 'contract_invalidation'
  >('decoherence_spike');
  const [target, setTarget] = useState('');
  const [amount, setAmount] = useState(10);
  const live = (contracts.data ?? []).filter((c) => c.status === 'issued' || c.status === 'active');
  const targets: string[] =
    kind === 'decoherence_spike'
      ? live.filter((c) => c.domain === 'Q').map((c) => c.id)
      : kind === 'contract_invalidation'
        ? live.map((c) => c.id)
        : kind === 'instability'
          ? (bindings.data ?? []).flatMap((b) => (b.envelope && b.state === 'active' ? [b.envelope] : []))
          : caps.filter((c) => !c.revoked).map((c) => c.id);
  return (
    <Section title="Fault injection (operator)">
      <p className="muted small">
        Injected faults are commands like any other: validated by the core and logged in the trace.
      </p>
      <GuardedAction
        label="Inject fault"
        gate={
          notLive
            ? { allowed: false, reason: 'Replay shows the past: return to live to act.' }
            : { allowed: true, reason: null }
        }
        confirmName={v.name}
        onOpen={() => setTarget('')}
        request={() =>
          target ? { method: 'POST', path: '/v1/faults/inject', body: { kind, target, amount } } : null
        }
        fields={
          <>
            <label>
              <span>Kind</span>
              <select
                value={kind}
                onChange={(e) => {
                  setKind(e.target.value as typeof kind);
                  setTarget('');
                }}
              >
                <option value="decoherence_spike">decoherence spike (Q contract)</option>
                <option value="instability">instability (Φ envelope)</option>
                <option value="capability_revocation">capability revocation</option>
                <option value="contract_invalidation">contract invalidation</option>
              </select>
            </label>
            <label>
              <span>Target</span>
              <select value={target} onChange={(e) => setTarget(e.target.value)} required>
                <option value="">choose…</option>
                {targets.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            </label>
            <Num label="Amount" value={amount} onChange={setAmount} />
          </>
        }
      />
    </Section>
  );
}

const api = getRouteApi('/vhms/$id');
export const route = createLazyRoute('/vhms/$id')({
  component: function VhmPage() {
    const { id } = api.useParams();
    // Keyed by id: another VHM's page starts with fresh dialogs and forms.
    return <VhmDetail key={id} id={id} />;
  },
});
