import { requireRunning, useCapability, writableVhm } from '../engine/access.js';
import { type Ctx, emit, nextId, sortedIds } from '../engine/context.js';
import { text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';
import type { Snapshot } from '../model/state.js';

/** K-only snapshot (XDV-083 §9.1): contract metadata and K state, never Q or Φ internals. */
export function takeSnapshot(ctx: Ctx, cmd: CommandOf<'snapshot.take'>): void {
  const s = ctx.state;
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  const cap = useCapability(ctx, v, text('capability', cmd.capability, 64), 'SNAPSHOT');
  const include = Array.isArray(cmd.include) ? cmd.include : ['K'];
  if (include.includes('Q')) reject('HV_NO_CLONE', { domain: 'Q' });
  if (include.includes('PHI')) reject('HV_NO_CLONE', { domain: 'PHI' });
  if (v.state !== 'active' && v.state !== 'paused') requireRunning(v);
  const ids = sortedIds(v.contracts);
  const content: Snapshot['content'] = {
    contracts: ids.map((id) => {
      const c = s.contracts[id]!;
      return { domain: c.domain, id, provider: c.provider, status: c.status };
    }),
    k: ids
      .map((id) => s.contracts[id]!)
      .filter((c) => c.k && (c.status === 'issued' || c.status === 'active'))
      .map((c) => ({
        base: c.k!.base,
        contract: c.id,
        cpu: c.k!.cpu,
        irqs: [...c.k!.irqs],
        size: c.k!.size,
      })),
    processes: sortedIds(v.processes).map((id) => ({
      id,
      name: s.processes[id]!.name,
      state: s.processes[id]!.state,
    })),
  };
  const id = nextId(ctx, 'snap');
  s.snapshots[id] = { content, id, takenL: s.l, vhm: v.id };
  emit(ctx, {
    capability: cap.id,
    domain: 'K',
    payload: { content: content as never, snapshot: id },
    tenant: v.tenant,
    type: 'snapshot.taken',
    vhm: v.id,
  });
}
