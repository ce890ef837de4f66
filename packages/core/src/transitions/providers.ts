import { getProvider } from '../engine/access.js';
import { byId, type Ctx, emit, nextId } from '../engine/context.js';
import { domain, int, record, text } from '../engine/validate.js';
import type { Actor, CommandOf, SignedPart } from '../model/commands.js';
import { reject } from '../model/errors.js';
import type { Provider, State } from '../model/state.js';
import { zeroCapacity } from '../model/state.js';
import { resolveAlerts } from './alerts.js';
import { invalidateContract, raiseFault, terminateEnvelope } from './resources.js';

const HEX = /^[0-9a-f]+$/;

function requireSelfOrOperator(actor: Actor, p: { name: string }): void {
  if (actor.kind === 'operator') return;
  if (actor.kind === 'provider' && actor.name === p.name) return;
  reject('HV_FORBIDDEN', { provider: p.name, reason: 'provider_only' });
}

function requireVerified(auth: SignedPart, what: string): void {
  if (auth?.verified !== true) reject('HV_SIGNATURE_INVALID', { subject: what });
}

export function providerByName(state: State, name: string): Provider | undefined {
  for (const p of Object.values(state.providers)) if (p.name === name) return p;
  return undefined;
}

export function registerProvider(ctx: Ctx, cmd: CommandOf<'provider.register'>): void {
  const r = cmd.registration;
  const name = text('registration.name', r?.name, 64);
  requireSelfOrOperator(ctx.actor, { name });
  const d = domain(r.domain);
  // Checked in this order (which field an error names); built in key order (canonical fast path).
  const memory = int('capacity.memory', r.capacity?.memory ?? 0);
  const cpu = int('capacity.cpu', r.capacity?.cpu ?? 0);
  const qubits = int('capacity.qubits', r.capacity?.qubits ?? 0);
  const envelopes = int('capacity.envelopes', r.capacity?.envelopes ?? 0);
  const cap = { cpu, envelopes, memory, qubits };
  const inDomain =
    d === 'K'
      ? cap.qubits === 0 && cap.envelopes === 0
      : d === 'Q'
        ? cap.memory + cap.cpu + cap.envelopes === 0
        : cap.memory + cap.cpu + cap.qubits === 0;
  if (!inDomain)
    reject('HV_INVALID_COMMAND', { domain: d, field: 'registration.capacity', reason: 'domain_capacity' });
  const publicKey = text('registration.publicKey', r.publicKey, 8192);
  const firmware = text('registration.firmware', r.firmware, 128);
  if (!HEX.test(publicKey)) reject('HV_INVALID_COMMAND', { field: 'registration.publicKey', reason: 'hex' });
  if (!HEX.test(firmware)) reject('HV_INVALID_COMMAND', { field: 'registration.firmware', reason: 'hex' });
  const ops = Array.isArray(r.features?.operations)
    ? r.features.operations.map((o) => text('operation', o, 32))
    : [];
  requireVerified(cmd.auth, 'registration');
  const existing = providerByName(ctx.state, name);
  if (existing && existing.publicKey !== publicKey)
    reject('HV_ATTESTATION_MISMATCH', { provider: name, reason: 'identity_key' });
  if (existing && existing.domain !== d)
    reject('HV_ATTESTATION_MISMATCH', { domain: existing.domain, provider: name, reason: 'domain' });
  const trusted = ctx.state.trustedFirmware;
  if (trusted.length > 0 && !trusted.includes(firmware))
    reject('HV_FIRMWARE_UNTRUSTED', { measurement: firmware, provider: name });
  if (existing) {
    for (const k of ['memory', 'cpu', 'qubits', 'envelopes'] as const)
      if (cap[k] < existing.allocated[k])
        reject('HV_CAPACITY_EXCEEDED', {
          allocated: existing.allocated[k],
          provider: name,
          reason: 'below_allocated',
          requested: cap[k],
          resource: k,
        });
    existing.capacity = cap;
    existing.firmware = firmware;
    existing.features = { liveTransfer: r.features?.liveTransfer === true, operations: ops };
    existing.attestation = 'attested';
    existing.health = 'ok';
    ctx.touched.providers.add(existing.id);
    emit(ctx, {
      domain: d,
      payload: {
        capacity: { ...cap },
        firmware,
        name,
        provider: existing.id,
        signature: cmd.auth.signature,
        verified: true,
      },
      type: 'provider.attested',
    });
    return;
  }
  const id = nextId(ctx, 'provider');
  ctx.state.providers[id] = {
    allocated: zeroCapacity(),
    attestation: 'attested',
    capacity: cap,
    domain: d,
    features: { liveTransfer: r.features?.liveTransfer === true, operations: ops },
    firmware,
    health: 'ok',
    id,
    irqRoutes: {},
    lastReportL: null,
    lastReportSeq: 0,
    name,
    publicKey,
    ranges: [],
    registeredL: ctx.state.l,
  };
  ctx.touched.providers.add(id);
  emit(ctx, {
    domain: d,
    payload: {
      capacity: { ...cap },
      firmware,
      name,
      provider: id,
      signature: cmd.auth.signature,
      verified: true,
    },
    type: 'provider.registered',
  });
}

