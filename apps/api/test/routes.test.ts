import { type ErrorParams, renderMessage } from '@xdv/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindQ, type HttpFleet, ok, registerProvider, seedFleet, signReport } from './fleet.js';
import { type Api, startApi } from './harness.js';

let api: Api;
let f: HttpFleet;

beforeAll(async () => {
  api = await startApi();
  f = await seedFleet(api);
});
afterAll(async () => api?.close());

type Problem = {
  code: string;
  status: number;
  detail: string;
  type: string;
  title: string;
  params?: Record<string, unknown>;
};

async function problemOf(
  p: Promise<{ status: number; body: unknown; headers: Headers }>,
  status: number,
  code: string,
): Promise<Problem> {
  const r = await p;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  const b = r.body as Problem;
  expect(b.code).toBe(code);
  expect(b.status).toBe(status);
  expect(typeof b.detail).toBe('string');
  return b;
}

describe('ops and documents', () => {
  it('serves health, readiness, metrics and a 3.1 OpenAPI document', async () => {
    expect((await api.call('GET', '/healthz', { token: null })).body).toEqual({ status: 'ok' });
    expect((await api.call<{ ready: boolean }>('GET', '/readyz', { token: null })).body.ready).toBe(true);
    const m = await fetch(`${api.base}/metrics`);
    const text = await m.text();
    expect(text).toContain('xdv_trace_seq');
    expect(text).toContain('xdv_provider_capacity{provider="provider-3",domain="Q",resource="qubits"} 50');
    const doc = await api.call<{ openapi: string; paths: Record<string, unknown> }>('GET', '/openapi.json', {
      token: null,
    });
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths).length).toBeGreaterThan(40);
    expect((await fetch(`${api.base}/docs/`)).status).toBe(200);
    const h = await fetch(`${api.base}/healthz`);
    expect(h.headers.get('x-content-type-options')).toBe('nosniff');
    expect(h.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers every malformed request with problem+json and a code', async () => {
    await problemOf(api.call('GET', '/v1/vhms', { token: null }), 401, 'HV_UNAUTHENTICATED');
    await problemOf(api.call('GET', '/v1/vhms', { token: 'xdv_wrong' }), 401, 'HV_UNAUTHENTICATED');
    await problemOf(
      api.call('GET', '/v1/vhms', { headers: { authorization: 'Basic abc' }, token: null }),
      401,
      'HV_UNAUTHENTICATED',
    );
    await problemOf(
      api.call('POST', '/v1/vhms', { token: f.tok1, body: { name: 'x', quota: { qubits: -1 } } }),
      400,
      'HV_BAD_REQUEST',
    );
    await problemOf(
      api.call('POST', '/v1/vhms', { token: f.tok1, body: { name: 'x', quota: {}, extra: 1 } }),
      400,
      'HV_BAD_REQUEST',
    );
    await problemOf(
      api.call('POST', '/v1/vhms', { token: f.tok1, body: 'not an object' }),
      400,
      'HV_BAD_REQUEST',
    );
    await problemOf(api.call('GET', '/v1/vhms?limit=0'), 400, 'HV_BAD_REQUEST');
    // Integers beyond 2^53 would overflow the store's 64-bit columns: refused by the schema.
    await problemOf(api.call('GET', '/v1/trace?after=1e%2B308', { token: f.tok1 }), 400, 'HV_BAD_REQUEST');
    await problemOf(api.call('GET', '/v1/replay/state?l=1e%2B308'), 400, 'HV_BAD_REQUEST');
    await problemOf(api.call('GET', '/nowhere', { token: null }), 404, 'HV_ROUTE_NOT_FOUND');
    const raw = await fetch(`${api.base}/v1/vhms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.tok1}`, 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as Problem).code).toBe('HV_BAD_REQUEST');
    const big = await fetch(`${api.base}/v1/vhms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.tok1}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(300_000) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as Problem).code).toBe('HV_PAYLOAD_TOO_LARGE');
    const xml = await fetch(`${api.base}/v1/vhms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.tok1}`, 'content-type': 'text/xml' },
      body: '<a/>',
    });
    expect(xml.status).toBe(415);
    expect(((await xml.json()) as Problem).code).toBe('HV_UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('tenants and tokens', () => {
  it('lets operators manage tenants and tokens, and no one else', async () => {
    await problemOf(
      api.call('POST', '/v1/tenants', { token: f.tok1, body: { name: 'evil', quota: {} } }),
      403,
      'HV_FORBIDDEN',
    );
    await problemOf(
      api.call('POST', '/v1/tenants', { body: { name: 'acme', quota: {} } }),
      409,
      'HV_CONFLICT',
    );
    await problemOf(api.call('GET', '/v1/tokens', { token: f.tok1 }), 403, 'HV_FORBIDDEN');
    await problemOf(
      api.call('POST', '/v1/tokens', { body: { kind: 'tenant', tenant: 'tenant-99', label: 'x' } }),
      404,
      'HV_NOT_FOUND',
    );
    const tenants = await ok(
      api.call<{ items: Array<{ id: string }> }>('GET', '/v1/tenants', { token: f.tok1 }),
    );
    expect(tenants.items.map((t) => t.id)).toEqual([f.t1]);
    const me = await ok(
      api.call<{ token: { kind: string; tenant: string }; tenantName: string }>('GET', '/v1/me', {
        token: f.tok1,
      }),
    );
    expect(me.tenantName).toBe('acme');
    const t = await ok(
      api.call<{ token: { id: string }; secret: string }>('POST', '/v1/tokens', {
        body: { kind: 'tenant', tenant: f.t1, role: 'viewer', label: 'temp' },
      }),
    );
    expect((await api.call('GET', '/v1/vhms', { token: t.secret })).status).toBe(200);
    const list = await ok(api.call<{ items: Array<{ id: string; label: string }> }>('GET', '/v1/tokens'));
    expect(JSON.stringify(list)).not.toContain(t.secret);
    await ok(api.call('POST', `/v1/tokens/${t.token.id}/revoke`));
    await problemOf(api.call('GET', '/v1/vhms', { token: t.secret }), 401, 'HV_UNAUTHENTICATED');
    await ok(
      api.call('PUT', `/v1/tenants/${f.t1}/quota`, {
        body: { quota: { vhms: 10, memory: 1 << 20, cpu: 64, qubits: 40, envelopes: 4 } },
      }),
    );
  });
});

describe('VHMs', () => {
  it("defaults an operator's nested create to the parent's tenant; a foreign parent answers like none", async () => {
    // The operator's token (no `token:`) names a parent but no tenant: the parent's tenant is used.
    const made = await ok(
      api.call<{ created: { vhm: string } }>('POST', '/v1/vhms', {
        body: { name: 'op-child', parent: f.vhm, capability: f.root, quota: { qubits: 1 } },
      }),
      [201],
    );
    const got = await ok(api.call<{ tenant: string; parent: string }>('GET', `/v1/vhms/${made.created.vhm}`));
    expect(got).toMatchObject({ tenant: f.t1, parent: f.vhm });
    // A tenant that is not the parent's still refused, as the core refuses it.
    await problemOf(
      api.call('POST', '/v1/vhms', {
        body: { name: 'op-child-2', tenant: f.t2, parent: f.vhm, capability: f.root, quota: {} },
      }),
      400,
      'HV_INVALID_COMMAND',
    );
    const unknown = await problemOf(
      api.call('POST', '/v1/vhms', {
        body: { name: 'lost', parent: 'vhm-999', capability: f.root, quota: {} },
      }),
      404,
      'HV_NOT_FOUND',
    );
    expect(unknown.detail).toContain('vhm-999');
    // For a tenant, another tenant's parent answers exactly like a nonexistent one (the id aside).
    const body = (parent: string) => ({ name: 'spy', parent, capability: f.root, quota: {} });
    const foreign = await api.call('POST', '/v1/vhms', { token: f.tok2, body: body(f.vhm) });
    const none = await api.call('POST', '/v1/vhms', { token: f.tok2, body: body('vhm-999') });
    expect(foreign.status).toBe(404);
    expect(none.status).toBe(404);
    // Each refusal is recorded at its own sequence number; everything else is the same.
    const same = (b: unknown, id: string) => JSON.stringify({ ...(b as object), seq: 0 }).replaceAll(id, 'X');
    expect(same(foreign.body, f.vhm)).toBe(same(none.body, 'vhm-999'));
  });
  it('creates nested VHMs, lists them as a tree with filters and pages, and refuses what the core refuses', async () => {
    const child = await ok(
      api.call<{ created: { vhm: string; capability: string } }>('POST', '/v1/vhms', {
        token: f.tok1,
        body: { name: 'child', parent: f.vhm, capability: f.root, quota: { qubits: 2 } },
      }),
    );
    const all = await ok(
      api.call<{ items: Array<{ id: string; parent: string | null; depth: number }> }>('GET', '/v1/vhms', {
        token: f.tok1,
      }),
    );
    expect(all.items.find((v) => v.id === child.created.vhm)).toMatchObject({ parent: f.vhm, depth: 2 });
    const roots = await ok(
      api.call<{ items: Array<{ id: string }> }>('GET', '/v1/vhms?parent=root', { token: f.tok1 }),
    );
    expect(roots.items.map((v) => v.id)).not.toContain(child.created.vhm);
    const p1 = await ok(
      api.call<{ items: Array<{ id: string }>; nextCursor: string }>('GET', '/v1/vhms?limit=1', {
        token: f.tok1,
      }),
    );
    expect(p1.items).toHaveLength(1);
    const p2 = await ok(
      api.call<{ items: Array<{ id: string }> }>('GET', `/v1/vhms?limit=1&cursor=${p1.nextCursor}`, {
        token: f.tok1,
      }),
    );
    expect(p2.items[0]!.id).not.toBe(p1.items[0]!.id);
    await problemOf(api.call('GET', '/v1/vhms?cursor=%%%', { token: f.tok1 }), 400, 'HV_BAD_REQUEST');
    await problemOf(
      api.call('POST', `/v1/vhms/${child.created.vhm}/activate`, { token: f.tok1 }),
      409,
      'HV_LIFECYCLE_INVALID',
    );
    await problemOf(
      api.call('POST', '/v1/vhms', { token: f.viewer1, body: { name: 'x', quota: {} } }),
      403,
      'HV_FORBIDDEN',
    );
    await problemOf(
      api.call('POST', '/v1/vhms', { token: f.tok1, body: { name: 'huge', quota: { qubits: 1000 } } }),
      409,
      'HV_QUOTA_EXCEEDED',
    );
  });

  it('supports ETag, If-None-Match and If-Match', async () => {
    const r = await api.call('GET', `/v1/vhms/${f.vhm}`, { token: f.tok1 });
    const tag = r.headers.get('etag')!;
    expect(tag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(
      (await api.call('GET', `/v1/vhms/${f.vhm}`, { token: f.tok1, headers: { 'if-none-match': tag } }))
        .status,
    ).toBe(304);
    await problemOf(
      api.call('POST', `/v1/vhms/${f.vhm}/pause`, { token: f.tok1, headers: { 'if-match': '"stale"' } }),
      412,
      'HV_PRECONDITION_FAILED',
    );
    await ok(api.call('POST', `/v1/vhms/${f.vhm}/pause`, { token: f.tok1, headers: { 'if-match': tag } }));
    // The VHM changed in place: its ETag follows (the cached tag belonged to the previous seq).
    const paused = await api.call('GET', `/v1/vhms/${f.vhm}`, {
      token: f.tok1,
      headers: { 'if-none-match': tag },
    });
    expect(paused.status).toBe(200);
    expect(paused.headers.get('etag')).not.toBe(tag);
    await problemOf(
      api.call('POST', `/v1/vhms/${f.vhm}/resume`, { token: f.tok1, headers: { 'if-match': tag } }),
      412,
      'HV_PRECONDITION_FAILED',
    );
    await ok(api.call('POST', `/v1/vhms/${f.vhm}/resume`, { token: f.tok1 }));
  });

  it('previews a mutation with dryRun and commits nothing', async () => {
    const before = api.app.ledger.state.seq;
    const pv = await ok(
      api.call<{
        dryRun: boolean;
        wouldBe: string;
        capacity: Array<{ provider: string; after: number }>;
        invariants: { violations: unknown[] };
      }>('POST', `/v1/vhms/${f.vhm}/contracts?dryRun=true`, {
        token: f.tok1,
        body: {
          capability: f.root,
          domain: 'Q',
          provider: f.q,
          q: { qubits: 3, budget: 9, calibration: f.cal },
        },
      }),
    );
    expect(pv.dryRun).toBe(true);
    expect(pv.wouldBe).toBe('accepted');
    expect(pv.capacity).toContainEqual(
      expect.objectContaining({ provider: f.q, resource: 'qubits', after: expect.any(Number) }),
    );
    expect(pv.invariants.violations).toEqual([]);
    const bad = await ok(
      api.call<{ wouldBe: string; error: { code: string } }>(
        'POST',
        `/v1/vhms/${f.vhm}/contracts?dryRun=true`,
        {
          token: f.tok1,
          body: {
            capability: f.root,
            domain: 'Q',
            provider: f.q,
            q: { qubits: 999, budget: 9, calibration: f.cal },
          },
        },
      ),
    );
    expect(bad.wouldBe).toBe('rejected');
    expect(bad.error.code).toBe('Q_ERR_RESOURCE_UNAVAILABLE');
    expect(api.app.ledger.state.seq).toBe(before);
  });
});

describe('resources, execution and providers', () => {
  it('a preview reports its subject’s ETag; a commit with it as If-Match is refused once the subject moved', async () => {
    const { binding } = await bindQ(api, f, 1, 40);
    const body = { capability: f.root, cost: 5, operations: ['h'] };
    const path = `/v1/bindings/${binding}/jobs`;
    const pv = await ok(api.call<{ etag: string }>('POST', `${path}?dryRun=true`, { token: f.tok1, body }));
    expect(pv.etag).toMatch(/^"[0-9a-f]{32}"$/);
    // Another job consumes budget from the same contract: the previewed one is now stale.
    await ok(api.call('POST', path, { token: f.tok1, body }));
    const before = api.app.ledger.state.seq;
    await problemOf(
      api.call('POST', path, {
        token: f.tok1,
        body,
        headers: { 'if-match': pv.etag, 'idempotency-key': 'k-stale' },
      }),
      412,
      'HV_PRECONDITION_FAILED',
    );
    // A refusal before the core changes nothing.
    expect(api.app.ledger.state.seq).toBe(before);
    const fresh = await ok(
      api.call<{ etag: string }>('POST', `${path}?dryRun=true`, { token: f.tok1, body }),
    );
    expect(fresh.etag).not.toBe(pv.etag);
    await ok(api.call('POST', path, { token: f.tok1, body, headers: { 'if-match': fresh.etag } }));
    // The VHM-scoped routes compare the VHM (allocation here).
    const alloc = await ok(
      api.call<{ etag: string }>('POST', `/v1/vhms/${f.vhm}/contracts?dryRun=true`, {
        token: f.tok1,
        body: {
          capability: f.root,
          domain: 'Q',
          provider: f.q,
          q: { qubits: 1, budget: 9, calibration: f.cal },
        },
      }),
    );
    const vtag = (await api.call('GET', `/v1/vhms/${f.vhm}`, { token: f.tok1 })).headers.get('etag');
    expect(alloc.etag).toBe(vtag);
  });

  it('a foreign subject is not compared: If-Match on it answers like on a nonexistent id', async () => {
    const { binding } = await bindQ(api, f, 1, 10);
    const body = { capability: f.root, cost: 1 };
    const foreign = await api.call('POST', `/v1/bindings/${binding}/jobs`, {
      token: f.tok2,
      body,
      headers: { 'if-match': '"x"' },
    });
    const none = await api.call('POST', '/v1/bindings/binding-99999/jobs', {
      token: f.tok2,
      body,
      headers: { 'if-match': '"x"' },
    });
    expect(foreign.status).toBe(none.status);
    expect((foreign.body as Problem).code).toBe((none.body as Problem).code);
  });

  it('binds Q, runs jobs down the budget, refuses the one over it and invalidates the contract', async () => {
    const { contract, binding } = await bindQ(api, f, 2, 30);
    const job = await ok(
      api.call<{ created: { job: string } }>('POST', `/v1/bindings/${binding}/jobs`, {
        token: f.tok1,
        body: { capability: f.root, cost: 20, operations: ['h'] },
      }),
    );
    expect(job.created.job).toMatch(/^job-/);
    expect(
      (await ok(api.call<{ consumed: number }>('GET', `/v1/contracts/${contract}`, { token: f.tok1 })))
        .consumed,
    ).toBe(20);
    const over = await problemOf(
      api.call('POST', `/v1/bindings/${binding}/jobs`, {
        token: f.tok1,
        body: { capability: f.root, cost: 11 },
      }),
      409,
      'Q_ERR_DECOHERENCE_EXCEEDED',
    );
    expect(over.detail).toContain('invalidated');
    // The structured params travel with the problem, and detail is the core's template rendered from them.
    expect(over.params).toMatchObject({ contract, cost: 11 });
    expect(over.detail).toBe(renderMessage('Q_ERR_DECOHERENCE_EXCEEDED', over.params as ErrorParams));
    expect(
      (await ok(api.call<{ status: string }>('GET', `/v1/contracts/${contract}`, { token: f.tok1 }))).status,
    ).toBe('revoked');
    const faults = await ok(
      api.call<{ items: Array<{ code: string }> }>('GET', '/v1/faults', { token: f.tok1 }),
    );
    expect(faults.items.map((x) => x.code)).toContain('Q_ERR_DECOHERENCE_EXCEEDED');
    await problemOf(
      api.call('POST', '/v1/bindings/binding-999/jobs', {
        token: f.tok1,
        body: { capability: f.root, cost: 1 },
      }),
      404,
      'HV_NOT_FOUND',
    );
  });

  it('takes K snapshots, refuses Q ones, migrates, opens IPC, schedules and injects faults', async () => {
    const k = await ok(
      api.call<{ created: { contract: string } }>('POST', `/v1/vhms/${f.vhm}/contracts`, {
        token: f.tok1,
        body: {
          capability: f.root,
          domain: 'K',
          provider: f.k,
          k: { base: 0, size: 4096, cpu: 2, irqs: [7] },
        },
      }),
    );
    await problemOf(
      api.call('POST', `/v1/vhms/${f.vhm}/snapshots`, {
        token: f.tok1,
        body: { capability: f.root, include: ['Q'] },
      }),
      409,
      'HV_NO_CLONE',
    );
    await ok(
      api.call('POST', `/v1/vhms/${f.vhm}/snapshots`, { token: f.tok1, body: { capability: f.root } }),
    );
    expect(
      (await ok(api.call<{ items: unknown[] }>('GET', `/v1/vhms/${f.vhm}/snapshots`, { token: f.tok1 })))
        .items,
    ).toHaveLength(1);
    await ok(
      api.call('POST', `/v1/vhms/${f.vhm}/migrations`, {
        token: f.tok1,
        body: { capability: f.root, target: f.k2 },
      }),
    );
    expect(
      (
        await ok(
          api.call<{ provider: string }>('GET', `/v1/contracts/${k.created.contract}`, { token: f.tok1 }),
        )
      ).provider,
    ).toBe(f.k2);
    const other = await ok(
      api.call<{ created: { vhm: string; capability: string } }>('POST', '/v1/vhms', {
        token: f.tok1,
        body: { name: 'peer', quota: {} },
      }),
    );
    await ok(api.call('POST', `/v1/vhms/${other.created.vhm}/validate`, { token: f.tok1 }));
    await ok(api.call('POST', `/v1/vhms/${other.created.vhm}/activate`, { token: f.tok1 }));
    const ipc = await ok(
      api.call<{ created: { ipc: string } }>('POST', '/v1/ipc', {
        token: f.tok1,
        body: {
          a: f.vhm,
          capabilityA: f.root,
          b: other.created.vhm,
          capabilityB: other.created.capability,
          rights: ['MSG'],
        },
      }),
    );
    await ok(api.call('POST', `/v1/ipc/${ipc.created.ipc}/close`, { token: f.tok1 }));
    const proc = await ok(
      api.call<{ created: { process: string } }>('POST', `/v1/vhms/${f.vhm}/processes`, {
        token: f.tok1,
        body: { capability: f.root, name: 'worker' },
      }),
    );
    await ok(
      api.call('POST', '/v1/scheduler/units', {
        token: f.tok1,
        body: { vhm: f.vhm, capability: f.root, process: proc.created.process, domain: 'K', quanta: 2 },
      }),
    );
    await problemOf(api.call('POST', '/v1/scheduler/tick', { token: f.tok1 }), 403, 'HV_FORBIDDEN');
    const tick = await ok(
      api.call<{ entries: Array<{ type: string; payload: { dispatched: unknown[] } }> }>(
        'POST',
        '/v1/scheduler/tick',
      ),
    );
    expect(tick.entries.find((e) => e.type === 'sched.decision')!.payload.dispatched).toHaveLength(1);
    const sched = await ok(
      api.call<{ units: unknown[]; vhms: unknown[] }>('GET', '/v1/scheduler', { token: f.tok1 }),
    );
    expect(sched.units).toHaveLength(1);
    const d = await ok(
      api.call<{ created: { capability: string } }>(
        'POST',
        `/v1/vhms/${f.vhm}/capabilities/${f.root}/derive`,
        { token: f.tok1, body: { rights: ['IPC'] } },
      ),
    );
    await problemOf(
      api.call('POST', '/v1/faults/inject', {
        token: f.tok1,
        body: { kind: 'capability_revocation', target: d.created.capability },
      }),
      403,
      'HV_FORBIDDEN',
    );
    await ok(
      api.call('POST', '/v1/faults/inject', {
        body: { kind: 'capability_revocation', target: d.created.capability },
      }),
    );
    const caps = await ok(
      api.call<{ items: Array<{ id: string; revoked: boolean }> }>('GET', `/v1/vhms/${f.vhm}/capabilities`, {
        token: f.tok1,
      }),
    );
    expect(caps.items.find((c) => c.id === d.created.capability)!.revoked).toBe(true);
  });

  it('admits signed reports once, refuses forged ones, and serves metric series', async () => {
    const good = signReport(
      { provider: f.q, seq: 1, qubits: [{ qubit: 0, t1: 120, t2: 90, fidelity: 9950, readoutError: 120 }] },
      3,
    );
    await ok(api.call('POST', `/v1/providers/${f.q}/reports/q`, { token: f.qProviderToken, body: good }));
    await problemOf(
      api.call('POST', `/v1/providers/${f.q}/reports/q`, { token: f.qProviderToken, body: good }),
      409,
      'HV_CONFLICT',
    );
    const forged = signReport({ provider: f.q, seq: 2, qubits: [] }, 99);
    await problemOf(
      api.call('POST', `/v1/providers/${f.q}/reports/q`, { token: f.qProviderToken, body: forged }),
      401,
      'HV_SIGNATURE_INVALID',
    );
    await problemOf(
      api.call('POST', `/v1/providers/${f.q}/reports/q`, {
        token: f.phiProviderToken,
        body: signReport({ provider: f.q, seq: 3, qubits: [] }, 3),
      }),
      403,
      'HV_FORBIDDEN',
    );
    const s = await ok(
      api.call<{
        series: Array<{ subject: string; metric: string; samples: Array<{ l: number; v: number }> }>;
      }>('GET', `/v1/providers/${f.q}/series`, { token: f.tok1 }),
    );
    expect(s.series.find((x) => x.metric === 't1')!.samples[0]!.v).toBe(120);
    const reg = await api.call('POST', '/v1/providers', {
      body: {
        registration: {
          name: 'fake',
          domain: 'Q',
          capacity: { memory: 0, cpu: 0, qubits: 4, envelopes: 0 },
          publicKey: 'ab',
          firmware: 'f1f2f3f4f5f6f7f8',
          features: { liveTransfer: false, operations: [] },
        },
        signature: 'abcd',
      },
    });
    expect((reg.body as Problem).code).toBe('HV_SIGNATURE_INVALID');
    await registerProvider(api, 'qpu-2', 'Q', { qubits: 8 }, 11);
  });
});

describe('trace, replay and invariants', () => {
  it('pages the trace, verifies the chain, replays state at L and diffs two L', async () => {
    const page = await ok(
      api.call<{ items: Array<{ seq: number; hash: string; prev: string }>; nextAfter: number }>(
        'GET',
        '/v1/trace?limit=5',
      ),
    );
    expect(page.items.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(page.items[1]!.prev).toBe(page.items[0]!.hash);
    const next = await ok(
      api.call<{ items: Array<{ seq: number }> }>(`GET`, `/v1/trace?after=${page.nextAfter}&limit=2`),
    );
    expect(next.items[0]!.seq).toBe(6);
    const mine = await ok(
      api.call<{ items: Array<{ tenant: string | null }> }>('GET', '/v1/trace?limit=1000', { token: f.tok1 }),
    );
    expect(mine.items.every((e) => e.tenant === f.t1)).toBe(true);
    // Newest first by page: `before` gives the newest entries below it, still in seq order; a tenant's
    // page holds only its own, and `nextBefore` pages back until none are older.
    type Back = { items: Array<{ seq: number; tenant: string | null }>; nextBefore: number | null };
    const head = api.app.ledger.state.seq;
    const newest = await ok(api.call<Back>('GET', `/v1/trace?before=${head + 1}&limit=3`));
    expect(newest.items.map((e) => e.seq)).toEqual([head - 2, head - 1, head]);
    expect(newest.nextBefore).toBe(head - 2);
    const older = await ok(api.call<Back>('GET', `/v1/trace?before=${newest.nextBefore}&limit=3`));
    expect(older.items.map((e) => e.seq)).toEqual([head - 5, head - 4, head - 3]);
    const theirs = mine.items.map((e) => (e as unknown as { seq: number }).seq);
    const back = await ok(api.call<Back>('GET', `/v1/trace?before=${head + 1}&limit=2`, { token: f.tok1 }));
    expect(back.items.map((e) => e.seq)).toEqual(theirs.slice(-2));
    const first = await ok(api.call<Back>('GET', `/v1/trace?before=3&limit=5`));
    expect(first.items.map((e) => e.seq)).toEqual([1, 2]);
    expect(first.nextBefore).toBeNull();
    const v = await ok(api.call<{ ok: boolean; entries: number }>('GET', '/v1/trace/verify'));
    expect(v.ok).toBe(true);
    expect(v.entries).toBe(api.app.ledger.state.seq);
    await problemOf(api.call('GET', '/v1/trace/verify', { token: f.tok1 }), 403, 'HV_FORBIDDEN');
    const early = await ok(
      api.call<{ live: boolean; state: { vhms: Record<string, unknown> } }>('GET', '/v1/replay/state?l=3'),
    );
    expect(early.live).toBe(false);
    expect(Object.keys(early.state.vhms)).toHaveLength(0);
    const diff = await ok(
      api.call<{ changes: { vhms: { added: string[] } } }>(
        'GET',
        `/v1/replay/diff?from=3&to=${api.app.ledger.state.l}`,
        { token: f.tok1 },
      ),
    );
    expect(diff.changes.vhms.added).toContain(f.vhm);
    await problemOf(api.call('GET', '/v1/replay/diff?from=9&to=3'), 400, 'HV_BAD_REQUEST');
    const inv = await ok(
      api.call<{ ok: boolean; checked: string[] }>('GET', '/v1/invariants', { token: f.tok1 }),
    );
    expect(inv.ok).toBe(true);
    expect(inv.checked).toContain('no-cloning');
    const ov = await ok(
      api.call<{ vhmsByState: Record<string, number>; providers: unknown[]; conservation: { ok: boolean } }>(
        'GET',
        '/v1/overview',
        { token: f.tok1 },
      ),
    );
    expect(ov.conservation.ok).toBe(true);
    expect(ov.vhmsByState.active).toBeGreaterThan(0);
  });
});
