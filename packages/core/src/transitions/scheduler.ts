import {
  ownContract,
  requireOperator,
  requireRunning,
  useCapability,
  writableVhm,
} from '../engine/access.js';
import { byId, type Ctx, emit, nextId } from '../engine/context.js';
import { domain, int, text } from '../engine/validate.js';
import type { CommandOf } from '../model/commands.js';
import { reject } from '../model/errors.js';
import { DOMAINS, type Domain, type SchedUnit, type State } from '../model/state.js';

// Cross-domain scheduler integration (XDV-082, XDV-083 §7). The VHM is the scheduling boundary:
// weighted-fair virtual time across VHMs, stable order within one, deterministic aging.

const VTIME_SCALE = 1_000_000;

export function submitUnit(ctx: Ctx, cmd: CommandOf<'sched.submit'>): void {
  const s = ctx.state;
  const v = writableVhm(ctx, text('vhm', cmd.vhm, 64));
  requireRunning(v);
  const cap = useCapability(ctx, v, text('capability', cmd.capability, 64), 'SCHEDULE');
  const procId = text('process', cmd.process, 64);
  const proc = s.processes[procId];
  if (!proc || proc.vhm !== v.id) reject('HV_NOT_FOUND', { id: procId, kind: 'process', vhm: v.id });
  if (proc.state !== 'running')
    reject('HV_LIFECYCLE_INVALID', { id: procId, kind: 'process', needed: ['running'], state: proc.state });
  const d = domain(cmd.domain);
  const priority = int('priority', cmd.priority, 0, 1000);
  const quanta = int('quanta', cmd.quanta, 1, 1000);
  let contract: string | null = null;
  if (d !== 'K') {
    if (cmd.contract === null || cmd.contract === undefined)
      reject('HV_INVALID_COMMAND', { domain: d, field: 'contract', reason: 'required' });
    const c = ownContract(ctx, v, text('contract', cmd.contract, 64));
    if (c.domain !== d) reject('HV_DOMAIN_MISMATCH', { contract: c.id, found: c.domain, needed: d });
    if (c.status !== 'active')
      reject('HV_CONTRACT_INVALID', { contract: c.id, needed: ['active'], state: c.status });
    contract = c.id;
  }
  let queued = 0;
  for (const id of s.runQueue) if (s.units[id]!.vhm === v.id) queued++;
  if (queued >= v.sched.maxQueued) reject('HV_SCHED_QUOTA', { max: v.sched.maxQueued, queued, vhm: v.id });
  if (queued === 0 && v.sched.vtime < s.schedClock) v.sched.vtime = s.schedClock;
  const id = nextId(ctx, 'unit');
  s.units[id] = {
    contract,
    dispatches: 0,
    domain: d,
    id,
    priority,
    process: procId,
    remaining: quanta,
    state: 'waiting',
    submittedL: s.l,
    vhm: v.id,
  };
  s.runQueue.push(id);
  emit(ctx, {
    capability: cap.id,
    contract,
    domain: d,
    payload: { priority, process: procId, quanta, unit: id },
    tenant: v.tenant,
    type: 'sched.submitted',
    vhm: v.id,
  });
}

/** Effective priority: deterministic aging raises a unit's priority for every threshold it waits. */
export function effectivePriority(s: State, u: SchedUnit): number {
  const waited = s.l - u.submittedL;
  return u.priority + s.config.agingStep * Math.floor(waited / s.config.agingThreshold);
}

/** Can this unit run now? Q needs its contract active with budget; Φ needs its window open. */
export function eligible(s: State, u: SchedUnit): boolean {
  if (u.state !== 'waiting' || s.vhms[u.vhm]!.state !== 'active') return false;
  if (u.domain === 'K') return true;
  const c = s.contracts[u.contract!];
  if (c?.status !== 'active') return false;
  if (u.domain === 'Q') return c.q !== null && c.q.budget - c.consumed >= 1;
  const b = c.binding ? s.bindings[c.binding] : undefined;
  const env = b?.envelope ? s.envelopes[b.envelope] : undefined;
  return env?.live === true && s.l >= env.start && s.l < env.end;
}

/**
 * The arbitration function f (XDV-082 §5): per domain lane, the eligible unit whose VHM has the
 * lowest virtual time; ties by effective priority (higher first), submission L, process id, unit id.
 * Pure and total: the same state always gives the same choice.
 */
export function arbitrate(s: State, d: Domain, candidates: readonly SchedUnit[]): SchedUnit | null {
  let best: SchedUnit | null = null;
  let bestKey: [number, number, number, number, number] | null = null;
  for (const u of candidates) {
    if (u.domain !== d || !eligible(s, u)) continue;
    const key: [number, number, number, number, number] = [
      s.vhms[u.vhm]!.sched.vtime,
      -effectivePriority(s, u),
      u.submittedL,
      idNumOf(u.process),
      idNumOf(u.id),
    ];
    if (bestKey === null || lexLess(key, bestKey)) {
      best = u;
      bestKey = key;
    }
  }
  return best;
}

function idNumOf(id: string): number {
  return Number(id.slice(id.lastIndexOf('-') + 1));
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** One scheduler tick: running units finish their quantum, then each domain lane dispatches one. */
export function tick(ctx: Ctx, _cmd: CommandOf<'sched.tick'>): void {
  requireOperator(ctx, 'drive_scheduler');
  const s = ctx.state;
  const completed: string[] = [];
  const requeued: string[] = [];
  for (const id of [...s.runQueue].sort(byId)) {
    const u = s.units[id]!;
    if (u.state !== 'running') continue;
    if (u.remaining === 0) {
      u.state = 'done';
      completed.push(id);
    } else {
      // Round-robin: an unfinished unit goes to the back of its queue.
      u.state = 'waiting';
      u.submittedL = s.l;
      requeued.push(id);
    }
  }
  s.runQueue = s.runQueue.filter(
    (id) => s.units[id]!.state === 'waiting' || s.units[id]!.state === 'running',
  );
  const units = s.runQueue.map((id) => s.units[id]!);
  const order = [...DOMAINS].sort(
    (a, b) => s.config.domainPriority[b] - s.config.domainPriority[a] || (a < b ? -1 : 1),
  );
  const dispatched: Array<{
    unit: string;
    vhm: string;
    domain: Domain;
    process: string;
    priority: number;
    waited: number;
  }> = [];
  for (const d of order) {
    const u = arbitrate(s, d, units);
    if (!u) continue;
    const v = s.vhms[u.vhm]!;
    const priority = effectivePriority(s, u);
    dispatched.push({
      domain: d,
      priority,
      process: u.process,
      unit: u.id,
      vhm: u.vhm,
      waited: s.l - u.submittedL,
    });
    u.state = 'running';
    u.remaining -= 1;
    u.dispatches += 1;
    s.schedClock = Math.max(s.schedClock, v.sched.vtime);
    v.sched.vtime += Math.floor(VTIME_SCALE / v.sched.weight);
    if (d === 'Q') s.contracts[u.contract!]!.consumed += 1;
  }
  const waiting = s.runQueue.filter((id) => s.units[id]!.state === 'waiting').length;
  const decision = nextId(ctx, 'decision');
  emit(ctx, { payload: { completed, decision, dispatched, requeued, waiting }, type: 'sched.decision' });
}
