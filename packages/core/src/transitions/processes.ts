import { requireRunning, useCapability, writableVhm } from '../engine/access.js';
import { byId, type Ctx, emit, nextId } from '../engine/context.js';
import { text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';

export function spawnProcess(ctx: Ctx, cmd: CommandOf<'process.spawn'>): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  requireRunning(v);
  const cap = useCapability(ctx, v, text('capability', cmd.capability, 64), 'PROCESS');
  const name = text('name', cmd.name, 64);
  const id = nextId(ctx, 'proc');
  ctx.state.processes[id] = { createdL: ctx.state.l, id, name, state: 'running', vhm: v.id };
  v.processes.push(id);
  emit(ctx, {
    capability: cap.id,
    payload: { name, process: id },
    tenant: v.tenant,
    type: 'process.spawned',
    vhm: v.id,
  });
}

export function exitProcess(ctx: Ctx, cmd: CommandOf<'process.exit'>): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  const cap = useCapability(ctx, v, text('capability', cmd.capability, 64), 'PROCESS');
  const id = text('process', cmd.process, 64);
  const p = ctx.state.processes[id];
  // Another VHM's process is invisible from here: process isolation.
  if (!p || p.vhm !== v.id) reject('HV_NOT_FOUND', { id, kind: 'process', vhm: v.id });
  if (p.state !== 'running')
    reject('HV_LIFECYCLE_INVALID', { id, kind: 'process', reason: 'already', state: p.state });
  p.state = 'exited';
  for (const uid of [...ctx.state.runQueue].sort(byId)) {
    const u = ctx.state.units[uid]!;
    if (u.process === id && (u.state === 'waiting' || u.state === 'running')) {
      u.state = 'cancelled';
      emit(ctx, {
        domain: u.domain,
        payload: { reason: 'process exited', unit: uid },
        tenant: v.tenant,
        type: 'sched.cancelled',
        vhm: v.id,
      });
    }
  }
  // A cancelled unit leaves the run queue now, not at the next tick (scheduler invariant, queue quota).
  const q = ctx.state.runQueue;
  ctx.state.runQueue = q.filter(
    (u) => ctx.state.units[u]!.state === 'waiting' || ctx.state.units[u]!.state === 'running',
  );
  emit(ctx, {
    capability: cap.id,
    payload: { process: id, reason: 'exit' },
    tenant: v.tenant,
    type: 'process.exited',
    vhm: v.id,
  });
}
