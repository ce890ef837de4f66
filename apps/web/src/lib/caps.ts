import type { Capability, Domain, Right, Vhm } from '@xdv/core';
import type { Me } from '../api/types';

// Capability gating: an action is enabled only when the principal may write and one of the VHM's
// own non-revoked capabilities holds the right it needs. The core decides; this only explains.

export const ALLOC_RIGHT: Record<Domain, Right> = { K: 'BIND_K', Q: 'ALLOC_Q', PHI: 'ALLOC_PHI' };

export interface Gate {
  allowed: boolean;
  /** Why not, naming the missing right when that is the reason. */
  reason: string | null;
  /** The capability the action will name. */
  capability: string | null;
  right: Right | null;
}

/** The least-privileged non-revoked capability of this VHM that holds the right (ties: lowest id). */
export function capabilityFor(caps: readonly Capability[], vhm: string, right: Right): Capability | null {
  let best: Capability | null = null;
  for (const c of caps) {
    if (c.vhm !== vhm || c.revoked || !c.rights.includes(right)) continue;
    if (
      !best ||
      c.rights.length < best.rights.length ||
      (c.rights.length === best.rights.length && idNum(c.id) < idNum(best.id))
    )
      best = c;
  }
  return best;
}

function idNum(id: string): number {
  const n = Number(id.slice(id.lastIndexOf('-') + 1));
  return Number.isFinite(n) ? n : 0;
}

export function writeBlock(me: Me | undefined, notLive: boolean): string | null {
  if (notLive) return 'Replay shows the past: return to live to act.';
  if (!me) return 'Signing in…';
  const t = me.token;
  if (t.kind === 'provider') return 'A provider token cannot manage VHMs.';
  if (t.kind === 'tenant' && t.role === 'viewer') return 'A tenant viewer token is read-only.';
  return null;
}

export function gate(
  me: Me | undefined,
  vhm: Pick<Vhm, 'id' | 'state'> | undefined,
  caps: readonly Capability[] | undefined,
  right: Right | null,
  notLive = false,
): Gate {
  const blocked = writeBlock(me, notLive);
  if (blocked) return { allowed: false, reason: blocked, capability: null, right };
  if (!vhm) return { allowed: false, reason: 'Loading…', capability: null, right };
  if (right === null) return { allowed: true, reason: null, capability: null, right };
  if (!caps) return { allowed: false, reason: 'Loading capabilities…', capability: null, right };
  const c = capabilityFor(caps, vhm.id, right);
  if (!c)
    return {
      allowed: false,
      reason: `Missing right ${right}: no non-revoked capability of ${vhm.id} grants it.`,
      capability: null,
      right,
    };
  return { allowed: true, reason: null, capability: c.id, right };
}
