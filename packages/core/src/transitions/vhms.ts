import { getTenant, requireRunning, requireWrite, useCapability, writableVhm } from '../engine/access.js';
import { byId, type Ctx, emit, nextId, sortedIds } from '../engine/context.js';
import { int, quota, text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';
import { addQuota, quotaShortfall } from '../model/quota.js';
import { RIGHTS, type Vhm, type VhmState, zeroQuota } from '../model/state.js';
import type { EntryDraftOf } from '../trace/entry.js';
import { endContract, pauseDescendants, releaseBinding, revokeCapability } from './resources.js';

/** The lifecycle graph of XDV-083 §3: requested → validated → active ⇄ paused → terminated → released. */
const NEXT: Record<string, { from: VhmState[]; to: VhmState }> = {
  'vhm.validate': { from: ['requested'], to: 'validated' },
  'vhm.activate': { from: ['validated'], to: 'active' },
  'vhm.pause': { from: ['active'], to: 'paused' },
  'vhm.resume': { from: ['paused'], to: 'active' },
};

export function createVhm(ctx: Ctx, cmd: CommandOf<'vhm.create'>): void {
  const s = ctx.state;
  const name = text('name', cmd.name, 64);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
    reject('HV_INVALID_COMMAND', { field: 'name', reason: 'name_format' });
  const q = quota(cmd.quota);
  q.vhms = 0;
  const request = { ...q, vhms: 1 };
  let parent: Vhm | null = null;
  let tenantId: string;
  if (cmd.parent !== null && cmd.parent !== undefined) {
    parent = writableVhm(ctx, text('parent', cmd.parent, 64));
    tenantId = parent.tenant;
    if (cmd.tenant !== undefined && cmd.tenant !== null && cmd.tenant !== tenantId)
      reject('HV_INVALID_COMMAND', { field: 'tenant', reason: 'parent_tenant' });
    requireRunning(parent);
    useCapability(ctx, parent, text('capability', cmd.capability, 64), 'SPAWN_NESTED');
    if (parent.depth + 1 > s.config.maxDepth)
      reject('HV_DEPTH_EXCEEDED', { depth: parent.depth, max: s.config.maxDepth, parent: parent.id });
    // Carved from what the parent has not yet used or carved.
    const free = { ...parent.quota };
    addQuota(free, parent.used, -1);
    const over = quotaShortfall({ ...free, vhms: Number.MAX_SAFE_INTEGER }, parent.carved, request);
    if (over)
      reject('HV_QUOTA_EXCEEDED', {
        available: over.available,
        id: parent.id,
        requested: over.requested,
        resource: over.resource,
        scope: 'parent',
      });
  } else {
    const t = getTenant(ctx, text('tenant', cmd.tenant, 64));
    requireWrite(ctx, t.id);
    tenantId = t.id;
    const over = quotaShortfall(t.quota, t.carved, request);
    if (over)
      reject('HV_QUOTA_EXCEEDED', {
        available: over.available,
        id: t.id,
        requested: over.requested,
        resource: over.resource,
        scope: 'tenant',
      });
  }
  for (const id of parent ? parent.children : [])
    if (s.vhms[id]?.name === name && s.vhms[id]?.state !== 'released')
      reject('HV_CONFLICT', { name, parent: parent!.id, reason: 'nested_name_taken' });
  const id = nextId(ctx, 'vhm');
  const capId = nextId(ctx, 'cap');
  if (parent) {
    addQuota(parent.carved, request);
    parent.children.push(id);
    ctx.touched.vhms.add(parent.id);
  } else {
    addQuota(s.tenants[tenantId]!.carved, request);
    ctx.touched.tenants.add(tenantId);
  }
  s.vhms[id] = {
    bindings: [],
    capabilities: [capId],
    carved: zeroQuota(),
    children: [],
    contracts: [],
    createdL: s.l,
    depth: parent ? parent.depth + 1 : 1,
    faultCount: 0,
    host: null,
    id,
    name,
    parent: parent?.id ?? null,
    processes: [],
    quota: q,
    sched: { maxQueued: 64, vtime: 0, weight: 100 },
    state: 'requested',
    tenant: tenantId,
    used: zeroQuota(),
  };
  // Each VHM gets its own capability root: nothing of the parent's namespace is valid inside it.
  s.capabilities[capId] = {
    children: [],
    id: capId,
    issuedL: s.l,
    parent: null,
    revoked: false,
    rights: [...RIGHTS],
    vhm: id,
  };
  s.capStats.issued += 1;
  ctx.touched.vhms.add(id);
  emit(ctx, {
    capability: parent ? (cmd.capability ?? null) : null,
    payload: {
      depth: parent ? parent.depth + 1 : 1,
      name,
      parent: parent?.id ?? null,
      quota: { ...q },
      vhm: id,
    },
    tenant: tenantId,
    type: 'vhm.created',
    vhm: id,
  });
  emit(ctx, {
    capability: capId,
    payload: { capability: capId, rights: [...RIGHTS], root: true },
    tenant: tenantId,
    type: 'cap.issued',
    vhm: id,
  });
}

export function transitionVhm(
  ctx: Ctx,
  cmd: CommandOf<'vhm.validate' | 'vhm.activate' | 'vhm.pause' | 'vhm.resume'>,
): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  const edge = NEXT[cmd.type]!;
  if (!edge.from.includes(v.state))
    reject('HV_LIFECYCLE_INVALID', {
      action: cmd.type,
      id: v.id,
      kind: 'vhm',
      needed: [...edge.from],
      state: v.state,
    });
  if (v.parent && (cmd.type === 'vhm.activate' || cmd.type === 'vhm.resume')) {
    const p = ctx.state.vhms[v.parent]!;
    if (p.state !== 'active')
      reject('HV_LIFECYCLE_INVALID', { id: p.id, kind: 'vhm', reason: 'parent_inactive', state: p.state });
  }
  const from = v.state;
  v.state = edge.to;
  ctx.touched.vhms.add(v.id);
  emit(ctx, {
    payload: { from, to: edge.to, vhm: v.id },
    tenant: v.tenant,
    type: `vhm.${edge.to}`,
    vhm: v.id,
    // The compiler cannot correlate `to` with the template type; NEXT only reaches these three.
  } as EntryDraftOf<'vhm.validated' | 'vhm.active' | 'vhm.paused'>);
  // Pausing a parent pauses its running nested VHMs, children first in id order.
  if (cmd.type === 'vhm.pause') pauseDescendants(ctx, v);
}

