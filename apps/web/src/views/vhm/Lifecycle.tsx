import type { Vhm, VhmState } from '@xdv/core';
import { GuardedAction } from '../../components/GuardedAction';
import { Section } from '../../components/ui';
import type { Gate } from '../../lib/caps';
import type { GateFn } from './gate';

const LIFECYCLE: VhmState[] = ['requested', 'validated', 'active', 'paused', 'terminated', 'released'];

export function Lifecycle({ v, g }: { v: Vhm; g: GateFn }) {
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
