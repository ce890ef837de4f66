import { requireRunning, useCapability, writableVhm } from '../engine/access.js';
import { type Ctx, emit, nextId } from '../engine/context.js';
import { text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';

const IPC_RIGHTS = ['MSG', 'PHI_SHARE'] as const;

/** An IPC contract between two named VHMs: the only sanctioned exception to isolation. Both sides consent with an IPC capability. */
export function openIpc(ctx: Ctx, cmd: CommandOf<'ipc.open'>): void {
  const a = writableVhm(ctx, text('a', cmd.a, 64));
  const b = writableVhm(ctx, text('b', cmd.b, 64));
  if (a.id === b.id) reject('HV_IPC_INVALID', { reason: 'same_vhm', vhm: a.id });
  requireRunning(a);
  requireRunning(b);
  const ca = useCapability(ctx, a, text('capabilityA', cmd.capabilityA, 64), 'IPC');
  const cb = useCapability(ctx, b, text('capabilityB', cmd.capabilityB, 64), 'IPC');
  if (
    !Array.isArray(cmd.rights) ||
    cmd.rights.length === 0 ||
    cmd.rights.some((r) => !IPC_RIGHTS.includes(r))
  )
    reject('HV_INVALID_COMMAND', { allowed: [...IPC_RIGHTS], field: 'rights', reason: 'non_empty_subset' });
  const rights = IPC_RIGHTS.filter((r) => cmd.rights.includes(r));
  const id = nextId(ctx, 'ipc');
  ctx.state.ipcs[id] = { a: a.id, b: b.id, id, open: true, openedL: ctx.state.l, rights };
  emit(ctx, {
    capability: ca.id,
    payload: { a: a.id, b: b.id, capabilityB: cb.id, ipc: id, rights, tenantB: b.tenant },
    tenant: a.tenant,
    type: 'ipc.opened',
    vhm: a.id,
  });
}

export function closeIpc(ctx: Ctx, cmd: CommandOf<'ipc.close'>): void {
  const id = text('ipc', cmd.ipc, 64);
  const ipc = ctx.state.ipcs[id];
  if (!ipc) reject('HV_NOT_FOUND', { id, kind: 'ipc' });
  // Either side's tenant may close it; the other side stays invisible to a tenant, and an IPC
  // contract between two other tenants' VHMs answers exactly like one that never existed.
  const a = ctx.actor;
  if (
    a.kind === 'tenant' &&
    ctx.state.vhms[ipc.a]?.tenant !== a.tenant &&
    ctx.state.vhms[ipc.b]?.tenant !== a.tenant
  )
    reject('HV_NOT_FOUND', { id, kind: 'ipc' });
  const mine = a.kind === 'tenant' && ctx.state.vhms[ipc.a]?.tenant !== a.tenant ? ipc.b : ipc.a;
  const side = writableVhm(ctx, mine);
  if (!ipc.open) reject('HV_LIFECYCLE_INVALID', { id, kind: 'ipc', reason: 'already', state: 'closed' });
  ipc.open = false;
  emit(ctx, {
    payload: { ipc: id, reason: 'closed by request' },
    tenant: side.tenant,
    type: 'ipc.closed',
    vhm: side.id,
  });
}
