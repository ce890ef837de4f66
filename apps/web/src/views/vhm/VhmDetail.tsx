import { createLazyRoute, getRouteApi } from '@tanstack/react-router';
import type { Vhm } from '@xdv/core';
import { useClock } from '../../api/clock';
import { useBindings, useCapabilities, useContracts, useMe, useVhm } from '../../api/data';
import { AtL } from '../../components/time';
import { Empty, Guard, Loading, StateBadge } from '../../components/ui';
import { gate, writeBlock } from '../../lib/caps';
import { Link } from '../../lib/router';
import { Bindings } from './Bindings';
import { Capabilities } from './Capabilities';
import { Contracts } from './Contracts';
import { FaultInjection } from './FaultInjection';
import type { GateFn } from './gate';
import { Ipc } from './Ipc';
import { Lifecycle } from './Lifecycle';
import { Migrations } from './Migrations';
import { Nested } from './Nested';
import { Processes } from './Processes';
import { QuotaPanel } from './QuotaPanel';
import { Snapshots } from './Snapshots';

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

const api = getRouteApi('/vhms/$id');
export const route = createLazyRoute('/vhms/$id')({
  component: function VhmPage() {
    const { id } = api.useParams();
    // Keyed by id: another VHM's page starts with fresh dialogs and forms.
    return <VhmDetail key={id} id={id} />;
  },
});