/** Terminate depth-first, children first in id order, releasing everything each VHM holds. */
function terminateTree(ctx: Ctx, v: Vhm, cause: string): void {
  const s = ctx.state;
  for (const cid of sortedIds(v.children)) {
    const c = s.vhms[cid]!;
    if (c.state !== 'terminated' && c.state !== 'released') terminateTree(ctx, c, cause);
  }
  // Only queued units can be live: the run queue holds exactly the waiting and running ones.
  for (const uid of [...s.runQueue].sort(byId)) {
    const u = s.units[uid]!;
    if (u.vhm === v.id && (u.state === 'waiting' || u.state === 'running')) {
      u.state = 'cancelled';
      emit(ctx, {
        domain: u.domain,
        payload: { reason: 'vhm terminated', unit: uid },
        tenant: v.tenant,
        type: 'sched.cancelled',
        vhm: v.id,
      });
    }
  }
  // A cancelled unit leaves the run queue now, not at the next tick (scheduler invariant, queue quota).
  s.runQueue = s.runQueue.filter(
    (id) => s.units[id]!.state === 'waiting' || s.units[id]!.state === 'running',
  );
  for (const bid of sortedIds(v.bindings)) releaseBinding(ctx, s.bindings[bid]!, 'vhm terminated');
  for (const cid of sortedIds(v.contracts)) endContract(ctx, s.contracts[cid]!, 'released', 'vhm terminated');
  for (const ipcId of Object.keys(s.ipcs).sort(byId)) {
    const ipc = s.ipcs[ipcId]!;
    if (ipc.open && (ipc.a === v.id || ipc.b === v.id)) {
      ipc.open = false;
      emit(ctx, {
        payload: { ipc: ipcId, reason: 'vhm terminated' },
        tenant: v.tenant,
        type: 'ipc.closed',
        vhm: v.id,
      });
    }
  }
  for (const pid of sortedIds(v.processes)) {
    const p = s.processes[pid]!;
    if (p.state === 'running') {
      p.state = 'exited';
      emit(ctx, {
        payload: { process: pid, reason: 'vhm terminated' },
        tenant: v.tenant,
        type: 'process.exited',
        vhm: v.id,
      });
    }
  }
  for (const capId of sortedIds(v.capabilities)) {
    if (s.capabilities[capId]?.parent === null) revokeCapability(ctx, capId, 'vhm terminated');
  }
  const from = v.state;
  v.state = 'terminated';
  ctx.touched.vhms.add(v.id);
  emit(ctx, {
    payload: { cause, from, to: 'terminated', vhm: v.id },
    tenant: v.tenant,
    type: 'vhm.terminated',
    vhm: v.id,
  });
}

