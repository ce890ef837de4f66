import { createHash } from 'node:crypto';
import type { Api } from '../api.js';
import { hints, Refused } from '../errors.js';
import type { Io } from '../io.js';
import { deltaLines, invariantLine } from '../preview.js';
import type { PlanStepSpec, Ref } from './diff.js';

// Preview the whole plan on the server (POST /v1/plan: one sequence on a copy of the state), print
// it, and — unless only a diff was asked — apply it step by step, each with its own Idempotency-Key.

interface PlanAnswer {
  wouldBe: 'accepted' | 'rejected';
  steps: Array<{ index: number; created: Record<string, string>; entries: unknown[] }>;
  refused: { step: number; code: string; params: Record<string, unknown>; detail: string } | null;
  capacity: Record<string, unknown>[];
  budgets: Record<string, unknown>[];
  quota: Record<string, unknown>[];
  invariants: { checked: number; violations: unknown[] };
}

export async function previewPlan(api: Api, io: Io, steps: PlanStepSpec[]): Promise<PlanAnswer | null> {
  if (steps.length === 0) {
    io.out('no changes\n');
    return null;
  }
  const p = await api.call<PlanAnswer>('POST', '/v1/plan', {
    body: { commands: steps.map((s) => s.command) },
  });
  io.out(`plan: ${steps.length} step${steps.length === 1 ? '' : 's'}\n`);
  steps.forEach((s, i) => {
    const created = p.steps[i]?.created ?? {};
    const made = Object.entries(created)
      .filter(([k]) => ['tenant', 'vhm', 'contract', 'binding', 'ipc', 'container', 'envelope'].includes(k))
      .map(([k, v]) => `${k} ${v}`);
    const mark = p.refused?.step === i ? '✗' : i < p.steps.length ? '+' : ' ';
    io.out(
      `  ${mark} ${String(i + 1).padStart(2)}. ${s.label}${made.length ? `  → ${made.join(', ')}` : ''}\n`,
    );
  });
  const d = deltaLines(p, '    ');
  if (d.length > 0) io.out(`  before → after:\n${d.join('\n')}\n`);
  io.out(`  ${invariantLine(p.invariants)}\n`);
  if (p.refused) {
    const r = p.refused;
    io.err(`error: step ${r.step + 1} (${steps[r.step]?.label}) would be refused: ${r.code}: ${r.detail}\n`);
    for (const h of hints(r.code, r.params)) io.err(`  hint: ${h}\n`);
    io.err('nothing was committed\n');
    throw new Refused('plan refused');
  }
  if (p.invariants.violations.length > 0) {
    io.err('error: the plan would break an invariant; nothing was committed\n');
    throw new Refused('plan breaks an invariant');
  }
  return p;
}

/**
 * Idempotency keys: SHA-256 of the file's content and the step's identity (what it does to which
 * object of the file, and that object's generation). A re-run after an interruption plans the steps
 * still to do under the same identities, so a request the first run sent is answered, not executed
 * again, even when it was still in flight when the first run died.
 */
export function stepKeys(fileText: string, steps: PlanStepSpec[]): string[] {
  const file = createHash('sha256').update(fileText).digest('hex');
  const seen = new Map<string, number>();
  return steps.map((s) => {
    const n = seen.get(s.identity) ?? 0;
    seen.set(s.identity, n + 1);
    return `xdv-apply-${createHash('sha256').update(`${file}\n${s.identity}\n${n}`).digest('hex').slice(0, 48)}`;
  });
}

export async function applyPlan(api: Api, io: Io, steps: PlanStepSpec[], keys: string[]): Promise<void> {
  const created: Array<Record<string, string>> = [];
  for (const [i, s] of steps.entries()) {
    const cmd = resolve(s.command, created) as PlanStepSpec['command'];
    const { method, path, body } = routeOf(cmd);
    const a = await api.call<{ created?: Record<string, string>; seq?: number }>(method, path, {
      ...(body !== undefined ? { body } : {}),
      headers: { 'idempotency-key': keys[i]! },
    });
    created.push(a.created ?? {});
    io.out(
      `  applied ${String(i + 1).padStart(2)}. ${s.label}${a.seq !== undefined ? ` (seq ${a.seq})` : ''}\n`,
    );
    io.afterStep?.(i);
  }
  io.out(`applied ${steps.length} step${steps.length === 1 ? '' : 's'}\n`);
}

function resolve(v: unknown, created: Array<Record<string, string>>): unknown {
  if (Array.isArray(v)) return v.map((x) => resolve(x, created));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$ref === 'string') {
      const [n, kind] = (o as Ref).$ref.split('.');
      const id = created[Number(n)]?.[kind!];
      if (!id) throw new Error(`step ${n} created no ${kind}`);
      return id;
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x, created)]));
  }
  return v;
}

/** The REST route of each command apply plans. */
export function routeOf(c: Record<string, unknown>): {
  method: 'POST' | 'PUT';
  path: string;
  body?: unknown;
} {
  const id = (k: string) => encodeURIComponent(String(c[k]));
  const { type, ...rest } = c;
  switch (type) {
    case 'tenant.create':
      return { method: 'POST', path: '/v1/tenants', body: { name: c.name, quota: c.quota } };
    case 'tenant.setQuota':
      return { method: 'PUT', path: `/v1/tenants/${id('tenant')}/quota`, body: { quota: c.quota } };
    case 'vhm.create': {
      const body: Record<string, unknown> = { tenant: c.tenant, name: c.name, quota: c.quota };
      if (c.parent) Object.assign(body, { parent: c.parent, capability: c.capability });
      return { method: 'POST', path: '/v1/vhms', body };
    }
    case 'vhm.validate':
    case 'vhm.activate':
    case 'vhm.pause':
    case 'vhm.resume':
    case 'vhm.terminate':
    case 'vhm.release':
      return { method: 'POST', path: `/v1/vhms/${id('vhm')}/${String(type).slice(4)}` };
    case 'contract.allocate': {
      const { vhm: _v, ...body } = rest;
      return { method: 'POST', path: `/v1/vhms/${id('vhm')}/contracts`, body };
    }
    case 'contract.activate':
    case 'contract.release':
      return {
        method: 'POST',
        path: `/v1/contracts/${id('contract')}/${String(type).slice(9)}`,
        body: { capability: c.capability },
      };
    case 'binding.request':
      return {
        method: 'POST',
        path: `/v1/vhms/${id('vhm')}/bindings`,
        body: { capability: c.capability, contract: c.contract },
      };
    case 'binding.validate':
    case 'binding.activate':
    case 'binding.release':
      return {
        method: 'POST',
        path: `/v1/bindings/${id('binding')}/${String(type).slice(8)}`,
        body: { capability: c.capability },
      };
    case 'ipc.open':
      return { method: 'POST', path: '/v1/ipc', body: rest };
    case 'ipc.close':
      return { method: 'POST', path: `/v1/ipc/${id('ipc')}/close` };
    default:
      throw new Error(`apply has no route for ${String(type)}`);
  }
}