export function issueCalibration(ctx: Ctx, cmd: CommandOf<'calibration.issue'>): void {
  const p = getProvider(ctx.state, cmd.provider);
  requireSelfOrOperator(ctx.actor, p);
  if (p.domain !== 'Q')
    reject('HV_DOMAIN_MISMATCH', { found: p.domain, needed: 'Q', provider: p.name, reason: 'calibration' });
  const from = int('from', cmd.from);
  const until = int('until', cmd.until);
  if (until <= from) reject('HV_INVALID_COMMAND', { after: 'from', field: 'until', reason: 'after_field' });
  if (until <= ctx.state.l)
    reject('HV_INVALID_COMMAND', { field: 'until', l: ctx.state.l, reason: 'after_current_l' });
  const id = nextId(ctx, 'cal');
  ctx.state.calibrations[id] = { from, id, issuedL: ctx.state.l, provider: p.id, until };
  emit(ctx, {
    domain: 'Q',
    payload: { calibration: id, from, provider: p.id, until },
    type: 'calibration.issued',
  });
}

function reportProvider(ctx: Ctx, id: string, seq: unknown, auth: SignedPart): Provider {
  const p = getProvider(ctx.state, id);
  requireSelfOrOperator(ctx.actor, p);
  const n = int('report.seq', seq, 1);
  requireVerified(auth, 'report');
  if (n <= p.lastReportSeq)
    reject('HV_CONFLICT', { last: p.lastReportSeq, provider: p.name, reason: 'report_replayed', seq: n });
  if (p.attestation !== 'attested')
    reject('HV_PROVIDER_UNATTESTED', { attestation: p.attestation, provider: p.name, reason: 'report' });
  return p;
}

function markReported(ctx: Ctx, p: Provider, seq: number): void {
  p.lastReportSeq = seq;
  p.lastReportL = ctx.state.l;
}

function alert(
  ctx: Ctx,
  p: Provider,
  metric: string,
  value: number,
  threshold: number,
  subject: string,
): void {
  const id = nextId(ctx, 'alert');
  ctx.state.alerts[id] = { id, l: ctx.state.l, metric, provider: p.id, subject, threshold, value };
  emit(ctx, {
    domain: p.domain,
    payload: { alert: id, metric, provider: p.id, subject, threshold, value },
    type: 'alert.raised',
  });
}

