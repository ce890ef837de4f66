import { getTenant, requireOperator } from '../engine/access.js';
import { type Ctx, emit, nextId } from '../engine/context.js';
import { expireWindows } from '../engine/expiry.js';
import { int, quota, text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';
import { quotaOverflow } from '../model/quota.js';
import { zeroQuota } from '../model/state.js';

export function genesis(ctx: Ctx, cmd: CommandOf<'genesis'>): void {
  requireOperator(ctx, 'start a trace');
  if (ctx.state.seq !== 0) reject('HV_LIFECYCLE_INVALID', 'The trace already has a genesis entry.');
  const c = cmd.config;
  int('config.maxDepth', c.maxDepth, 1, 16);
  int('config.agingThreshold', c.agingThreshold, 1, 1_000_000);
  int('config.agingStep', c.agingStep, 1, 1000);
  int('config.vhmEscalation', c.vhmEscalation, 1, 1000);
  ctx.state.config = structuredClone(c);
  emit(ctx, { payload: { config: { ...c } as never }, type: 'genesis' });
}

export function advanceClock(ctx: Ctx, cmd: CommandOf<'clock.advance'>): void {
  requireOperator(ctx, 'advance the logical clock');
  // The +1 every command gets is added by the engine; this adds the rest.
  const ticks = int('ticks', cmd.ticks, 1, 1_000_000);
  ctx.state.l += ticks - 1;
  emit(ctx, { payload: { l: ctx.state.l, ticks }, type: 'clock.advanced' });
  expireWindows(ctx);
}

export function trustFirmware(ctx: Ctx, cmd: CommandOf<'firmware.trust'>): void {
  requireOperator(ctx, 'trust a firmware measurement');
  const m = text('measurement', cmd.measurement, 128);
  if (!/^[0-9a-f]{16,128}$/.test(m))
    reject('HV_INVALID_COMMAND', 'measurement must be 16–128 lowercase hex digits.');
  if (ctx.state.trustedFirmware.includes(m)) reject('HV_CONFLICT', 'That measurement is already trusted.');
  ctx.state.trustedFirmware.push(m);
  ctx.state.trustedFirmware.sort();
  emit(ctx, { payload: { measurement: m }, type: 'firmware.trusted' });
}

export function createTenant(ctx: Ctx, cmd: CommandOf<'tenant.create'>): void {
  requireOperator(ctx, 'create tenants');
  const name = text('name', cmd.name, 64);
  const q = quota(cmd.quota);
  for (const t of Object.values(ctx.state.tenants))
    if (t.name === name) reject('HV_CONFLICT', `A tenant named ${name} already exists.`);
  const id = nextId(ctx, 'tenant');
  ctx.state.tenants[id] = { carved: zeroQuota(), id, name, quota: q, status: 'active' };
  ctx.touched.tenants.add(id);
  emit(ctx, { payload: { name, quota: { ...q }, tenant: id }, tenant: id, type: 'tenant.created' });
}

export function setTenantQuota(ctx: Ctx, cmd: CommandOf<'tenant.setQuota'>): void {
  requireOperator(ctx, 'change tenant quotas');
  const t = getTenant(ctx, cmd.tenant);
  const q = quota(cmd.quota);
  const over = quotaOverflow(q, t.carved, zeroQuota());
  if (over)
    reject(
      'HV_QUOTA_EXCEEDED',
      `The tenant already holds more ${over} than the new quota; release VHMs first.`,
    );
  t.quota = q;
  ctx.touched.tenants.add(t.id);
  emit(ctx, { payload: { quota: { ...q }, tenant: t.id }, tenant: t.id, type: 'tenant.quota.set' });
}
