import { reject } from '../model/errors.js';
import type { Capability, Contract, Provider, Right, State, Tenant, Vhm } from '../model/state.js';
import type { Ctx } from './context.js';

// Authorisation of principals. A tenant never learns that another tenant's object exists, so a
// foreign id is answered exactly like a missing one: HV_NOT_FOUND.

export function isOperator(ctx: Ctx): boolean {
  return ctx.actor.kind === 'operator';
}

/** `action` is a stable lowercase token naming what was attempted (`create_tenants`). */
export function requireOperator(ctx: Ctx, action: string): void {
  if (ctx.actor.kind !== 'operator') reject('HV_FORBIDDEN', { action, reason: 'operator_only' });
}

/** Tenant-scoped read access. */
export function canSeeTenant(ctx: Ctx, tenant: string): boolean {
  const a = ctx.actor;
  return a.kind === 'operator' || (a.kind === 'tenant' && a.tenant === tenant);
}

/** Tenant-scoped write access: operator or that tenant's admin. A viewer is refused. */
export function requireWrite(ctx: Ctx, tenant: string): void {
  const a = ctx.actor;
  if (a.kind === 'operator') return;
  if (a.kind === 'tenant' && a.tenant === tenant) {
    if (a.role === 'admin') return;
    reject('HV_FORBIDDEN', { reason: 'viewer_read_only' });
  }
  reject('HV_NOT_FOUND', { kind: 'resource' });
}

/** An id as a rejection param: some callers pass a command field unvalidated (it may be missing). */
function idParam(id: unknown): string | null {
  return typeof id === 'string' ? id : null;
}

export function getTenant(ctx: Ctx, id: string): Tenant {
  const t = ctx.state.tenants[id];
  if (!t || !canSeeTenant(ctx, id)) reject('HV_NOT_FOUND', { id: idParam(id), kind: 'tenant' });
  return t;
}

export function getVhm(ctx: Ctx, id: string): Vhm {
  const v = ctx.state.vhms[id];
  if (!v || !canSeeTenant(ctx, v.tenant)) reject('HV_NOT_FOUND', { id: idParam(id), kind: 'vhm' });
  return v;
}

/** A VHM the actor may change. */
export function writableVhm(ctx: Ctx, id: string): Vhm {
  const v = getVhm(ctx, id);
  requireWrite(ctx, v.tenant);
  return v;
}

export function getProvider(state: State, id: string): Provider {
  const p = state.providers[id];
  if (!p) reject('HV_NOT_FOUND', { id: idParam(id), kind: 'provider' });
  return p;
}

/** A contract of this VHM. Another VHM's contract of the same tenant is refused as foreign. */
export function ownContract(ctx: Ctx, vhm: Vhm, id: string): Contract {
  const c = ctx.state.contracts[id];
  // Another tenant's contract answers exactly like one that never existed, whoever asks.
  if (!c || !canSeeTenant(ctx, c.tenant) || c.tenant !== vhm.tenant)
    reject('HV_NOT_FOUND', { id: idParam(id), kind: 'contract' });
  if (c.vhm !== vhm.id) reject('HV_CONTRACT_FOREIGN', { contract: id, owner: c.vhm, vhm: vhm.id });
  return c;
}

export function requireRunning(vhm: Vhm): void {
  if (vhm.state !== 'active')
    reject('HV_LIFECYCLE_INVALID', { id: vhm.id, kind: 'vhm', needed: ['active'], state: vhm.state });
}

/**
 * Capability check at the VHM boundary (XDV-084 §4.2, §7.2): the capability must exist, belong to
 * this VHM's own namespace (a parent's is foreign), not be revoked, and hold the right.
 */
export function useCapability(ctx: Ctx, vhm: Vhm, capId: string, right: Right): Capability {
  const cap = ctx.state.capabilities[capId];
  // Another tenant's capability answers exactly like one that never existed.
  if (!cap || !sameTenant(ctx.state, cap.vhm, vhm))
    reject('HV_CAP_INVALID', { capability: capId, vhm: vhm.id });
  if (cap.vhm !== vhm.id) {
    reject(
      'HV_CAP_FOREIGN',
      isAncestor(ctx.state, cap.vhm, vhm.id)
        ? { capability: capId, parent: cap.vhm, reason: 'parent_root', vhm: vhm.id }
        : { capability: capId, reason: 'other_namespace', vhm: vhm.id },
    );
  }
  if (cap.revoked) reject('HV_CAP_REVOKED', { capability: capId });
  if (!cap.rights.includes(right)) reject('HV_CAP_RIGHTS', { capability: capId, right, vhm: vhm.id });
  return cap;
}

/** Whether the VHM `other` belongs to the same tenant as `vhm` (what a tenant may know exists). */
export function sameTenant(state: State, other: string, vhm: Vhm): boolean {
  return state.vhms[other]?.tenant === vhm.tenant;
}

export function isAncestor(state: State, maybeAncestor: string, vhm: string): boolean {
  let cur = state.vhms[vhm]?.parent ?? null;
  while (cur !== null) {
    if (cur === maybeAncestor) return true;
    cur = state.vhms[cur]?.parent ?? null;
  }
  return false;
}
