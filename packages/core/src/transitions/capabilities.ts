import { sameTenant, useCapability, writableVhm } from '../engine/access.js';
import { type Ctx, emit, nextId } from '../engine/context.js';
import { rights, text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';
import type { Right, Vhm } from '../model/state.js';
import { revokeCapability } from './resources.js';

function live(v: Vhm): void {
  if (v.state === 'terminated' || v.state === 'released')
    reject('HV_LIFECYCLE_INVALID', { id: v.id, kind: 'vhm', reason: 'namespace_closed', state: v.state });
}

/** Issue a new root capability in a VHM's namespace (a management-plane act by its tenant admin). */
export function issueCapability(ctx: Ctx, cmd: CommandOf<'cap.issue'>): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  live(v);
  const r = rights(cmd.rights);
  const id = nextId(ctx, 'cap');
  ctx.state.capabilities[id] = {
    children: [],
    id,
    issuedL: ctx.state.l,
    parent: null,
    revoked: false,
    rights: r,
    vhm: v.id,
  };
  v.capabilities.push(id);
  ctx.state.capStats.issued += 1;
  emit(ctx, {
    capability: id,
    payload: { capability: id, rights: r, root: true },
    tenant: v.tenant,
    type: 'cap.issued',
    vhm: v.id,
  });
}

/** Derive a capability with a subset of the parent's rights; never more. */
export function deriveCapability(ctx: Ctx, cmd: CommandOf<'cap.derive'>): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  live(v);
  const r = rights(cmd.rights);
  const parentId = text('capability', cmd.capability, 64);
  const parent = ctx.state.capabilities[parentId];
  // Validate ownership and revocation with the same checks as any use, then the subset rule.
  useCapability(ctx, v, parentId, parent?.rights[0] ?? ('BIND_K' as Right));
  const extra = r.filter((x) => !parent!.rights.includes(x));
  if (extra.length > 0) reject('HV_CAP_ESCALATION', { capability: parentId, missing: extra });
  const id = nextId(ctx, 'cap');
  ctx.state.capabilities[id] = {
    children: [],
    id,
    issuedL: ctx.state.l,
    parent: parentId,
    revoked: false,
    rights: r,
    vhm: v.id,
  };
  parent!.children.push(id);
  v.capabilities.push(id);
  ctx.state.capStats.issued += 1;
  emit(ctx, {
    capability: id,
    payload: { capability: id, parent: parentId, rights: r },
    tenant: v.tenant,
    type: 'cap.derived',
    vhm: v.id,
  });
}

export function revokeCapabilityCmd(ctx: Ctx, cmd: CommandOf<'cap.revoke'>): void {
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  const id = text('capability', cmd.capability, 64);
  const cap = ctx.state.capabilities[id];
  if (!cap || !sameTenant(ctx.state, cap.vhm, v)) reject('HV_CAP_INVALID', { capability: id, vhm: v.id });
  if (cap.vhm !== v.id) reject('HV_CAP_FOREIGN', { capability: id, reason: 'other_namespace', vhm: v.id });
  if (cap.revoked) reject('HV_CAP_REVOKED', { capability: id, reason: 'already' });
  revokeCapability(ctx, id, 'revoked by request');
}