export function reportQ(ctx: Ctx, cmd: CommandOf<'report.q'>): void {
  const r = cmd.report;
  const p = reportProvider(ctx, r?.provider, r?.seq, cmd.auth);
  if (p.domain !== 'Q') reject('HV_DOMAIN_MISMATCH', { found: p.domain, needed: 'Q', provider: p.name });
  if (!Array.isArray(r.qubits) || r.qubits.length > 4096)
    reject('HV_INVALID_COMMAND', { field: 'qubits', max: 4096, reason: 'list_max' });
  const rows = r.qubits.map((row) => {
    const q = record('qubits[]', row);
    // Checked in this order (which field an error names); built in key order (canonical fast path).
    const qubit = int('qubit', q.qubit, 0, p.capacity.qubits);
    const t1 = int('t1', q.t1);
    const t2 = int('t2', q.t2);
    const fidelity = int('fidelity', q.fidelity, 0, 10000);
    const readoutError = int('readoutError', q.readoutError, 0, 10000);
    return { fidelity, qubit, readoutError, t1, t2 };
  });
  markReported(ctx, p, r.seq);
  emit(ctx, {
    domain: 'Q',
    payload: { provider: p.id, qubits: rows, seq: r.seq, signature: cmd.auth.signature, verified: true },
    type: 'q.metrics.reported',
  });
  const measured = new Map<string, Record<string, number>>(rows.map((q) => [`qubit ${q.qubit}`, q]));
  resolveAlerts(ctx.state, p.id, (subject, metric) => measured.get(subject)?.[metric]);
  const t = ctx.state.config.thresholds;
  for (const q of rows) {
    const s = `qubit ${q.qubit}`;
    if (q.t1 < t.t1Min) alert(ctx, p, 't1', q.t1, t.t1Min, s);
    if (q.t2 < t.t2Min) alert(ctx, p, 't2', q.t2, t.t2Min, s);
    if (q.fidelity < t.fidelityMin) alert(ctx, p, 'fidelity', q.fidelity, t.fidelityMin, s);
    if (q.readoutError > t.readoutMax) alert(ctx, p, 'readoutError', q.readoutError, t.readoutMax, s);
  }
}

export function reportPhi(ctx: Ctx, cmd: CommandOf<'report.phi'>): void {
  const r = cmd.report;
  const p = reportProvider(ctx, r?.provider, r?.seq, cmd.auth);
  if (p.domain !== 'PHI') reject('HV_DOMAIN_MISMATCH', { found: p.domain, needed: 'PHI', provider: p.name });
  if (!Array.isArray(r.envelopes) || r.envelopes.length > 4096)
    reject('HV_INVALID_COMMAND', { field: 'envelopes', max: 4096, reason: 'list_max' });
  const rows = r.envelopes.map((row) => {
    const e = record('envelopes[]', row);
    const env = ctx.state.envelopes[text('envelope', e.envelope, 64)];
    if (!env || env.provider !== p.id)
      reject('HV_NOT_FOUND', { host: p.name, id: e.envelope as string, kind: 'envelope' });
    const stability = int('stability', e.stability, 0, 10000);
    const noise = int('noise', e.noise, 0, 10000);
    const drift = int('drift', e.drift, 0, 10000);
    const impact = int('impact', e.impact, 0, 10000);
    return { drift, envelope: env.id, impact, noise, stability };
  });
  markReported(ctx, p, r.seq);
  emit(ctx, {
    domain: 'PHI',
    payload: { envelopes: rows, provider: p.id, seq: r.seq, signature: cmd.auth.signature, verified: true },
    type: 'phi.stability.reported',
  });
  // Only live envelopes: an alert about an ended envelope is resolved by its ending (views/alerts).
  const measured = new Map<string, Record<string, number>>(
    rows
      .filter((row) => ctx.state.envelopes[row.envelope]!.live)
      .map((row) => [row.envelope, { drift: row.drift, noise: row.noise, stability: row.stability }]),
  );
  resolveAlerts(ctx.state, p.id, (subject, metric) => measured.get(subject)?.[metric]);
  const t = ctx.state.config.thresholds;
  for (const row of [...rows].sort((a, b) => byId(a.envelope, b.envelope))) {
    const env = ctx.state.envelopes[row.envelope]!;
    if (!env.live) continue;
    env.lastStability = row.stability;
    // Filed under the envelope's tenant, so its owner sees its own stability in its trace and stream.
    const owner = ctx.state.vhms[env.vhm];
    emit(ctx, {
      contract: env.contract,
      domain: 'PHI',
      payload: {
        drift: row.drift,
        envelope: env.id,
        impact: row.impact,
        noise: row.noise,
        stability: row.stability,
      },
      tenant: owner?.tenant ?? null,
      type: 'phi.envelope.stability',
      vhm: env.vhm,
    });
    if (row.noise > t.noiseMax) alert(ctx, p, 'noise', row.noise, t.noiseMax, env.id);
    if (row.drift > t.driftMax) alert(ctx, p, 'drift', row.drift, t.driftMax, env.id);
    const c = ctx.state.contracts[env.contract]!;
    if (c.phi && row.stability < c.phi.tolerance) {
      alert(ctx, p, 'stability', row.stability, c.phi.tolerance, env.id);
      terminateEnvelope(ctx, env.id, 'PHI_ERR_STABILITY_BREACH');
      invalidateContract(
        ctx,
        c,
        'PHI_ERR_STABILITY_BREACH',
        { contract: c.id, reason: 'stability_breach', stability: row.stability, tolerance: c.phi.tolerance },
        false,
      );
    }
  }
}

