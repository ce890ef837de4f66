import { getTenant, requireOperator } from '../engine/access.js';
import { type Ctx, emit, nextId } from '../engine/context.js';
import { expireWindows } from '../engine/expiry.js';
import { int, quota, text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';
import { quotaShortfall } from '../model/quota.js';
import { zeroQuota } from '../model/state.js';
import { PROTOCOL_VERSION } from '../trace/protocol.js';

export function genesis(ctx: Ctx, cmd: CommandOf<'genesis'>): void {
  requireOperator(ctx, 'start_trace');
  if (ctx.state.seq !== 0) reject('HV_LIFECYCLE_INVALID', { reason: 'genesis_exists' });
  const c = cmd.config;
  int('config.maxDepth', c.maxDepth, 1, 16);
  int('config.agingThreshold', c.agingThreshold, 1, 1_000_000);
  int('config.agingStep', c.agingStep, 1, 1000);
  int('config.vhmEscalation', c.vhmEscalation, 1, 1000);
  ctx.state.config = structuredClone(c);
  // The protocol the trace is written with: a server refuses a trace of another version at start.
  emit(ctx, { payload: { config: { ...c } as never, protocol: PROTOCOL_VERSION }, type: 'genesis' });
}

export function advanceClock(ctx: Ctx, cmd: CommandOf<'clock.advance'>): void {
  requireOperator(ctx, 'advance_clock');
  // The clock source's tick: the only thing that moves L. Windows that end by the new L close now.
  const ticks = int('ticks', cmd.ticks, 1, 1_000_000);
  ctx.state.l += ticks;
  emit(ctx, { payload: { l: ctx.state.l, ticks }, type: 'clock.advanced' });
  expireWindows(ctx);
}

export function trustFirmware(ctx: Ctx, cmd: CommandOf<'firmware.trust'>): void {
  requireOperator(ctx, 'trust_firmware');
  const m = text('measurement', cmd.measurement, 128);
  if (!/^[0-9a-f]{16,128}$/.test(m))
    reject('HV_INVALID_COMMAND', { field: 'measurement', max: 128, min: 16, reason: 'hex_digits' });
  if (ctx.state.trustedFirmware.includes(m)) reject('HV_CONFLICT', { reason: 'firmware_trusted' });
  ctx.state.trustedFirmware.push(m);
  ctx.state.trustedFirmware.sort();
  emit(ctx, { payload: { measurement: m }, type: 'firmware.trusted' });
}

export function createTenant(ctx: Ctx, cmd: CommandOf<'tenant.create'>): void {
  requireOperator(ctx, 'create_tenants');
  const name = text('name', cmd.name, 64);
  const q = quota(cmd.quota);
  for (const t of Object.values(ctx.state.tenants))
    if (t.name === name) reject('HV_CONFLICT', { name, reason: 'tenant_name_taken' });
  const id = nextId(ctx, 'tenant');
  ctx.state.tenants[id] = { carved: zeroQuota(), id, name, quota: q, status: 'active' };
  ctx.touched.tenants.add(id);
  emit(ctx, { payload: { name, quota: { ...q }, tenant: id }, tenant: id, type: 'tenant.created' });
}

export function setTenantQuota(ctx: Ctx, cmd: CommandOf<'tenant.setQuota'>): void {
  requireOperator(ctx, 'change_tenant_quotas');
  const t = getTenant(ctx, cmd.tenant);
  const q = quota(cmd.quota);
  const over = quotaShortfall(q, t.carved, zeroQuota());
  if (over)
    reject('HV_QUOTA_EXCEEDED', {
      held: t.carved[over.resource],
      id: t.id,
      quota: q[over.resource],
      resource: over.resource,
      scope: 'tenant_quota',
    });
  t.quota = q;
  ctx.touched.tenants.add(t.id);
  emit(ctx, { payload: { quota: { ...q }, tenant: t.id }, tenant: t.id, type: 'tenant.quota.set' });
}
