import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFleet, ok, seedFleet } from './fleet.js';
import { type Api, startApi } from './harness.js';

// POST /v1/plan: a batch dry run over a real server. Nothing it previews is ever committed.

let api: Api;
let f: HttpFleet;
beforeAll(async () => {
  api = await startApi();
  f = await seedFleet(api);
});
afterAll(async () => api?.close());

type PlanAnswer = {
  dryRun: true;
  wouldBe: 'accepted' | 'rejected';
  steps: Array<{
    index: number;
    wouldBe: string;
    created: Record<string, string>;
    command: Record<string, unknown>;
    entries: Array<{ seq: number; type: string; tenant: string | null }>;
    capacity: Array<{ provider: string; resource: string; before: number; after: number }>;
    quota: Array<{ vhm: string; resource: string; before: number; after: number }>;
    budgets: Array<{ contract: string; before: number; after: number }>;
  }>;
  refused: { step: number; code: string; params: Record<string, unknown>; detail: string } | null;
  capacity: Array<{ provider: string; resource: string; before: number; after: number }>;
  budgets: Array<{ contract: string; before: number; after: number; budget: number }>;
  invariants: { checked: number; violations: unknown[] };
};

const quota = { vhms: 0, memory: 8192, cpu: 2, qubits: 4, envelopes: 0 };
/** A VHM with a bound Q contract, each step naming what the earlier ones created. */
const qTree = (cal: string, q: string) => [
  { type: 'vhm.create', tenant: '', name: 'planned', quota, parent: null, capability: null },
  { type: 'vhm.validate', vhm: { $ref: '0.vhm' } },
  { type: 'vhm.activate', vhm: { $ref: '0.vhm' } },
  {
    type: 'contract.allocate',
    vhm: { $ref: '0.vhm' },
    capability: { $ref: '0.capability' },
    domain: 'Q',
    provider: q,
    q: { qubits: 3, budget: 40, calibration: cal },
  },
  {
    type: 'contract.activate',
    vhm: { $ref: '0.vhm' },
    capability: { $ref: '0.capability' },
    contract: { $ref: '3.contract' },
  },
  {
    type: 'binding.request',
    vhm: { $ref: '0.vhm' },
    capability: { $ref: '0.capability' },
    contract: { $ref: '3.contract' },
  },
  {
    type: 'binding.validate',
    vhm: { $ref: '0.vhm' },
    capability: { $ref: '0.capability' },
    binding: { $ref: '5.binding' },
  },
  {
    type: 'binding.activate',
    vhm: { $ref: '0.vhm' },
    capability: { $ref: '0.capability' },
    binding: { $ref: '5.binding' },
  },
];

describe('POST /v1/plan', () => {
  it('previews a whole sequence with placeholders, deltas and invariants, and commits nothing', async () => {
    const before = (await ok(api.call<{ seq: number }>('GET', '/v1/trace/head'))).seq;
    const hash = api.app.ledger.state.head;
    const cmds = qTree(f.cal, f.q);
    (cmds[0] as { tenant: string }).tenant = f.t1;
    const p = await ok(api.call<PlanAnswer>('POST', '/v1/plan', { token: f.tok1, body: { commands: cmds } }));
    expect(p.wouldBe).toBe('accepted');
    expect(p.refused).toBeNull();
    expect(p.steps.map((s) => s.wouldBe)).toEqual(Array(8).fill('accepted'));
    const vhm = p.steps[0]!.created.vhm!;
    expect(p.steps[3]!.command).toMatchObject({
      vhm,
      provider: f.q,
      actor: { kind: 'tenant', tenant: f.t1 },
    });
    expect(p.steps[7]!.created.container).toMatch(/^qc-\d+$/);
    // Whole plan: three qubits of the Q provider, the new contract's full budget, no violation.
    const qubits = p.capacity.find((c) => c.provider === f.q && c.resource === 'qubits')!;
    expect(qubits.after - qubits.before).toBe(3);
    expect(p.budgets).toContainEqual({
      contract: p.steps[3]!.created.contract,
      before: 0,
      after: 40,
      budget: 40,
    });
    expect(p.invariants.violations).toEqual([]);
    expect(p.invariants.checked).toBeGreaterThan(10);
    expect(p.steps.every((s) => s.entries.every((e) => e.tenant === f.t1))).toBe(true);
    expect((await ok(api.call<{ seq: number }>('GET', '/v1/trace/head'))).seq).toBe(before);
    expect(api.app.ledger.state.head).toBe(hash);
    expect(api.app.ledger.state.vhms[vhm]).toBeUndefined();
  });

  it('names the first refused step with its code, params and rendered message', async () => {
    const cmds = qTree(f.cal, f.q);
    (cmds[0] as { tenant: string }).tenant = f.t1;
    (cmds[3] as { q: unknown }).q = { qubits: 9, budget: 40, calibration: f.cal };
    const p = await ok(api.call<PlanAnswer>('POST', '/v1/plan', { token: f.tok1, body: { commands: cmds } }));
    expect(p.wouldBe).toBe('rejected');
    expect(p.refused).toMatchObject({ step: 3, code: 'HV_QUOTA_EXCEEDED' });
    expect(p.refused!.detail.length).toBeGreaterThan(10);
    expect(p.steps).toHaveLength(4);
    const bad = await ok(
      api.call<PlanAnswer>('POST', '/v1/plan', {
        token: f.tok1,
        body: { commands: [{ type: 'vhm.validate', vhm: { $ref: '0.vhm' } }] },
      }),
    );
    expect(bad.refused).toMatchObject({
      step: 0,
      code: 'HV_INVALID_COMMAND',
      params: { reason: 'unresolved_ref' },
    });
    expect(bad.refused!.detail).toContain('commands.0.vhm');
  });

  it('scopes a plan to the caller: a foreign id answers exactly like a nonexistent one', async () => {
    const as2 = (vhm: string) =>
      ok(
        api.call<PlanAnswer>('POST', '/v1/plan', {
          token: f.tok2,
          body: { commands: [{ type: 'vhm.pause', vhm, actor: { kind: 'operator' } }] },
        }),
      );
    const foreign = await as2(f.vhm);
    const none = await as2('vhm-987654');
    expect(foreign.refused!.code).toBe('HV_NOT_FOUND');
    expect(JSON.stringify({ ...foreign.refused, steps: undefined }).replaceAll(f.vhm, 'X')).toBe(
      JSON.stringify({ ...none.refused, steps: undefined }).replaceAll('vhm-987654', 'X'),
    );
    expect(foreign.steps[0]!.command.actor).toEqual({ kind: 'tenant', tenant: f.t2, role: 'admin' });
  });

  it('refuses a malformed body and an unauthenticated caller with problem+json', async () => {
    const r = await api.call('POST', '/v1/plan', { token: f.tok1, body: { commands: [] } });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const u = await api.call('POST', '/v1/plan', {
      token: null,
      body: { commands: [{ type: 'sched.tick' }] },
    });
    expect(u.status).toBe(401);
  });
});
