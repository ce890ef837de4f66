import type { Binding, Contract, Vhm } from '@xdv/core';
import { useState } from 'react';
import { useBindings, useCalibrations, useContracts, useSeries } from '../../api/data';
import { BindingMachine, BudgetView, envelopeEnded, WindowView } from '../../components/domain';
import { GuardedAction } from '../../components/GuardedAction';
import { Badge, DomainTag, Empty, Guard, Section } from '../../components/ui';
import { calibrationStatus } from '../../lib/calibration';
import { ALLOC_RIGHT } from '../../lib/caps';
import { Num } from './AllocateContract';
import type { GateFn } from './gate';
import { History } from './History';

export function Bindings({
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
  const src = useBindings(v.id);
  const contracts = useContracts(v.id);
  const cById = new Map((contracts.data ?? []).map((c) => [c.id, c]));
  return (
    <Section title="Domain bindings, Q containers and Φ envelopes" id="bindings">
      <Guard
        src={src}
        empty={(b) => (b.length ? null : 'No bindings. Allocate and activate a contract, then bind it.')}
      >
        {(all) => {
          const bs = all.filter((b) => b.state !== 'released');
          const ended = all.filter((b) => b.state === 'released');
          const list = (items: typeof all) => (
            <ul className="bindings">
              {items.map((b) => (
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
          );
          return (
            <>
              {bs.length === 0 ? <Empty>No live bindings.</Empty> : list(bs)}
              <History count={ended.length} what="bindings">
                {/* Newest first; each keeps its full record (state machine, budget, window) when opened. */}
                {list([...ended].reverse())}
              </History>
            </>
          );
        }}
      </Guard>
    </Section>
  );
}

export function BindingItem({
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
  const cals = useCalibrations();
  const cs = calibrationStatus(
    cals.data?.find((x) => x.id === c?.q?.calibration),
    c?.q?.calibration ?? '',
    now,
  );
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
          <p className={`small ${cs.valid ? 'muted' : 'text-bad'}`}>Calibration: {cs.text}</p>
          {b.state === 'active' ? (
            <GuardedAction
              small
              label="Run Q job"
              gate={
                xq.allowed && !cs.valid
                  ? { allowed: false, reason: cs.reason }
                  : { allowed: xq.allowed, reason: xq.reason }
              }
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

export function EnvelopeWindow({
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