export function terminateVhm(ctx: Ctx, cmd: CommandOf<'vhm.terminate'>): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  if (v.state === 'terminated' || v.state === 'released')
    reject('HV_LIFECYCLE_INVALID', { id: v.id, kind: 'vhm', reason: 'already', state: v.state });
  terminateTree(ctx, v, v.id);
}

/** Release a terminated VHM: its quota returns to its parent (or tenant). It stays as a tombstone. */
function releaseTree(ctx: Ctx, v: Vhm): void {
  const s = ctx.state;
  for (const cid of sortedIds(v.children)) {
    const c = s.vhms[cid]!;
    if (c.state !== 'released') releaseTree(ctx, c);
  }
  const request = { ...v.quota, vhms: 1 };
  if (v.parent) {
    const p = s.vhms[v.parent]!;
    addQuota(p.carved, request, -1);
    ctx.touched.vhms.add(p.id);
  } else {
    addQuota(s.tenants[v.tenant]!.carved, request, -1);
    ctx.touched.tenants.add(v.tenant);
  }
  v.state = 'released';
  ctx.touched.vhms.add(v.id);
  emit(ctx, {
    payload: { from: 'terminated', to: 'released', vhm: v.id },
    tenant: v.tenant,
    type: 'vhm.released',
    vhm: v.id,
  });
}

export function releaseVhm(ctx: Ctx, cmd: CommandOf<'vhm.release'>): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  if (v.state !== 'terminated')
    reject('HV_LIFECYCLE_INVALID', {
      action: cmd.type,
      id: v.id,
      kind: 'vhm',
      needed: ['terminated'],
      state: v.state,
    });
  releaseTree(ctx, v);
}

export function setSchedule(ctx: Ctx, cmd: CommandOf<'vhm.setSchedule'>): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  if (v.state === 'terminated' || v.state === 'released')
    reject('HV_LIFECYCLE_INVALID', { id: v.id, kind: 'vhm', reason: 'ended', state: v.state });
  const weight = int('weight', cmd.weight, 1, 10000);
  const maxQueued = int('maxQueued', cmd.maxQueued, 1, 100000);
  v.sched.weight = weight;
  v.sched.maxQueued = maxQueued;
  emit(ctx, {
    payload: { maxQueued, vhm: v.id, weight },
    tenant: v.tenant,
    type: 'sched.quota.set',
    vhm: v.id,
  });
}