const REPORTABLE = new Set([
  'Q_ERR_HARDWARE_FAILURE',
  'Q_ERR_MEASUREMENT_FAILURE',
  'Q_ERR_GATE_UNSUPPORTED',
  'Q_ERR_CALIBRATION_INVALID',
  'PHI_ERR_HARDWARE_FAILURE',
  'PHI_ERR_ENVELOPE_INVALID',
  'PHI_ERR_TRANSFORM_UNSUPPORTED',
  'PHI_ERR_COHERENCE_TIMEOUT',
]);

export function reportError(ctx: Ctx, cmd: CommandOf<'report.error'>): void {
  const r = cmd.report;
  const p = reportProvider(ctx, r?.provider, r?.seq, cmd.auth);
  const code = text('code', r.code, 64);
  if (!REPORTABLE.has(code) || !code.startsWith(p.domain === 'Q' ? 'Q_ERR_' : 'PHI_ERR_'))
    reject('HV_INVALID_COMMAND', {
      allowed: [...REPORTABLE].filter((c) => c.startsWith(p.domain === 'Q' ? 'Q_ERR_' : 'PHI_ERR_')),
      field: 'code',
      reason: 'one_of',
    });
  const message = text('message', r.message, 500);
  let contract = null;
  if (r.contract !== null && r.contract !== undefined) {
    contract = ctx.state.contracts[text('contract', r.contract, 64)];
    if (!contract || contract.provider !== p.id)
      reject('HV_NOT_FOUND', { host: p.name, id: r.contract as string, kind: 'contract' });
  }
  markReported(ctx, p, r.seq);
  emit(ctx, {
    contract: contract?.id ?? null,
    domain: p.domain,
    payload: { code, message, provider: p.id, seq: r.seq, signature: cmd.auth.signature, verified: true },
    type: 'provider.error.reported',
  });
  if (contract) {
    if (contract.status === 'issued' || contract.status === 'active')
      invalidateContract(
        ctx,
        contract,
        code,
        { code, provider: p.name, reason: 'provider_report', report: message },
        false,
      );
    return;
  }
  if (code.endsWith('_HARDWARE_FAILURE')) {
    p.health = 'degraded';
    ctx.touched.providers.add(p.id);
    raiseFault(ctx, {
      code,
      contract: null,
      domain: p.domain,
      injected: false,
      level: 'system',
      params: { provider: p.name, reason: 'hardware_failure' },
      provider: p.id,
      vhm: null,
    });
  }
}
