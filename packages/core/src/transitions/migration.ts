import { getProvider, requireRunning, useCapability, writableVhm } from '../engine/access.js';
import { type Ctx, emit, nextId, sortedIds } from '../engine/context.js';
import { text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';
import type { Contract } from '../model/state.js';
import { overlappingRange } from './contracts.js';
import { destroyContainer, terminateEnvelope } from './resources.js';

/**
 * Migrate a VHM to another K host (XDV-083 §9). K contracts move. Q containers are reinitialised
 * unless the hardware supports coherence-preserving transfer and the contract is named for transfer.
 * Φ envelopes are terminated and reinitialised over the same window, unless moved live: the
 * provider supports it, the contract is named, its last stability reading holds its tolerance, and
 * the coherence window is renegotiated to [L, end). Anything asked that cannot be honoured is
 * refused; nothing named is ever silently ignored.
 */
export function migrateVhm(ctx: Ctx, cmd: CommandOf<'vhm.migrate'>): void {
  const s = ctx.state;
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  requireRunning(v);
  const cap = useCapability(ctx, v, text('capability', cmd.capability, 64), 'MIGRATE');
  const target = getProvider(s, text('target', cmd.target, 64));
  if (target.domain !== 'K')
    reject('HV_DOMAIN_MISMATCH', { found: target.domain, needed: 'K', provider: target.name });
  if (target.attestation !== 'attested' || target.health !== 'ok')
    reject('HV_PROVIDER_UNATTESTED', {
      attestation: target.attestation,
      health: target.health,
      provider: target.name,
      reason: 'migration_target',
    });
  const policy =
    cmd.qPolicy === 'live'
      ? 'live'
      : cmd.qPolicy === 'reinit' || cmd.qPolicy === undefined
        ? 'reinit'
        : reject('HV_INVALID_COMMAND', { allowed: ['reinit', 'live'], field: 'qPolicy', reason: 'one_of' });
  const phiPolicy =
    cmd.phiPolicy === 'live'
      ? 'live'
      : cmd.phiPolicy === 'reinit' || cmd.phiPolicy === undefined
        ? 'reinit'
        : reject('HV_INVALID_COMMAND', { allowed: ['reinit', 'live'], field: 'phiPolicy', reason: 'one_of' });
  const transfer = Array.isArray(cmd.transferContracts)
    ? cmd.transferContracts.map((x) => text('transferContracts[]', x, 64))
    : [];
  const live: Contract[] = sortedIds(v.contracts)
    .map((id) => s.contracts[id]!)
    .filter((c) => c.status === 'issued' || c.status === 'active');
  const boundActive = (c: Contract) => c.binding !== null && s.bindings[c.binding]?.state === 'active';
  // Every contract named for transfer must be one this migration can move live.
  for (const id of transfer) {
    const c = live.find((x) => x.id === id);
    // Another VHM's contract answers like one that does not exist.
    if (!c) reject('HV_NOT_FOUND', { id, kind: 'contract', vhm: v.id });
    if (c.domain === 'K') reject('HV_MIGRATION_UNSUPPORTED', { contract: c.id, reason: 'k_always_moves' });
    if (!boundActive(c)) reject('HV_MIGRATION_UNSUPPORTED', { contract: c.id, reason: 'not_bound' });
    const asked = c.domain === 'Q' ? policy : phiPolicy;
    if (asked !== 'live')
      reject('HV_MIGRATION_UNSUPPORTED', {
        contract: c.id,
        policy: c.domain === 'Q' ? 'qPolicy' : 'phiPolicy',
        reason: 'policy_reinit',
      });
  }
  const kMoves = live.filter((c) => c.k && c.provider !== target.id);
  // Check the whole move before changing anything.
  let cpu = 0;
  for (const c of kMoves) {
    const k = c.k!;
    cpu += k.cpu;
    if (k.base + k.size > target.capacity.memory)
      reject('HV_CAPACITY_EXCEEDED', {
        contract: c.id,
        limit: target.capacity.memory,
        provider: target.name,
        range: [k.base, k.base + k.size],
        reason: 'range_outside',
      });
    const clash = overlappingRange(target, k.base, k.base + k.size);
    if (clash)
      reject('HV_MEMORY_OVERLAP', {
        clash: [clash[0], clash[1]],
        contract: c.id,
        provider: target.name,
        range: [k.base, k.base + k.size],
      });
    for (const irq of k.irqs)
      if (target.irqRoutes[String(irq)]) reject('HV_IRQ_CONFLICT', { irq, provider: target.name });
  }
  for (let i = 0; i < kMoves.length; i++)
    for (let j = i + 1; j < kMoves.length; j++) {
      const a = kMoves[i]!.k!;
      const b = kMoves[j]!.k!;
      if (a.base < b.base + b.size && b.base < a.base + a.size)
        reject('HV_MEMORY_OVERLAP', { contracts: [kMoves[i]!.id, kMoves[j]!.id], reason: 'moving_ranges' });
    }
  if (target.allocated.cpu + cpu > target.capacity.cpu)
    reject('HV_CAPACITY_EXCEEDED', {
      available: target.capacity.cpu - target.allocated.cpu,
      provider: target.name,
      requested: cpu,
      resource: 'cpu',
    });
  const qBound = live.filter((c) => c.q && c.binding && s.bindings[c.binding]?.state === 'active');
  if (policy === 'live') {
    for (const c of qBound) {
      const p = s.providers[c.provider]!;
      if (!p.features.liveTransfer)
        reject('HV_MIGRATION_UNSUPPORTED', { provider: p.name, reason: 'no_live_transfer' });
      if (!transfer.includes(c.id))
        reject('HV_MIGRATION_UNSUPPORTED', { contract: c.id, reason: 'transfer_contract_missing' });
    }
  }
  const phiBound = live.filter((c) => c.phi && boundActive(c));
  if (phiPolicy === 'live') {
    for (const c of phiBound) {
      const p = s.providers[c.provider]!;
      const env = s.envelopes[s.bindings[c.binding!]!.envelope!]!;
      if (!p.features.liveTransfer)
        reject('HV_MIGRATION_UNSUPPORTED', { domain: 'PHI', provider: p.name, reason: 'no_live_transfer' });
      if (!transfer.includes(c.id))
        reject('HV_MIGRATION_UNSUPPORTED', {
          contract: c.id,
          domain: 'PHI',
          reason: 'transfer_contract_missing',
        });
      // The stability guarantee must hold: a reading at or above the contract's tolerance.
      if (env.lastStability === null || env.lastStability < c.phi!.tolerance)
        reject('HV_MIGRATION_UNSUPPORTED', {
          envelope: env.id,
          reason: 'stability_unproven',
          stability: env.lastStability,
          tolerance: c.phi!.tolerance,
        });
      // The renegotiated window [L, end) must still be open.
      if (env.end <= s.l)
        reject('PHI_ERR_COHERENCE_TIMEOUT', {
          end: env.end,
          envelope: env.id,
          l: s.l,
          reason: 'window_closed',
          start: env.start,
        });
    }
  }
  const id = nextId(ctx, 'mig');
  const from = v.host;
  const reinitialised: string[] = [];
  const transferred: string[] = [];
  emit(ctx, {
    capability: cap.id,
    payload: { from, migration: id, phiPolicy, qPolicy: policy, to: target.id },
    tenant: v.tenant,
    type: 'vhm.migration.started',
    vhm: v.id,
  });
  for (const c of kMoves) {
    const old = s.providers[c.provider]!;
    const k = c.k!;
    old.allocated.memory -= k.size;
    old.allocated.cpu -= k.cpu;
    old.ranges.splice(
      old.ranges.findIndex((r) => r[2] === c.id),
      1,
    );
    for (const irq of k.irqs) delete old.irqRoutes[String(irq)];
    target.allocated.memory += k.size;
    target.allocated.cpu += k.cpu;
    const at = target.ranges.findIndex((r) => r[0] > k.base);
    target.ranges.splice(at < 0 ? target.ranges.length : at, 0, [k.base, k.base + k.size, c.id]);
    for (const irq of k.irqs) target.irqRoutes[String(irq)] = c.id;
    c.provider = target.id;
    ctx.touched.providers.add(old.id);
    emit(ctx, {
      contract: c.id,
      domain: 'K',
      payload: { contract: c.id, from: old.id, to: target.id },
      tenant: v.tenant,
      type: 'k.contract.moved',
      vhm: v.id,
    });
  }
  ctx.touched.providers.add(target.id);
  for (const c of qBound) {
    const b = s.bindings[c.binding!]!;
    if (policy === 'live') {
      transferred.push(b.container!);
      emit(ctx, {
        contract: c.id,
        domain: 'Q',
        payload: { container: b.container, transferContract: c.id },
        tenant: v.tenant,
        type: 'q.container.transferred',
        vhm: v.id,
      });
    } else {
      destroyContainer(ctx, b.container!, 'migration reinitialise');
      const qc = nextId(ctx, 'qc');
      s.containers[qc] = {
        contract: c.id,
        createdL: s.l,
        id: qc,
        live: true,
        provider: c.provider,
        qubits: c.q!.qubits,
        vhm: v.id,
      };
      b.container = qc;
      reinitialised.push(qc);
      emit(ctx, {
        contract: c.id,
        domain: 'Q',
        payload: { container: qc, provider: c.provider, qubits: c.q!.qubits, reinitialised: true },
        tenant: v.tenant,
        type: 'q.container.created',
        vhm: v.id,
      });
    }
  }
  for (const c of phiBound) {
    const b = s.bindings[c.binding!]!;
    const old = s.envelopes[b.envelope!]!;
    if (phiPolicy === 'live') {
      // Renegotiate the coherence window to what is left of it, [L, end): a subset of the old one,
      // so it overlaps nothing it did not overlap before. The envelope keeps its id and provider.
      const start = Math.max(old.start, s.l);
      old.start = start;
      c.phi = { duration: old.end - start, start, tolerance: c.phi!.tolerance };
      transferred.push(old.id);
      emit(ctx, {
        contract: c.id,
        domain: 'PHI',
        payload: {
          end: old.end,
          envelope: old.id,
          stability: old.lastStability,
          start,
          tolerance: c.phi.tolerance,
          transferContract: c.id,
        },
        tenant: v.tenant,
        type: 'phi.envelope.transferred',
        vhm: v.id,
      });
      continue;
    }
    terminateEnvelope(ctx, old.id, 'migration reinitialise');
    const env = nextId(ctx, 'env');
    s.envelopes[env] = {
      ...old,
      id: env,
      live: true,
      lastStability: null,
      createdL: s.l,
      endedL: null,
      reason: null,
    };
    b.envelope = env;
    reinitialised.push(env);
    emit(ctx, {
      contract: c.id,
      domain: 'PHI',
      payload: { end: old.end, envelope: env, provider: old.provider, reinitialised: true, start: old.start },
      tenant: v.tenant,
      type: 'phi.envelope.allocated',
      vhm: v.id,
    });
  }
  v.host = target.id;
  s.migrations[id] = {
    from,
    id,
    l: s.l,
    phiPolicy,
    qPolicy: policy,
    reinitialised,
    to: target.id,
    transferred,
    vhm: v.id,
  };
  emit(ctx, {
    capability: cap.id,
    payload: { migration: id, reinitialised, to: target.id, transferred },
    tenant: v.tenant,
    type: 'vhm.migrated',
    vhm: v.id,
  });
}
