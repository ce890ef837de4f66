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
 * Φ envelopes are terminated and reinitialised over the same window.
 */
export function migrateVhm(ctx: Ctx, cmd: CommandOf<'vhm.migrate'>): void {
  const s = ctx.state;
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  requireRunning(v);
  const cap = useCapability(ctx, v, text('capability', cmd.capability, 64), 'MIGRATE');
  const target = getProvider(s, text('target', cmd.target, 64));
  if (target.domain !== 'K') reject('HV_DOMAIN_MISMATCH', `${target.name} is not a K host.`);
  if (target.attestation !== 'attested' || target.health !== 'ok')
    reject('HV_PROVIDER_UNATTESTED', `${target.name} is not an attested, healthy host.`);
  const policy =
    cmd.qPolicy === 'live'
      ? 'live'
      : cmd.qPolicy === 'reinit' || cmd.qPolicy === undefined
        ? 'reinit'
        : reject('HV_INVALID_COMMAND', 'qPolicy must be reinit or live.');
  const transfer = Array.isArray(cmd.transferContracts)
    ? cmd.transferContracts.map((x) => text('transferContracts[]', x, 64))
    : [];
  const live: Contract[] = sortedIds(v.contracts)
    .map((id) => s.contracts[id]!)
    .filter((c) => c.status === 'issued' || c.status === 'active');
  const kMoves = live.filter((c) => c.k && c.provider !== target.id);
  // Check the whole move before changing anything.
  let cpu = 0;
  for (const c of kMoves) {
    const k = c.k!;
    cpu += k.cpu;
    if (k.base + k.size > target.capacity.memory)
      reject('HV_CAPACITY_EXCEEDED', `${c.id}'s range does not fit in ${target.name}.`);
    const clash = overlappingRange(target, k.base, k.base + k.size);
    if (clash)
      reject('HV_MEMORY_OVERLAP', `${c.id}'s range overlaps [${clash[0]}, ${clash[1]}) on ${target.name}.`);
    for (const irq of k.irqs)
      if (target.irqRoutes[String(irq)])
        reject('HV_IRQ_CONFLICT', `Vector ${irq} is taken on ${target.name}.`);
  }
  for (let i = 0; i < kMoves.length; i++)
    for (let j = i + 1; j < kMoves.length; j++) {
      const a = kMoves[i]!.k!;
      const b = kMoves[j]!.k!;
      if (a.base < b.base + b.size && b.base < a.base + a.size)
        reject('HV_MEMORY_OVERLAP', 'Two of the moving ranges overlap.');
    }
  if (target.allocated.cpu + cpu > target.capacity.cpu)
    reject('HV_CAPACITY_EXCEEDED', `${target.name} lacks ${cpu} free CPU slices.`);
  const qBound = live.filter((c) => c.q && c.binding && s.bindings[c.binding]?.state === 'active');
  if (policy === 'live') {
    for (const c of qBound) {
      const p = s.providers[c.provider]!;
      if (!p.features.liveTransfer)
        reject(
          'HV_MIGRATION_UNSUPPORTED',
          `${p.name} cannot transfer Q state coherently; migrate with qPolicy reinit.`,
        );
      if (!transfer.includes(c.id))
        reject('HV_MIGRATION_UNSUPPORTED', `Live Q migration needs a transfer contract naming ${c.id}.`);
    }
  }
  const id = nextId(ctx, 'mig');
  const from = v.host;
  const reinitialised: string[] = [];
  const transferred: string[] = [];
  emit(ctx, {
    capability: cap.id,
    payload: { from, migration: id, qPolicy: policy, to: target.id },
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
  for (const c of live.filter((x) => x.phi && x.binding && s.bindings[x.binding]?.state === 'active')) {
    const b = s.bindings[c.binding!]!;
    const old = s.envelopes[b.envelope!]!;
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
