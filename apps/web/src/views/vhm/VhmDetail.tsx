import { createLazyRoute, getRouteApi } from '@tanstack/react-router';
import type { Vhm } from '@xdv/core';
import { ApiError } from '../../api/client';
import { useClock } from '../../api/clock';
import { useBindings, useCapabilities, useContracts, useMe, useVhm } from '../../api/data';
import { Later } from '../../components/Later';
import { AtL } from '../../components/time';
import { Empty, Guard, Loading, StateBadge } from '../../components/ui';
import { gate, writeBlock } from '../../lib/caps';
import { Link } from '../../lib/router';
import { Activity } from './Activity';
import { Bindings } from './Bindings';
import { Capabilities } from './Capabilities';
import { Contracts } from './Contracts';
import { FaultInjection } from './FaultInjection';
import type { GateFn } from './gate';
import { Ipc } from './Ipc';
import { Lifecycle } from './Lifecycle';
import { Migrations } from './Migrations';
import { Nested } from './Nested';
import { useNames } from './names';
import { Processes } from './Processes';
import { QuotaPanel } from './QuotaPanel';
import { Snapshots } from './Snapshots';

export default function VhmDetail({ id }: { id: string }) {
  const src = useVhm(id);
  // A foreign id answers exactly like a nonexistent one (404): both are "no such VHM" here.
  if (src.error instanceof ApiError && src.error.status === 404)
    return (
      <div className="page">
        <NoSuchVhm id={id} notLive={src.notLive} />
      </div>
    );
  return (
    <div className="page">
      <Guard src={src} what={`Loading ${id}`}>
        {(v) => (v ? <Detail v={v} notLive={src.notLive} /> : <NoSuchVhm id={id} notLive={src.notLive} />)}
      </Guard>
    </div>
  );
}

/** An id that is not (or not yet, at this L) a VHM of the viewer: said plainly, with a way back. */
function NoSuchVhm({ id, notLive }: { id: string; notLive: boolean }) {
  return (
    <>
      <h1>No VHM {id}</h1>
      <Empty>
        {notLive ? `VHM ${id} did not exist at this L.` : `There is no VHM ${id} that this token can see.`}{' '}
        <Link to="/vhms">Back to the VHM list</Link>
      </Empty>
    </>
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
  const names = useNames();
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
            tenant {names.tenant(v.tenant)} · host{' '}
            {v.host ? (
              <Link to="/providers/$id" params={{ id: v.host }}>
                {names.provider(v.host)}
              </Link>
            ) : (
              'none'
            )}{' '}
            · depth {v.depth} · created at <AtL l={v.createdL} now={clock.now} tickMs={tickMs} /> ·{' '}
            {v.faultCount} domain faults
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
        {/* Below the fold on a phone: mounted after the panels above have painted. */}
        <Later>
          <Contracts v={v} g={g} now={now} tickMs={tickMs} operator={operator} />
          <Bindings v={v} g={g} now={now} tickMs={tickMs} />
          <Nested v={v} g={g} />
          <Processes v={v} g={g} />
          <Snapshots v={v} g={g} />
          <Migrations v={v} g={g} />
          <Ipc v={v} g={g} />
          <Activity vhm={v.id} tenantName={names.tenant} />
          {operator ? <FaultInjection v={v} caps={caps.data ?? []} notLive={notLive} /> : null}
        </Later>
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
